// A typed client of the Oz API: thin over fetch, with token handling the way the documents
// describe it (X-Forensic-Access-Token, refresh with the expire_token, service tokens).
import { errorFromAnswer, OzApiError } from './errors';
import { runFolderFlow, type FlowResult, type FolderFlowOptions } from './flow';
import { multipartBody, resolveFile, send, type Body, type FileSource, type ProgressFn, type ResolvedFile } from './upload';
import type {
  Analysis,
  AnalysisRequest,
  AuthResponse,
  Collection,
  Company,
  EventSession,
  EventSessionPage,
  EventSessionsQuery,
  Folder,
  JsonObject,
  Media,
  MediaSnapshot,
  Page,
  Person,
  PersonImage,
  PresignedUpload,
  Report,
  ReportTemplate,
  ReportTemplateAttachment,
  ReportTemplateContent,
  ServiceToken,
  User,
  WebhookDelivery,
} from './types';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/**
 * Files larger than this go through a presigned upload (POST /api/uploads, then a presigned POST) instead of
 * the multipart request: a Lambda request carries about 4.5 MB of file.
 */
export const DIRECT_UPLOAD_LIMIT = 4 * 1024 * 1024;

export interface Credentials {
  email: string;
  password: string;
}

export interface OzClientOptions {
  /** Defaults to http://127.0.0.1:8080, what `npm start` serves. */
  baseUrl?: string;
  /** An access token (a service token, say) to use as is. */
  token?: string;
  /** Kept in memory to authenticate again when the session has expired or was revoked. */
  credentials?: Credentials;
  /** Refresh this many seconds before expire_date (default 60). */
  refreshMarginSeconds?: number;
}

/** A media file of a folder: its multipart field, bytes or path, and its documented tags. */
export interface MediaInput extends FileSource {
  /** The multipart field name (any name works); defaults to media1, media2, ... */
  field?: string;
  tags?: string[];
  /** MIME type sent with the part; the server reads the type from the bytes anyway. */
  type?: string;
}

export interface UploadOptions {
  onProgress?: ProgressFn;
}

export interface CreateFolderOptions extends UploadOptions {
  meta_data?: JsonObject;
  /** The folder's webhook (payload "resolution_endpoint"). */
  resolution_endpoint?: string;
  /** Analyses to run synchronously in the same request (the "single request" mode). */
  analyses?: AnalysisRequest[];
}

