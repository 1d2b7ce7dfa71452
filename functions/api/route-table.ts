// Every HTTP endpoint, once. The CDK app makes API Gateway routes from this table and each
// function's pipeline (pipeline.ts) dispatches on the event's routeKey, so the deployed routes and
// the code cannot drift. A route runs the whole pipeline; `open` leaves out authentication.
// "api" is the zip Lambda (JSON endpoints); "media" the container-image Lambda that can decode
// uploads (sharp, ffprobe, the models).

export type FunctionName = 'api' | 'media' | 'lite';

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  fn: FunctionName;
  /** Whether the unauthenticated may call it: the pipeline authenticates every other route. */
  open?: boolean;
}

export const ROUTES = [
  { method: 'GET', path: '/api/healthcheck', fn: 'api', open: true },
  { method: 'GET', path: '/api/openapi.json', fn: 'api', open: true },
  { method: 'POST', path: '/api/authorize/auth', fn: 'api', open: true },
  // Refresh works after the access token expired (that is what it is for): expire_token is the credential, the header optional.
  { method: 'POST', path: '/api/authorize/refresh', fn: 'api', open: true },
  { method: 'POST', path: '/api/authorize/logout', fn: 'api' },
  { method: 'GET', path: '/api/config', fn: 'api' },
  { method: 'GET', path: '/api/audit', fn: 'api' },
  // SDK event sessions (5.2.0 lists them; the POST that records them is ours: layers/core/event-sessions.ts).
  { method: 'GET', path: '/api/event_sessions', fn: 'api' },
  { method: 'POST', path: '/api/event_sessions', fn: 'api' },
  // Without a user id: a CLIENT SERVICE user's own service token (6.0.1).
  { method: 'GET', path: '/api/authorize/service_token', fn: 'api' },
  { method: 'POST', path: '/api/authorize/service_token', fn: 'api' },
  { method: 'GET', path: '/api/authorize/service_token/{user_id}', fn: 'api' },
  { method: 'POST', path: '/api/authorize/service_token/{user_id}', fn: 'api' },
  { method: 'POST', path: '/api/companies', fn: 'api' },
  { method: 'GET', path: '/api/companies', fn: 'api' },
  { method: 'GET', path: '/api/companies/{company_id}', fn: 'api' },
  { method: 'PATCH', path: '/api/companies/{company_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/companies/{company_id}', fn: 'api' },
  { method: 'GET', path: '/api/companies/{company_id}/webhook_secret', fn: 'api' },
  { method: 'POST', path: '/api/companies/{company_id}/webhook_secret', fn: 'api' },
  // Metering (layers/core/metering.ts): usage counts and amounts, and the monthly quota.
  { method: 'GET', path: '/api/usage', fn: 'api' },
  // Statistics for the console (layers/core/statistics.ts): time series computed from the analyses.
  { method: 'GET', path: '/api/statistics', fn: 'api' },
  { method: 'GET', path: '/api/companies/{company_id}/usage_quota', fn: 'api' },
  { method: 'PUT', path: '/api/companies/{company_id}/usage_quota', fn: 'api' },
  { method: 'POST', path: '/api/users', fn: 'api' },
  { method: 'GET', path: '/api/users', fn: 'api' },
  { method: 'GET', path: '/api/users/{user_id}', fn: 'api' },
  { method: 'PATCH', path: '/api/users/{user_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/users/{user_id}', fn: 'api' },
  { method: 'POST', path: '/api/users/{user_id}/change-password', fn: 'api' },
  { method: 'GET', path: '/api/users/{user_id}/sessions', fn: 'api' },
  { method: 'DELETE', path: '/api/users/{user_id}/sessions/{session_id}', fn: 'api' },
  { method: 'PATCH', path: '/api/folders/{folder_id}/meta_data', fn: 'api' },
  { method: 'PATCH', path: '/api/media/{media_id}/meta_data', fn: 'api' },
  { method: 'PATCH', path: '/api/analyses/{analysis_id}/meta_data', fn: 'api' },
  { method: 'PATCH', path: '/api/collections/{collection_id}/meta_data', fn: 'api' },
  { method: 'PATCH', path: '/api/collections/{collection_id}/persons/{person_id}/meta_data', fn: 'api' },
  { method: 'POST', path: '/api/folders', fn: 'media' },
  { method: 'GET', path: '/api/folders', fn: 'api' },
  { method: 'GET', path: '/api/folders/{folder_id}', fn: 'api' },
  { method: 'PATCH', path: '/api/folders/{folder_id}', fn: 'api' },
  // Deleting a folder or a folder's media deletes files: the media function has that right.
  { method: 'DELETE', path: '/api/folders/{folder_id}', fn: 'media' },
  { method: 'DELETE', path: '/api/media/{media_id}', fn: 'media' },
  // A media's snapshot (4.0.2) is decoded from its bytes: the media function has ffmpeg and sharp.
  { method: 'GET', path: '/api/media/{media_id}/snapshot', fn: 'media' },
  { method: 'POST', path: '/api/media/{media_id}/snapshot', fn: 'media' },
  { method: 'POST', path: '/api/folders/{folder_id}/media', fn: 'media' },
  // Clearing personal information deletes files: the media function has that right, the zip API not.
  { method: 'DELETE', path: '/api/folders/{folder_id}/pi', fn: 'media' },
  // The pre-5.x name of the same call (changelog: delete_pi became DELETE .../pi).
  { method: 'POST', path: '/api/folders/{folder_id}/delete_pi', fn: 'media' },
  { method: 'POST', path: '/api/instant/folders', fn: 'media', open: true },
  { method: 'POST', path: '/api/uploads', fn: 'api' },
  { method: 'POST', path: '/api/folders/{folder_id}/analyses', fn: 'api' },
  { method: 'GET', path: '/api/folders/{folder_id}/analyses', fn: 'api' },
  { method: 'GET', path: '/api/folders/{folder_id}/webhooks', fn: 'api' },
  { method: 'GET', path: '/api/media/{media_id}', fn: 'api' },
  { method: 'GET', path: '/api/analyses/{analysis_id}', fn: 'api' },
  { method: 'PATCH', path: '/api/analyses/{analysis_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/analyses/{analysis_id}', fn: 'media' },
  { method: 'POST', path: '/api/collections', fn: 'api' },
  { method: 'GET', path: '/api/collections', fn: 'api' },
  { method: 'GET', path: '/api/collections/{collection_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/collections/{collection_id}', fn: 'media' },
  { method: 'POST', path: '/api/collections/{collection_id}/persons', fn: 'media' },
  { method: 'GET', path: '/api/collections/{collection_id}/persons', fn: 'api' },
  { method: 'GET', path: '/api/collections/{collection_id}/persons/{person_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/collections/{collection_id}/persons/{person_id}', fn: 'media' },
  { method: 'POST', path: '/api/collections/{collection_id}/persons/{person_id}/images', fn: 'media' },
  { method: 'GET', path: '/api/collections/{collection_id}/persons/{person_id}/images', fn: 'api' },
  { method: 'DELETE', path: '/api/collections/{collection_id}/persons/{person_id}/images/{media_id}', fn: 'media' },
  // Report templates, their attachments and folder reports (layers/core/reports). Uploads, PDF
  // generation and deletions run on the media function: it has sharp and may write and delete files.
  { method: 'POST', path: '/api/report_templates', fn: 'api' },
  { method: 'GET', path: '/api/report_templates', fn: 'api' },
  { method: 'GET', path: '/api/report_templates/{report_template_id}', fn: 'api' },
  { method: 'PATCH', path: '/api/report_templates/{report_template_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/report_templates/{report_template_id}', fn: 'media' },
  { method: 'POST', path: '/api/report_templates/{report_template_id}/attachments', fn: 'media' },
  { method: 'GET', path: '/api/report_templates/{report_template_id}/attachments', fn: 'api' },
  { method: 'DELETE', path: '/api/report_templates/{report_template_id}/attachments/{attachment_id}', fn: 'media' },
  { method: 'POST', path: '/api/folders/{folder_id}/reports', fn: 'media' },
  { method: 'GET', path: '/api/folders/{folder_id}/reports', fn: 'api' },
  { method: 'GET', path: '/api/reports/{report_id}', fn: 'api' },
  { method: 'DELETE', path: '/api/reports/{report_id}', fn: 'media' },
  // API Lite (deprecated in the documents, still called): its own function with the models.
  { method: 'GET', path: '/version', fn: 'lite', open: true },
  { method: 'GET', path: '/v1/face/pattern/health', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/extract', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/compare', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/verify', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/extract_and_compare', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/compare_n', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/verify_n', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/pattern/extract_and_compare_n', fn: 'lite', open: true },
  { method: 'GET', path: '/v1/face/liveness/health', fn: 'lite', open: true },
  { method: 'POST', path: '/v1/face/liveness/detect', fn: 'lite', open: true },
] as const satisfies readonly RouteDef[];

export type RouteKey = `${(typeof ROUTES)[number]['method']} ${(typeof ROUTES)[number]['path']}`;

/**
 * HTTP API routes cannot end with "/", and clients call every path with and without one: each
 * route gets a twin "<path>/{proxy+}" whose handler accepts only an empty remainder.
 */
export const TRAILING_SLASH_SUFFIX = '/{proxy+}';

export const routeKeyOf = (r: RouteDef) => `${r.method} ${r.path}`;
