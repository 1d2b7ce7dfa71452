// The objects of the Oz API as this client receives them: generated from the server's OpenAPI
// document (openapi/openapi.json) into api-types.ts by `npm run openapi`, and named here. The
// client stays its own package: it reads the document, never the server's code. A drift test
// (test/unit/openapi.test.ts) fails when api-types.ts is older than the document.
import type { components, paths } from './api-types';

type Schemas = components['schemas'];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type UserType = Schemas['User']['user_type'];
export type AnalysisType = Schemas['Analysis']['type'];
export type AnalysisState = Schemas['Analysis']['state'];
export type AnalysisResolutionStatus = Schemas['Analysis']['resolution_status'];
export type Resolution = Exclude<AnalysisResolutionStatus, 'PROCESSING' | 'FAILED'>;
export type FolderResolutionStatus = Schemas['Folder']['resolution_status'];
export type SystemResolution = Schemas['Folder']['system_resolution'];
export type MediaType = Schemas['Media']['media_type'];

/** The documented error body. */
export type ErrorBody = Schemas['Error'];

export type User = Schemas['User'];
/** POST /api/authorize/auth and /api/authorize/refresh. */
export type AuthResponse = Schemas['Authorization'];
/** GET|POST /api/authorize/service_token/{user_id}. */
export type ServiceToken = Schemas['ServiceToken'];
export type Company = Schemas['Company'];
export type MediaInfo = Schemas['MediaInfo'];
export type Media = Schemas['Media'];
export type ResultsMedia = Schemas['ResultsMedia'];
export type CollectionPersonHit = ResultsMedia['collection_persons'][number];
export type Analysis = Schemas['Analysis'];
export type Folder = Schemas['Folder'];
export type Collection = Schemas['Collection'];
export type Person = Schemas['Person'];
export type PersonImage = Schemas['PersonImage'];
/**
 * POST /api/uploads: a presigned POST for media too large for one API request: a multipart/form-data
 * body of `fields`, in order, then the file as the last field, "file".
 */
export type PresignedUpload = Schemas['Upload'];
/** One item of POST /api/folders/{id}/analyses. */
export type AnalysisRequest = Schemas['AnalysisRequestItem'];
export type WebhookDelivery = Schemas['WebhookDeliveryList'][number];
/** A report template (README "Reports"): what a folder's PDF report shows. Format version 1. */
export type ReportTemplateContent = Schemas['ReportTemplateCreate'];
export type ReportTemplate = Schemas['ReportTemplate'];
export type ReportTemplateAttachment = Schemas['ReportTemplateAttachment'];
export type Report = Schemas['Report'];
/** GET /api/event_sessions (5.2.0): an SDK's events of one capture session. */
export type EventSession = Schemas['EventSession'];
export type EventSessionPage = Schemas['EventSessionPage'];
/** The twelve query parameters of GET /api/event_sessions. */
export type EventSessionsQuery = NonNullable<paths['/api/event_sessions']['get']['parameters']['query']>;
/** POST /api/media/{id}/snapshot/ (4.0.2). */
export type MediaSnapshot = Schemas['MediaSnapshot'];

/** The documented list answers: `{total, items}`. */
export interface Page<T> {
  total: number;
  items: T[];
}