export interface ListFoldersQuery {
  offset?: number;
  limit?: number;
  with_analyses?: boolean;
  'time_created.min'?: number;
  'time_created.max'?: number;
  'analyse.type'?: string;
  'analyse.resolution_status'?: string;
  meta_data?: string;
  /** Turns on the results filters below (changelog 3.32.0); the server refuses them without it. */
  with_results_media_filter?: boolean;
  'analyse.time_created'?: number;
  'analyse.time_created.min'?: number;
  'analyse.time_created.max'?: number;
  /** BIOMETRY results_data conditions, e.g. "min_confidence>=0.85". */
  results_data?: string;
  /** QUALITY results_media[].results_data conditions, e.g. "confidence_spoofing<0.5". */
  results_media_results_data?: string;
  /** DOCUMENTS results_data conditions. */
  'analyse.results_data'?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestInit {
  json?: unknown;
  query?: Query;
  /** false: send no token (authorize, health check). */
  auth?: boolean;
}

const withQuery = (path: string, query?: Query) => {
  const entries = Object.entries(query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  return entries.length ? `${path}?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : path;
};

const parse = <T>(text: string): T => (text === '' ? (null as T) : (JSON.parse(text) as T));

export class OzClient {
  readonly baseUrl: string;
  private accessToken: string | null;
  private expireToken: string | null = null;
  private expireDate: number | null = null;
  private credentials: Credentials | null;
  private readonly margin: number;
  private reauth: Promise<void> | null = null;
  /** The signed-in user, once login() has answered. */
  user: User | null = null;

  constructor(options: OzClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.accessToken = options.token ?? null;
    this.credentials = options.credentials ?? null;
    this.margin = options.refreshMarginSeconds ?? 60;
  }

  get token(): string | null {
    return this.accessToken;
  }

  /** The session as it could be saved and restored later (the CLI keeps it on disk). */
  get session() {
    return { access_token: this.accessToken, expire_token: this.expireToken, expire_date: this.expireDate };
  }

  /** Uses a token obtained elsewhere: a service token, or a saved session with its expire_token. */
  useToken(token: string, session: { expire_token?: string | null; expire_date?: number | null } = {}): void {
    this.accessToken = token;
    this.expireToken = session.expire_token ?? null;
    this.expireDate = session.expire_date ?? null;
  }

  // ---- authentication ----

  async login(email: string, password: string): Promise<AuthResponse> {
    const auth = await this.request<AuthResponse>('POST', '/api/authorize/auth', { json: { credentials: { email, password } }, auth: false });
    this.credentials = { email, password };
    this.adopt(auth);
    return auth;
  }

  /** A new token pair from the expire_token; the old pair stops working once the new one is used. */
  async refresh(): Promise<AuthResponse> {
    if (!this.expireToken) throw new Error('No expire_token to refresh with: log in first');
    const auth = await this.request<AuthResponse>('POST', '/api/authorize/refresh', { json: { expire_token: this.expireToken }, auth: true }, false);
    this.adopt(auth);
    return auth;
  }

  /** A long-lived token for a CLIENT SERVICE (or OPERATOR) user; ADMIN or CLIENT ADMIN only. */
  serviceToken(userId?: string): Promise<ServiceToken> {
    // Without a user id: a CLIENT SERVICE user's own token.
    return this.request('POST', userId === undefined ? '/api/authorize/service_token' : `/api/authorize/service_token/${encodeURIComponent(userId)}`);
  }

  private adopt(auth: AuthResponse) {
    this.accessToken = auth.access_token;
    this.expireToken = auth.expire_token;
    this.expireDate = auth.expire_date;
    if (auth.user) this.user = auth.user;
  }

  /** Refreshes ahead of expiry; when that fails, logs in again if the credentials are known. */
  private async ensureFresh(): Promise<void> {
    if (!this.expireToken || this.expireDate === null) return;
    if (this.expireDate - Date.now() / 1000 > this.margin) return;
    await this.renew(true);
  }

  /** One renewal at a time, shared by concurrent requests. */
  private renew(tryRefresh: boolean): Promise<void> {
    this.reauth ??= this.renewOnce(tryRefresh).finally(() => {
      this.reauth = null;
    });
    return this.reauth;
  }

  private async renewOnce(tryRefresh: boolean): Promise<void> {
    if (tryRefresh && this.expireToken) {
      try {
        await this.refresh();
        return;
      } catch (err) {
        if (!(err instanceof OzApiError) || !this.credentials) throw err;
      }
    }
    if (!this.credentials) throw new Error('The session expired and no credentials are known to log in again');
    await this.login(this.credentials.email, this.credentials.password);
  }

  // ---- transport ----

  private headers(auth: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth && this.accessToken) headers['X-Forensic-Access-Token'] = this.accessToken;
    return headers;
  }

  /** A 401 for an expired or unknown token is answered by one renewal and one retry. */
  private async withRenewal(call: () => Promise<{ status: number; text: string }>, auth: boolean, retry: boolean, method: string, path: string) {
    if (auth && retry && !this.accessToken && this.credentials) await this.renew(false);
    if (auth && retry) await this.ensureFresh();
    let answer = await call();
    if (auth && retry && answer.status === 401 && this.credentials) {
      const code = errorFromAnswer(answer.status, answer.text, method, path).error_code;
      if (code === 6 || code === 7 || code === 8) {
        await this.renew(false);
        answer = await call();
      }
    }
    if (answer.status < 200 || answer.status >= 300) throw errorFromAnswer(answer.status, answer.text, method, path);
    return answer;
  }

  /** Any endpoint: JSON in, typed JSON out, OzApiError on a non-2xx answer. */
  async request<T = unknown>(method: string, path: string, init: RequestInit = {}, retry = true): Promise<T> {
    const auth = init.auth ?? true;
    const url = this.baseUrl + withQuery(path, init.query);
    const answer = await this.withRenewal(
      async () => {
        const headers = this.headers(auth);
        if (init.json !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(url, { method, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
        return { status: res.status, text: await res.text() };
      },
      auth,
      retry,
      method,
      path,
    );
    return parse<T>(answer.text);
  }

  /** A request with files: multipart for small ones, presigned uploads for large ones. */
  private async upload<T>(path: string, media: MediaInput[], payload: JsonObject, options: UploadOptions): Promise<T> {
    const files = media.map((m, i) => ({ field: m.field ?? `media${i + 1}`, file: resolveFile(m, m.field ?? `media${i + 1}`), tags: m.tags, type: m.type }));
    const total = files.reduce((n, f) => n + f.file.size, 0);
    const tags = Object.fromEntries(files.filter((f) => f.tags).map((f) => [f.field, f.tags!]));
    const body: JsonObject = { ...payload, ...(Object.keys(tags).length ? { 'media:tags': tags } : {}) };
    // Progress counts file bytes, whichever way each file travels.
    let done = 0;
    const report = (base: number) => (loaded: number) => options.onProgress?.(Math.min(total, base + loaded), total);
    const direct = files.filter((f) => f.file.size <= DIRECT_UPLOAD_LIMIT);
    const presigned = files.filter((f) => f.file.size > DIRECT_UPLOAD_LIMIT);
    if (presigned.length) {
      const uploads: Record<string, string> = {};
      for (const f of presigned) {
        uploads[f.field] = await this.putFile(f.file, f.type, report(done));
        done += f.file.size;
      }
      body['media:uploads'] = uploads;
    }
    if (!direct.length) {
      const answer = await this.request<T>('POST', path, { json: body });
      options.onProgress?.(total, total);
      return answer;
    }
    const directBytes = direct.reduce((n, f) => n + f.file.size, 0);
    const form = multipartBody({ payload: JSON.stringify(body) }, direct);
    const base = done;
    // Multipart overhead is not file bytes: scale body progress to the files' share.
    const progress = (loaded: number, length: number) => report(base)(Math.round((loaded / length) * directBytes));
    const answer = await this.withRenewal(() => send('POST', this.baseUrl + path, this.headers(true), form, progress), true, true, 'POST', path);
    return parse<T>(answer.text);
  }

  /** POST /api/uploads, then POST the file to the presigned URL as a form; answers the upload_id. */
  private async putFile(file: ResolvedFile, type: string | undefined, onProgress: (loaded: number) => void): Promise<string> {
    const upload = await this.createUpload(type ?? 'application/octet-stream');
    if (file.size > upload.max_size) throw new Error(`${file.name} is ${file.size} bytes; presigned uploads take at most ${upload.max_size}`);
    const body: Body = multipartBody(upload.fields, [{ field: 'file', file, type: upload.fields['Content-Type'] ?? type ?? 'application/octet-stream' }]);
    // Form overhead is not file bytes: scale progress to the file's share.
    const answer = await send(upload.method, upload.upload_url, {}, body, (loaded, length) => onProgress(Math.round((loaded / length) * file.size)));
    if (answer.status < 200 || answer.status >= 300) throw new OzApiError(answer.status, 0, `The presigned upload of ${file.name} failed: ${answer.text.slice(0, 200)}`, null, 'POST', 'upload_url');
    return upload.upload_id;
  }

  /** Folder with media, analyses, wait, typed results: see flow.ts. */
  runFolderFlow(options: FolderFlowOptions): Promise<FlowResult> {
    return runFolderFlow(this, options);
  }

  // ---- endpoints ----

  healthcheck(): Promise<{ status: string }> {
    return this.request('GET', '/api/healthcheck', { auth: false });
  }

  createCompany(body: { name: string } & JsonObject): Promise<Company> {
    return this.request('POST', '/api/companies', { json: body });
  }

  getCompany(companyId: string): Promise<Company> {
    return this.request('GET', `/api/companies/${encodeURIComponent(companyId)}`);
  }

  getWebhookSecret(companyId: string): Promise<{ company_id: string; webhook_secret: string }> {
    return this.request('GET', `/api/companies/${encodeURIComponent(companyId)}/webhook_secret`);
  }

  createUser(body: { credentials: Credentials; profile: { company_id: string; user_type: User['user_type'] } & JsonObject }): Promise<User> {
    return this.request('POST', '/api/users', { json: body });
  }

  getUser(userId: string): Promise<User> {
    return this.request('GET', `/api/users/${encodeURIComponent(userId)}`);
  }

  createUpload(contentType?: string): Promise<PresignedUpload> {
    return this.request('POST', '/api/uploads', { json: contentType ? { content_type: contentType } : {} });
  }

  /** POST /api/folders: the media as multipart parts with a `payload` part holding their tags. */
  createFolder(media: MediaInput[], options: CreateFolderOptions = {}): Promise<Folder & { analyses?: Analysis[] }> {
    const payload: JsonObject = {};
    if (options.meta_data) payload['folder:meta_data'] = options.meta_data;
    if (options.resolution_endpoint) payload['resolution_endpoint'] = options.resolution_endpoint;
    if (options.analyses) payload['analyses'] = options.analyses as unknown as JsonObject[];
    return this.upload('/api/folders', media, payload, options);
  }

  addMedia(folderId: string, media: MediaInput[], options: UploadOptions = {}): Promise<Media[]> {
    return this.upload(`/api/folders/${encodeURIComponent(folderId)}/media`, media, {}, options);
  }

  getFolder(folderId: string, withAnalyses = false): Promise<Folder> {
    return this.request('GET', `/api/folders/${encodeURIComponent(folderId)}`, { query: { with_analyses: withAnalyses || undefined } });
  }

  listFolders(query: ListFoldersQuery = {}): Promise<Page<Folder>> {
    return this.request('GET', '/api/folders', { query: query as Query });
  }

  getMedia(mediaId: string): Promise<Media> {
    return this.request('GET', `/api/media/${encodeURIComponent(mediaId)}`);
  }

  /** GET /api/media/{id}/snapshot/ (4.0.2): the media's snapshot JPEG (a video's middle frame unless one was made). */
  async getMediaSnapshot(mediaId: string): Promise<Buffer> {
    const path = `/api/media/${encodeURIComponent(mediaId)}/snapshot/`;
    let bytes = Buffer.alloc(0);
    await this.withRenewal(
      async () => {
        const res = await fetch(this.baseUrl + path, { headers: { ...this.headers(true), accept: 'image/jpeg, application/json' } });
        bytes = Buffer.from(await res.arrayBuffer());
        return { status: res.status, text: res.ok ? '' : bytes.toString('utf8') };
      },
      true,
      true,
      'GET',
      path,
    );
    return bytes;
  }

  /** POST /api/media/{id}/snapshot/ (4.0.2): (re)makes the snapshot, at `time` seconds into a video. */
  createMediaSnapshot(mediaId: string, options: { time?: number } = {}): Promise<MediaSnapshot> {
    return this.request('POST', `/api/media/${encodeURIComponent(mediaId)}/snapshot/`, { json: options });
  }

  /** GET /api/event_sessions (5.2.0): SDK event sessions, by the twelve documented parameters. */
  listEventSessions(query: EventSessionsQuery = {}): Promise<EventSessionPage> {
    return this.request('GET', '/api/event_sessions', { query: query as Query });
  }

  /** POST /api/event_sessions: records an SDK's events (creates the session or appends to it). */
  recordEventSession(body: { session_id?: string; events: { event: string; time?: number; data?: JsonObject }[]; meta_data?: JsonObject }): Promise<EventSession> {
    return this.request('POST', '/api/event_sessions', { json: body });
  }

  /** Deletes a folder with its media, analyses and files (ADMIN, CLIENT ADMIN); 409 while an analysis runs. */
  deleteFolder(folderId: string): Promise<null> {
    return this.request('DELETE', `/api/folders/${encodeURIComponent(folderId)}`);
  }

  /** Deletes one media of a folder and the best shots made from it (ADMIN, CLIENT ADMIN). */
  deleteMedia(mediaId: string): Promise<null> {
    return this.request('DELETE', `/api/media/${encodeURIComponent(mediaId)}`);
  }

  /** Starts analyses on a folder; answers one analysis per request item, in order, PROCESSING. */
  startAnalyses(folderId: string, analyses: AnalysisRequest[], options: { resolution_endpoint?: string | null } = {}): Promise<Analysis[]> {
    return this.request('POST', `/api/folders/${encodeURIComponent(folderId)}/analyses`, { json: { analyses, ...options } });
  }

  /** PATCH /api/folders/{id}: operator notes, the webhook (resolution_endpoint) or a new owner (user_id). */
  patchFolder(folderId: string, fields: { operator_status?: string | null; operator_comment?: string | null; resolution_endpoint?: string | null; user_id?: string }): Promise<Folder> {
    return this.request('PATCH', `/api/folders/${encodeURIComponent(folderId)}`, { json: fields });
  }

  listAnalyses(folderId: string, query: { type?: string; resolution_status?: string } = {}): Promise<Analysis[]> {
    return this.request('GET', `/api/folders/${encodeURIComponent(folderId)}/analyses`, { query });
  }

  getAnalysis(analysisId: string): Promise<Analysis> {
    return this.request('GET', `/api/analyses/${encodeURIComponent(analysisId)}`);
  }

  deleteAnalysis(analysisId: string): Promise<null> {
    return this.request('DELETE', `/api/analyses/${encodeURIComponent(analysisId)}`);
  }

  listWebhookDeliveries(folderId: string): Promise<WebhookDelivery[]> {
    return this.request('GET', `/api/folders/${encodeURIComponent(folderId)}/webhooks`);
  }

  createCollection(alias: string, options: { company_id?: string; meta_data?: JsonObject } = {}): Promise<Collection> {
    return this.request('POST', '/api/collections', { json: { alias, ...options } });
  }

  listCollections(): Promise<Collection[]> {
    return this.request('GET', '/api/collections');
  }

  getCollection(collectionId: string): Promise<Collection> {
    return this.request('GET', `/api/collections/${encodeURIComponent(collectionId)}`);
  }

  deleteCollection(collectionId: string): Promise<null> {
    return this.request('DELETE', `/api/collections/${encodeURIComponent(collectionId)}`);
  }

  /** Enrols a person with their photos (payload "media:tags" and "person:meta_data"). */
  addPerson(collectionId: string, photos: MediaInput[], options: UploadOptions & { meta_data?: JsonObject } = {}): Promise<Person> {
    return this.upload(`/api/collections/${encodeURIComponent(collectionId)}/persons`, photos, options.meta_data ? { 'person:meta_data': options.meta_data } : {}, options);
  }

  listPersons(collectionId: string): Promise<Person[]> {
    return this.request('GET', `/api/collections/${encodeURIComponent(collectionId)}/persons`);
  }

  getPerson(collectionId: string, personId: string): Promise<Person> {
    return this.request('GET', `/api/collections/${encodeURIComponent(collectionId)}/persons/${encodeURIComponent(personId)}`);
  }

  deletePerson(collectionId: string, personId: string): Promise<null> {
    return this.request('DELETE', `/api/collections/${encodeURIComponent(collectionId)}/persons/${encodeURIComponent(personId)}`);
  }

  addPersonImages(collectionId: string, personId: string, photos: MediaInput[], options: UploadOptions = {}): Promise<PersonImage[]> {
    return this.upload(`/api/collections/${encodeURIComponent(collectionId)}/persons/${encodeURIComponent(personId)}/images`, photos, {}, options);
  }

  listPersonImages(collectionId: string, personId: string): Promise<PersonImage[]> {
    return this.request('GET', `/api/collections/${encodeURIComponent(collectionId)}/persons/${encodeURIComponent(personId)}/images`);
  }

  // Report templates and PDF reports ----------------------------------------------------------
  createReportTemplate(body: ReportTemplateContent & { company_id?: string }): Promise<ReportTemplate> {
    return this.request('POST', '/api/report_templates', { json: body });
  }

  listReportTemplates(): Promise<ReportTemplate[]> {
    return this.request('GET', '/api/report_templates');
  }

  getReportTemplate(templateId: string): Promise<ReportTemplate> {
    return this.request('GET', `/api/report_templates/${encodeURIComponent(templateId)}`);
  }

  updateReportTemplate(templateId: string, patch: Partial<ReportTemplateContent>): Promise<ReportTemplate> {
    return this.request('PATCH', `/api/report_templates/${encodeURIComponent(templateId)}`, { json: patch });
  }

  deleteReportTemplate(templateId: string): Promise<null> {
    return this.request('DELETE', `/api/report_templates/${encodeURIComponent(templateId)}`);
  }

  /** Uploads a logo or header image (JPEG, PNG or WebP, at most 2 MB) to a template. */
  addReportTemplateAttachment(templateId: string, image: MediaInput, kind: 'logo' | 'header'): Promise<ReportTemplateAttachment> {
    return this.upload(`/api/report_templates/${encodeURIComponent(templateId)}/attachments`, [{ ...image, field: kind }], { kind }, {});
  }

  listReportTemplateAttachments(templateId: string): Promise<ReportTemplateAttachment[]> {
    return this.request('GET', `/api/report_templates/${encodeURIComponent(templateId)}/attachments`);
  }

  deleteReportTemplateAttachment(templateId: string, attachmentId: string): Promise<null> {
    return this.request('DELETE', `/api/report_templates/${encodeURIComponent(templateId)}/attachments/${encodeURIComponent(attachmentId)}`);
  }

  /** Generates a folder's PDF report (the default template unless one is named). */
  createReport(folderId: string, templateId?: string): Promise<Report> {
    return this.request('POST', `/api/folders/${encodeURIComponent(folderId)}/reports`, { json: templateId ? { report_template_id: templateId } : {} });
  }

  listReports(folderId: string): Promise<Report[]> {
    return this.request('GET', `/api/folders/${encodeURIComponent(folderId)}/reports`);
  }

  getReport(reportId: string): Promise<Report> {
    return this.request('GET', `/api/reports/${encodeURIComponent(reportId)}`);
  }

  deleteReport(reportId: string): Promise<null> {
    return this.request('DELETE', `/api/reports/${encodeURIComponent(reportId)}`);
  }

  /** The PDF bytes of a report, through its short-lived URL (a fresh one is fetched when it has expired). */
  async downloadReport(report: Report): Promise<Buffer> {
    let res = await fetch(report.file_url);
    if (res.status === 403 || res.status === 400) res = await fetch((await this.getReport(report.report_id)).file_url);
    if (!res.ok) throw new Error(`downloading report ${report.report_id} answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
}
