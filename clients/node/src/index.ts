// @oz-open/client: a typed client of the Oz API, the folder flow helper, and webhook receiving.
export { OzClient, DEFAULT_BASE_URL, DIRECT_UPLOAD_LIMIT } from './client';
export type { Credentials, OzClientOptions, MediaInput, UploadOptions, CreateFolderOptions, ListFoldersQuery } from './client';
export { runFolderFlow, pollAnalyses, createWebhookReceiver, verifyWebhookSignature } from './flow';
export type { FlowEvent, FlowResult, FolderFlowOptions, PollOptions, WebhookReceiver, WebhookReceiverOptions } from './flow';
export { OzApiError, OzTimeoutError } from './errors';
export type * from './types';
