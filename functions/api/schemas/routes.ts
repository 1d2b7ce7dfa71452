// One entry per route of route-table.ts: what it takes (path, query, body) and what it answers per
// status. The router validates requests with these schemas, scripts/openapi.ts writes the OpenAPI
// document from them, and the contract test checks every e2e answer against that document.
// test/unit/openapi.test.ts fails when a route of the table has no entry here.
import { z } from 'zod';
import type { RouteKey } from '../route-table';
import * as O from './objects';
import { jsonObject } from './objects';
import { request } from './registry';
import { ReportTemplateContent, ReportTemplatePatch } from '../../../layers/core/reports/template';
import { LIMITS } from '../../../layers/core/limits';
import { UPLOAD_ID } from '../../../layers/core/uploads';
import { ErrorCode } from '../../../layers/core/errors';
import { epoch, flag, paging, seconds, wholeNumber, windowsInOrder } from './query';
import { EVENT_SESSION_ID, EVENT_SESSION_LIMITS, SORTINGS } from '../../../layers/core/event-sessions';
import { DEFAULT_STAT_DAYS, MAX_STAT_DAYS } from '../../../layers/core/statistics';
import { DECISIONS, MAX_OPERATOR_TEXT } from '../../../layers/core/decisions';
import { FLAG_NAMES, userTypeOf, withApi5Flags, type FlagName, type FlagsInput } from '../../../layers/core/admin';
import { USER_TYPES, type UserType } from '../../../layers/core/entities';

const META_DATA_RULES = `Keys merged into meta_data; a key set to null is removed. At most ${LIMITS.metaDataBytes / 1024} KB as stored JSON (UTF-8); no key may be "", "__proto__" or "constructor"`;
const WEBHOOK_URL_RULES =
  'Webhook URL notified when a group of analyses finishes. Judged when given (400 otherwise) and again at each delivery: http or https, no credentials, ' +
  `at most ${LIMITS.urlChars} characters, and no loopback, private, link-local, metadata or reserved address (IPv4-mapped and IPv4-compatible IPv6 forms included; loopback and private ones are allowed with OZ_WEBHOOK_ALLOW_PRIVATE=true)`;

/** A JSON body. Read the way jsonBody() reads it: any Content-Type, urlencoded forms too. */
export interface JsonBodySpec {
  kind: 'json';
  schema: z.ZodType;
  required: boolean;
}
/** multipart/form-data (documented, not validated here: the upload functions parse the parts, the payload part with UploadPayloadPart). */
export interface MultipartSpec {
  kind: 'multipart';
  schema: z.ZodType;
  /** the same request as a JSON body (presigned uploads named under "media:uploads") */
  json?: z.ZodType;
}
/** A raw body (API Lite images and templates): JSON Schemas per media type. */
export interface RawSpec {
  kind: 'raw';
  content: Record<string, z.ZodType>;
}

export interface ResponseSpec {
  description: string;
  /** application/json */
  json?: z.ZodType;
  /** other media types (API Lite templates, verify's multipart answer) */
  content?: Record<string, z.ZodType>;
}

export interface RouteSchema {
  summary: string;
  tag: string;
  description?: string;
  query?: z.ZodObject;
  body?: JsonBodySpec | MultipartSpec | RawSpec;
  /** the success answers; the error answers are added per family (Oz or API Lite) */
  responses: Record<string, ResponseSpec>;
  /** uploads: 413 when the body is over the direct-upload limit */
  tooLarge?: boolean;
}

// ---- request bodies ------------------------------------------------------------------------

const email = () => z.string().meta({ description: 'e-mail address', examples: ['user@example.com'] });

const AuthRequest = request('AuthRequest', z.object({ credentials: z.object({ email: email(), password: z.string() }) }));
const RefreshRequest = request('RefreshRequest', z.object({ expire_token: z.string().meta({ description: 'The expire_token of the pair to replace' }) }));
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** A new user's e-mail address, trimmed (the documents' own example has spaces around it). */
const newEmail = (name: string) =>
  z
    .string()
    .trim()
    .regex(EMAIL, { error: `${name} must be an email address` })
    .max(LIMITS.emailChars, { error: `${name} is at most ${LIMITS.emailChars} characters` })
    .meta({ description: 'e-mail address', examples: ['user@example.com'] });
const CompanyCreate = request(
  'CompanyCreate',
  z.object({
    name: z
      .string()
      .trim()
      .refine((name) => name !== '', { error: '"name" is required', params: { error_code: ErrorCode.INVALID_STRUCTURE } })
      .refine((name) => name.length <= LIMITS.nameChars, { error: `"name" is at most ${LIMITS.nameChars} characters` })
      .meta({ description: `Company name (1 to ${LIMITS.nameChars} characters)`, maxLength: LIMITS.nameChars }),
    meta_data: jsonObject().optional().meta({ description: "The company's meta_data from the start" }),
  }),
);

/** A user's name field: trimmed, at most LIMITS.nameChars characters. */
const nameField = (name: string) => {
  const error = `${name} must be a string of at most ${LIMITS.nameChars} characters`;
  return z.string({ error }).max(LIMITS.nameChars, { error }).trim().optional();
};
const boolField = (name: string) => z.boolean({ error: `${name} must be true or false` }).optional();
// Client quirk (the documents show both, API 5 and 6): can_start_analyse_* is the old spelling of
// can_start_analysis_*, and can_start_analyze_* is taken too. The schemas fold them into the stored name.
const FLAG_SPELLINGS = ['analysis', 'analyse', 'analyze'] as const;
type FlagKey = `can_start_${(typeof FLAG_SPELLINGS)[number]}_${FlagName}`;
const flagKey = (spelling: (typeof FLAG_SPELLINGS)[number], name: FlagName): FlagKey => `can_start_${spelling}_${name}`;
const FLAG_KEYS = FLAG_SPELLINGS.flatMap((s) => FLAG_NAMES.map((n) => flagKey(s, n)));
const flagFields = Object.fromEntries(
  FLAG_SPELLINGS.flatMap((s) =>
    FLAG_NAMES.map((n) => [flagKey(s, n), boolField(flagKey(s, n)).meta(s === 'analysis' ? {} : { description: `Same as can_start_analysis_${n}` })]),
  ),
) as Record<FlagKey, ReturnType<typeof boolField>>;
// Client quirk: user_type in any case, with spaces for underscores ("client admin").
const userType = z
  .string()
  .transform((raw, ctx) => {
    const type = userTypeOf(raw);
    if (type) return type;
    ctx.issues.push({ code: 'custom', input: raw, message: `user_type "${raw}" is unknown: use one of ${USER_TYPES.join(', ')}`, params: { error_code: ErrorCode.INVALID_VALUE } });
    return z.NEVER;
  })
  .meta({ description: `${USER_TYPES.join(', ')} (any case)` });
// Client quirk (API 5): a CLIENT with is_admin is a CLIENT_ADMIN, with is_service a CLIENT_SERVICE.
const api5Flags = {
  is_admin: boolField('is_admin').meta({ description: 'API 5: CLIENT with is_admin is CLIENT_ADMIN' }),
  is_service: boolField('is_service').meta({ description: 'API 5: CLIENT with is_service is CLIENT_SERVICE' }),
};
/** A user body as the core takes it: user_type with the API 5 flags applied, the flags under their stored names, the rest as it came. */
function userFields<T extends { user_type?: UserType; is_admin?: boolean; is_service?: boolean } & Partial<Record<FlagKey, boolean>>>(body: T) {
  const rest: Record<string, unknown> = { ...body };
  for (const key of [...FLAG_KEYS, 'is_admin', 'is_service']) delete rest[key];
  const flags: FlagsInput = {};
  for (const name of FLAG_NAMES) {
    const value = FLAG_SPELLINGS.map((s) => body[flagKey(s, name)]).find((v) => v !== undefined);
    if (value !== undefined) flags[`can_start_analysis_${name}`] = value;
  }
  const user_type = body.user_type && withApi5Flags(body.user_type, body);
  return { ...(rest as Omit<T, FlagKey | 'is_admin' | 'is_service' | 'user_type'>), ...flags, ...(user_type ? { user_type } : {}) };
}
/** An object, or null for none; a wrong type is a wrong value (4), as it always was. */
const objectOrNone = (name: string) => z.union([jsonObject(), z.null()], { error: `${name} must be a JSON object` }).optional();

const UserCreate = request(
  'UserCreate',
  z.object({
    credentials: z.looseObject({
      email: newEmail('credentials.email'),
      password: z.string().meta({ description: 'The password policy of GET /api/config: OZ_PASSWORD_MIN_LENGTH (8) to 256 characters, a letter and a digit, not the email' }),
    }),
    profile: z
      .looseObject({
        company_id: z.string().trim().optional().meta({ description: "Default: the caller's company" }),
        user_type: userType.default('CLIENT').meta({ description: `${USER_TYPES.join(', ')} (any case; default CLIENT)` }),
        first_name: nameField('profile.first_name'),
        last_name: nameField('profile.last_name'),
        middle_name: nameField('profile.middle_name'),
        is_active: boolField('profile.is_active'),
        ...api5Flags,
        ...flagFields,
        meta_data: objectOrNone('profile.meta_data').meta({ description: "The user's meta_data from the start" }),
        technical_meta_data: objectOrNone('profile.technical_meta_data').meta({ description: "The user's technical_meta_data" }),
      })
      .transform((profile) => ({ ...userFields(profile), user_type: withApi5Flags(profile.user_type, profile) })),
  }),
);
const UserPatch = request(
  'UserPatch',
  z
    .looseObject({
      first_name: nameField('first_name'),
      last_name: nameField('last_name'),
      middle_name: nameField('middle_name'),
      email: newEmail('email').optional(),
      user_type: userType.optional().meta({ description: 'Not your own; ADMIN and OPERATOR only by ADMIN (with is_admin / is_service as on create)' }),
      ...api5Flags,
      is_active: boolField('is_active').meta({ description: 'false blocks the user: every request answers 401/1401' }),
      company_id: z.string().trim().min(1, { error: 'company_id must be a company id' }).optional().meta({ description: 'Moves the user (ADMIN only); their sessions end' }),
      meta_data: jsonObject().optional().meta({ description: 'Keys merged into meta_data; a key set to null is removed' }),
      technical_meta_data: jsonObject().optional().meta({ description: 'Keys merged into technical_meta_data, like meta_data' }),
      ...flagFields,
    })
    .transform(userFields),
  'Only the fields sent change. Not your own user_type, is_active, company_id or flags. Passwords: change-password.',
);
const CompanyPatch = request(
  'CompanyPatch',
  z.object({
    name: z
      .string()
      .trim()
      .min(1, { error: '"name" must be a non-empty string' })
      .max(LIMITS.nameChars, { error: `"name" is at most ${LIMITS.nameChars} characters` })
      .optional()
      .meta({ description: `1 to ${LIMITS.nameChars} characters` }),
    meta_data: jsonObject().optional().meta({ description: 'Keys merged into meta_data; a key set to null is removed' }),
  }),
  'technical_meta_data and in_deletion are not changed here.',
);
const PasswordFields = z.looseObject({
  old_password: z.string().optional().meta({ description: 'Required for your own password' }),
  new_password: z.string().optional().meta({ description: 'The new password (see GET /api/config password_policy)' }),
  password: z.string().optional().meta({ description: 'Same as new_password' }),
});
// Client quirk: the fields inside "credentials" (as the documents show) or at the top level (the console).
const PasswordChange = request(
  'PasswordChange',
  z
    .looseObject({ ...PasswordFields.shape, credentials: PasswordFields.optional() })
    .transform((body, ctx) => {
      const source = body.credentials ?? body;
      const fresh = source.new_password ?? source.password;
      if (fresh !== undefined) return { old_password: source.old_password, new_password: fresh };
      ctx.issues.push({ code: 'custom', input: body, path: ['credentials', 'new_password'], message: 'new_password is required: {"credentials": {"old_password": "...", "new_password": "..."}}', params: { error_code: ErrorCode.INVALID_STRUCTURE } });
      return z.NEVER;
    }),
  'The fields inside "credentials" or at the top level.',
);
const MetaDataPatch = request('MetaDataPatch', jsonObject().meta({ description: META_DATA_RULES }));

// For the client quirks named where they are used (test/unit/openapi.test.ts "as lenient as the
// core"): a value of another type has always been ignored, as if absent, not refused.
const ignoredUnlessString = z.preprocess((v) => (typeof v === 'string' ? v : undefined), z.string().optional());
const ignoredUnlessObject = z.preprocess((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined), jsonObject().optional());

/**
 * A folder's webhook as clients change it: a URL, or null or "" to remove it (output: null). A
 * union, not .nullable(): a wrong type answers as a wrong value (4), as it always has.
 */
const webhookChange = z
  .union([z.string().max(LIMITS.urlChars, { error: `resolution_endpoint is at most ${LIMITS.urlChars} characters` }), z.null()], {
    error: 'resolution_endpoint must be a URL string (or null to remove the webhook)',
  })
  .transform((url) => (url === '' ? null : url));

const AnalysisRequestItem = request(
  'AnalysisRequestItem',
  z.object({
    type: z.string().meta({ description: 'quality (alias liveness), biometry, collection (alias blacklist) or documents, any case' }),
    source_media: z.array(z.string()).nullable().optional().meta({ description: 'Media ids of the folder; missing means all media' }),
    params: jsonObject()
      .nullable()
      .optional()
      .meta({ description: `threshold_spoofing (QUALITY), threshold / threshold_min / threshold_max (BIOMETRY), collection_id (COLLECTION), extract_best_shot; at most ${LIMITS.paramsBytes / 1024} KB as stored JSON` }),
    meta_data: jsonObject().nullable().optional(),
  }),
);
/** At least one and at most 20 analyses in one group (an empty list is a wrong structure, 3). */
const AnalysisList = z
  .array(AnalysisRequestItem)
  .refine((list) => list.length > 0, { error: '"analyses" must be a non-empty array of {type, source_media?, params?}', params: { error_code: ErrorCode.INVALID_STRUCTURE } })
  .refine((list) => list.length <= 20, { error: 'At most 20 analyses in one request' })
  .meta({ minItems: 1, maxItems: 20 });
const AnalysesRequest = request(
  'AnalysesRequest',
  z.object({
    analyses: AnalysisList,
    params: ignoredUnlessObject.meta({ description: 'Params for every item (an item\'s own params win)' }),
    resolution_endpoint: webhookChange.optional().meta({ description: "Becomes the folder's webhook, notified when this group finishes (the Liveness, Biometry and Blacklist pages); null or \"\" removes it" }),
  }),
);
const CollectionCreate = request(
  'CollectionCreate',
  z.object({
    alias: z
      .string()
      .trim()
      .refine((alias) => alias !== '', { error: '"alias" is required', params: { error_code: ErrorCode.INVALID_STRUCTURE } })
      .refine((alias) => alias.length <= LIMITS.nameChars, { error: `alias is at most ${LIMITS.nameChars} characters` })
      .meta({ description: `e.g. blacklist (at most ${LIMITS.nameChars} characters)`, maxLength: LIMITS.nameChars }),
    // Client quirks (test/unit/openapi.test.ts): a company_id that is not a string and a meta_data
    // that is not an object have always been ignored, not refused.
    company_id: ignoredUnlessString.meta({ description: "Default: the caller's company (ADMIN may name another)" }),
    meta_data: ignoredUnlessObject,
  }),
);
const UploadCreate = request('UploadCreate', z.object({ content_type: z.string().optional().meta({ description: 'Default application/octet-stream (also for "")' }) }));
const QuotaSet = request(
  'UsageQuotaSet',
  z.object({
    // A union, not .nullable(): a wrong type answers as a wrong value (invalid value, 4), as this endpoint always has.
    monthly_analyses: z
      .union([z.int().min(0).max(1e12), z.null()], { error: 'monthly_analyses must be a whole number from 0, or null' })
      .meta({ description: 'Analyses a company may start per month; null removes the quota' }),
  }),
);
/**
 * Free text an operator writes, or null. A union, not .nullable(): a wrong type answers as a wrong
 * value (4), as it always has.
 */
const operatorText = (name: string) =>
  z.union([z.string().max(MAX_OPERATOR_TEXT, { error: `${name} is at most ${MAX_OPERATOR_TEXT} characters` }), z.null()], { error: `${name} must be a string or null` });
// Client quirk: "SUCCESS" / "DECLINED" in any case ("declined" is the same decision).
const decision = z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(DECISIONS, { error: `resolution_status must be one of ${DECISIONS.join(', ')}` }));
const AnalysisDecision = request(
  'AnalysisDecision',
  z
    .object({
      resolution_status: decision.optional().meta({ description: "The operator's decision on an OPERATOR_REQUIRED analysis (any case)" }),
      resolution: decision.optional().meta({ description: 'Same as resolution_status' }),
      comment: operatorText('comment').optional().meta({ description: `At most ${MAX_OPERATOR_TEXT} characters` }),
    })
    .refine((body) => (body.resolution_status ?? body.resolution) !== undefined, {
      error: `resolution_status must be one of ${DECISIONS.join(', ')}`,
      path: ['resolution_status'],
      params: { error_code: ErrorCode.INVALID_VALUE },
    }),
);
const FolderOperatorPatch = request(
  'FolderOperatorPatch',
  z.object({
    operator_status: operatorText('operator_status').optional().meta({ description: `At most ${MAX_OPERATOR_TEXT} characters` }),
    operator_comment: operatorText('operator_comment').optional().meta({ description: `At most ${MAX_OPERATOR_TEXT} characters` }),
    resolution_endpoint: webhookChange.optional().meta({ description: "The folder's webhook (FOLDER update right); null or \"\" removes it" }),
    user_id: z.string().optional().meta({ description: 'A new owner (changelog 3.18.0): a user of the folder\'s company whom the caller may read; FOLDER update right' }),
  }),
  // Unknown fields pass the schema: the core refuses them once it knows the caller may see the folder (404 otherwise).
  'Only these fields: any other is refused. operator_status and operator_comment need the "resolve" right of the access matrix.',
);

// Null for a payload field means none, as it always has (the Android SDK concatenates its payload
// text); a wrong type is a wrong value (4), also as it always was.
const TAG_LIST = `a list of at most ${LIMITS.tagsPerMedia} tags of at most ${LIMITS.tagChars} characters`;
const UploadPayload = request(
  'UploadPayload',
  z.object({
    'media:tags': z
      .union([z.record(z.string(), z.array(z.string().max(LIMITS.tagChars, { error: `A tag is at most ${LIMITS.tagChars} characters` })).max(LIMITS.tagsPerMedia, { error: `At most ${LIMITS.tagsPerMedia} tags per file` })), z.null()], { error: `media:tags must map each file field name to ${TAG_LIST}` })
      .optional()
      .meta({ description: `Tags per file field name (${TAG_LIST}), e.g. {"video1": ["video_selfie", "video_selfie_blank", "orientation_portrait"]}` }),
    'media:meta_data': z.union([z.record(z.string(), jsonObject()), z.null()], { error: 'media:meta_data must map each file field name to a JSON object' }).optional(),
    'folder:meta_data': objectOrNone('folder:meta_data'),
    'media:uploads': z
      .union([z.record(z.string(), z.string().regex(UPLOAD_ID, { error: 'An upload_id of POST /api/uploads' })), z.null()], { error: 'media:uploads must map each file field name to an upload_id' })
      .optional()
      .meta({ description: 'Field name -> upload_id of a presigned upload (POST /api/uploads)' }),
    'person:meta_data': objectOrNone('person:meta_data').meta({ description: 'Persons of collections only' }),
    resolution_endpoint: webhookChange.optional().meta({ description: `${WEBHOOK_URL_RULES}; null or "" for none` }),
    analyses: AnalysisList.optional().meta({ description: 'Single request / Instant API: analyses run at once, results in the answer' }),
  }),
);

/** The payload part of an upload (uploadBody's `payload`), under "payload" so that the paths of its problems name it. */
export const UploadPayloadPart = z.object({ payload: UploadPayload });

const binary = (mediaType = 'application/octet-stream') => z.string().meta({ contentMediaType: mediaType });
const jsonText = (ref: string) => z.string().meta({ contentMediaType: 'application/json', contentSchema: { $ref: `#/components/schemas/${ref}` } });

const SnapshotRequest = request('SnapshotRequest', z.object({ time: z.number().min(0).optional().meta({ description: 'Seconds into the video (default its middle; videos only)' }) }));
const L = EVENT_SESSION_LIMITS;
const EventSessionEvents = request(
  'EventSessionEvents',
  z.object({
    session_id: z
      .string()
      .regex(EVENT_SESSION_ID, { error: `session_id must be 1 to ${L.sessionIdChars} letters, digits or . _ : -` })
      .max(Math.min(L.sessionIdChars, LIMITS.idChars), { error: `session_id must be 1 to ${L.sessionIdChars} letters, digits or . _ : -` })
      .optional()
      .meta({ description: `The SDK's session id: 1 to ${L.sessionIdChars} letters, digits or . _ : - (default: a new UUID)` }),
    events: z
      .array(
        z
          .object({
            event: z.string().optional().meta({ description: `What happened (1 to ${L.eventChars} characters); required unless given as "type"` }),
            type: z.string().optional().meta({ description: 'The same as event (some SDKs name it so)' }),
            time: z.number().min(0, { error: 'time must be epoch seconds' }).optional().meta({ description: 'Epoch seconds (or milliseconds); default: when it arrived' }),
            data: jsonObject().optional().meta({ description: `At most ${L.eventDataBytes / 1024} KB as stored JSON` }),
          })
          .refine((e) => { const name = e.event ?? e.type; return name !== undefined && name.length > 0 && name.length <= L.eventChars; }, { error: `event must be a string of 1 to ${L.eventChars} characters`, path: ['event'], params: { error_code: ErrorCode.INVALID_VALUE } }),
      )
      .refine((list) => list.length > 0, { error: 'events must be a non-empty array of {"event": "...", "time": <epoch seconds>, "data": {...}}', params: { error_code: ErrorCode.INVALID_STRUCTURE } })
      .refine((list) => list.length <= L.eventsPerRequest, { error: `At most ${L.eventsPerRequest} events per request` })
      .meta({ minItems: 1, maxItems: L.eventsPerRequest }),
    meta_data: jsonObject().optional().meta({ description: 'Kept from the first request of the session' }),
  }),
);
const MediaUpload = request(
  'MediaUpload',
  z
    .object({ payload: jsonText('UploadPayload').optional().meta({ description: 'JSON: media:tags, media:meta_data, folder:meta_data, resolution_endpoint, analyses...' }) })
    .catchall(binary().meta({ description: 'Files under any field names (images, videos, ZIP shot sets)' })),
);
const LiteParts = (names: string[], many?: string) =>
  z
    .object(Object.fromEntries(names.map((n) => [n, binary()])))
    .extend(many ? { [many]: z.array(binary()).meta({ description: 'Repeat the part; each with a filename, answered back in results[].filename' }) } : {});

// Open here like every request schema: the core refuses unknown fields once it has checked who may
// touch the template, so another company's template answers 404 whatever the body holds.
const ReportTemplateCreate = request(
  'ReportTemplateCreate',
  ReportTemplateContent.omit({ logo_attachment_id: true, header_attachment_id: true })
    .extend({ company_id: z.string().optional().meta({ description: "ADMIN and OPERATOR: the company it is for (default: the caller's)" }) })
    .loose(),
);
const ReportTemplatePatchBody = request('ReportTemplatePatch', ReportTemplatePatch.loose());
const AttachmentUpload = request(
  'ReportTemplateAttachmentUpload',
  z
    .object({ payload: z.string().optional().meta({ description: 'JSON {"kind": "logo" | "header"} (default: the file part\'s field name)' }) })
    .catchall(binary().meta({ description: 'One JPEG, PNG or WebP image, at most 2 MB and 4096 px a side' })),
);
const ReportCreate = request(
  'ReportCreate',
  z.object({ report_template_id: z.string().optional().meta({ description: 'Default: the built-in default template' }) }),
);

// ---- answers -------------------------------------------------------------------------------

const ok = (json: z.ZodType, description = 'OK'): Record<string, ResponseSpec> => ({ '200': { description, json } });
const created = (json: z.ZodType, description = 'Created'): Record<string, ResponseSpec> => ({ '201': { description, json } });
const noContent: Record<string, ResponseSpec> = { '204': { description: 'Deleted' } };
const metaPatch = (json: z.ZodType, what: string) => ({
  summary: `Merge keys into a ${what}'s meta_data`,
  tag: 'Metadata',
  body: { kind: 'json' as const, schema: MetaDataPatch, required: true },
  responses: ok(json),
});

const SPECS = {
  'GET /api/healthcheck': { summary: 'Health check', tag: 'Service', responses: ok(O.Health) },
  'GET /api/openapi.json': { summary: 'This OpenAPI 3.1 document', tag: 'Service', responses: ok(O.OpenApiDocument) },

  'POST /api/authorize/auth': {
    summary: 'Log in: a session token pair',
    tag: 'Authorization',
    body: { kind: 'json', schema: AuthRequest, required: true },
    responses: ok(O.Authorization),
  },
  'POST /api/authorize/refresh': {
    summary: 'A new token pair for the expire_token',
    tag: 'Authorization',
    body: { kind: 'json', schema: RefreshRequest, required: false },
    responses: ok(O.Tokens),
  },
  'POST /api/authorize/logout': { summary: "End the caller's session (both tokens)", tag: 'Authorization', responses: { '204': { description: 'Logged out' } } },
  'GET /api/config': { summary: 'Non-secret server settings: timezone, session lifetimes, password policy', tag: 'Service', responses: ok(O.Config) },
  'GET /api/event_sessions': {
    summary: 'List SDK event sessions (5.2.0)',
    tag: 'Event sessions',
    description:
      'The twelve parameters of changelog 5.2.0. Time filters take epoch seconds (values above 1e12 are milliseconds); time_created / time_updated alone name a whole second. Read by the FOLDER row of the access matrix: CLIENT their own sessions, CLIENT ADMIN their company\'s, ADMIN and OPERATOR every company\'s. An unknown parameter is a 400.',
    query: z.object({
      time_created: epoch('Sessions created in this second'),
      'time_created.min': epoch('Created at or after'),
      'time_created.max': epoch('Created at or before'),
      time_updated: epoch('Sessions whose last events arrived in this second'),
      'time_updated.min': epoch('Last events at or after'),
      'time_updated.max': epoch('Last events at or before'),
      session_id: z.string().optional().meta({ description: 'Only these sessions (comma-separated ids)' }),
      'session_id.exclude': z.string().optional().meta({ description: 'Not these sessions (comma-separated ids)' }),
      sorting: z.enum(SORTINGS).optional().meta({ description: 'Order; "-" for newest first (default -time_created)' }),
      ...paging,
      total_omit: flag('Answer without total (it is not counted)'),
    })
      .strict()
      .superRefine(windowsInOrder('time_created', 'time_updated')),
    responses: ok(O.EventSessionPage),
  },
  'POST /api/event_sessions': {
    summary: "Record an SDK's events (creates the session or appends to it)",
    tag: 'Event sessions',
    description: `Our addition: the documents list event sessions but show no way to send them. At most ${EVENT_SESSION_LIMITS.eventsPerRequest} events per request and ${EVENT_SESSION_LIMITS.eventsPerSession} per session; meta_data is kept from the first request.`,
    body: { kind: 'json', schema: EventSessionEvents, required: true },
    responses: created(O.EventSession),
  },
  'GET /api/audit': {
    summary: 'The audit log (ADMIN: every company; CLIENT ADMIN: theirs)',
    tag: 'Audit',
    query: z.object({
      object_type: z.string().optional().meta({ description: 'FOLDER, USER or COMPANY' }),
      object_id: z.string().optional().meta({ description: 'One object (needs object_type)' }),
      ...paging,
    }),
    responses: ok(O.AuditPage),
  },
  'GET /api/authorize/service_token': {
    summary: 'Issue a service token for yourself (CLIENT SERVICE)',
    tag: 'Authorization',
    description: 'Changelog 6.0.1: "To issue a service token for a user via /api/authorize/service_token/, this user must have the CLIENT SERVICE role." Other roles get 403 / 9.',
    responses: ok(O.ServiceToken),
  },
  'POST /api/authorize/service_token': {
    summary: 'Issue a service token for yourself (CLIENT SERVICE)',
    tag: 'Authorization',
    description: 'The same as GET.',
    responses: ok(O.ServiceToken),
  },
  'GET /api/authorize/service_token/{user_id}': { summary: 'Issue a service token for a user', tag: 'Authorization', responses: ok(O.ServiceToken) },
  'POST /api/authorize/service_token/{user_id}': { summary: 'Issue a service token for a user', tag: 'Authorization', responses: ok(O.ServiceToken) },

  'POST /api/companies': { summary: 'Create a company (ADMIN)', tag: 'Companies', body: { kind: 'json', schema: CompanyCreate, required: true }, responses: created(O.Company) },
  'GET /api/companies': {
    summary: 'List companies',
    tag: 'Companies',
    query: z.object({ search_text: z.string().optional().meta({ description: 'Case-insensitive part of the name' }), ...paging }),
    responses: ok(O.CompanyPage),
  },
  'GET /api/companies/{company_id}': { summary: 'Get a company', tag: 'Companies', responses: ok(O.Company) },
  'PATCH /api/companies/{company_id}': { summary: "Change a company's name or meta_data", tag: 'Companies', body: { kind: 'json', schema: CompanyPatch, required: true }, responses: ok(O.Company) },
  'DELETE /api/companies/{company_id}': {
    summary: 'Delete a company: marked in_deletion, its users blocked (401/1401)',
    tag: 'Companies',
    description: 'Its folders, media, analyses and collections are kept, readable by ADMIN and OPERATOR only.',
    responses: noContent,
  },
  'GET /api/companies/{company_id}/webhook_secret': { summary: "Read the company's webhook signing secret", tag: 'Webhooks', responses: ok(O.WebhookSecret) },
  'POST /api/companies/{company_id}/webhook_secret': { summary: "Rotate the company's webhook signing secret", tag: 'Webhooks', responses: ok(O.WebhookSecret) },
  'GET /api/usage': {
    summary: 'Usage per company, month and analysis type (ADMIN, CLIENT ADMIN)',
    tag: 'Usage',
    query: z.object({
      month: z.string().optional().meta({ description: 'YYYY-MM (not with from/to)' }),
      from: z.string().optional().meta({ description: 'First month, YYYY-MM' }),
      to: z.string().optional().meta({ description: 'Last month, YYYY-MM' }),
      company_id: z.string().optional().meta({ description: 'ADMIN: one company (default every company)' }),
    }),
    responses: ok(O.Usage),
  },
  'GET /api/statistics': {
    summary: 'Analyses per day by type and resolution, pass/decline rates, processing-time percentiles',
    tag: 'Usage',
    query: z.object({
      days: wholeNumber(`Days back, today included (1 to ${MAX_STAT_DAYS}, default ${DEFAULT_STAT_DAYS})`, 1, MAX_STAT_DAYS, DEFAULT_STAT_DAYS),
      company_id: z.string().optional().meta({ description: 'One company (ADMIN, OPERATOR); the other roles only their own (403 for another)' }),
    }),
    responses: ok(O.Statistics),
  },
  'GET /api/companies/{company_id}/usage_quota': { summary: "A company's monthly analysis quota and what is left", tag: 'Usage', responses: ok(O.UsageQuota) },
  'PUT /api/companies/{company_id}/usage_quota': {
    summary: "Set or remove a company's monthly analysis quota (ADMIN)",
    tag: 'Usage',
    description: 'Analyses beyond the quota are refused with 402.',
    body: { kind: 'json', schema: QuotaSet, required: true },
    responses: ok(O.UsageQuota),
  },

  'POST /api/users': { summary: 'Create a user', tag: 'Users', body: { kind: 'json', schema: UserCreate, required: true }, responses: created(O.User) },
  'GET /api/users': { summary: 'List users', tag: 'Users', query: z.object(paging), responses: ok(O.UserPage) },
  'GET /api/users/{user_id}': { summary: 'Get a user', tag: 'Users', responses: ok(O.User) },
  'PATCH /api/users/{user_id}': { summary: 'Change a user', tag: 'Users', body: { kind: 'json', schema: UserPatch, required: true }, responses: ok(O.User) },
  'DELETE /api/users/{user_id}': { summary: 'Delete a user and their sessions (not yourself)', tag: 'Users', responses: noContent },
  'POST /api/users/{user_id}/change-password': {
    summary: "Change a user's password; their other sessions end",
    tag: 'Users',
    body: { kind: 'json', schema: PasswordChange, required: true },
    responses: ok(O.PasswordChanged),
  },
  'GET /api/users/{user_id}/sessions': { summary: "A user's live sessions, newest first", tag: 'Users', query: z.object(paging), responses: ok(O.SessionPage) },
  'DELETE /api/users/{user_id}/sessions/{session_id}': { summary: 'End one session', tag: 'Users', responses: { '204': { description: 'Ended' } } },

  'PATCH /api/folders/{folder_id}/meta_data': metaPatch(O.FolderMeta, 'folder'),
  'PATCH /api/media/{media_id}/meta_data': metaPatch(O.MediaMeta, 'media'),
  'PATCH /api/analyses/{analysis_id}/meta_data': metaPatch(O.AnalysisMeta, 'analysis'),
  'PATCH /api/collections/{collection_id}/meta_data': metaPatch(O.CollectionMeta, 'collection'),
  'PATCH /api/collections/{collection_id}/persons/{person_id}/meta_data': metaPatch(O.PersonMeta, 'person'),

  'POST /api/folders': {
    summary: 'Create a folder with media (and, with "analyses" in the payload, run them at once)',
    tag: 'Folders',
    body: { kind: 'multipart', schema: MediaUpload, json: UploadPayload },
    responses: created(O.Folder),
    tooLarge: true,
  },
  'GET /api/folders': {
    summary: 'List folders',
    tag: 'Folders',
    query: z.object({
      ...paging,
      with_analyses: flag('Include each folder\'s analyses'),
      'time_created.min': epoch('Epoch seconds (values above 1e12 are milliseconds)'),
      'time_created.max': epoch('Epoch seconds (values above 1e12 are milliseconds)'),
      'analyse.type': z.string().optional().meta({ description: 'Folders with an analysis of this type' }),
      'analysis.type': z.string().optional().meta({ description: 'Same as analyse.type' }),
      'analyse.resolution_status': z.string().optional().meta({ description: 'Folders with an analysis in this status' }),
      'analysis.resolution_status': z.string().optional().meta({ description: 'Same as analyse.resolution_status' }),
      meta_data: z.string().optional().meta({ description: 'key==value (dotted keys for nested values), e.g. transaction_id==X' }),
      with_results_media_filter: flag('Apply the results filters below (changelog 3.32.0); without it they are refused with 400'),
      'analyse.time_created': epoch('Folders with an analysis created in this second (needs with_results_media_filter)'),
      'analyse.time_created.min': epoch('Folders with an analysis created at or after this time (needs with_results_media_filter)'),
      'analyse.time_created.max': epoch('Folders with an analysis created at or before this time (needs with_results_media_filter)'),
      results_data: z.string().optional().meta({ description: 'BIOMETRY results_data conditions, e.g. min_confidence>=0.85 (ops == != >= <= > <, comma-separated; needs with_results_media_filter)' }),
      results_media_results_data: z.string().optional().meta({ description: 'QUALITY results_media[].results_data conditions, e.g. confidence_spoofing<0.5 (needs with_results_media_filter)' }),
      'analyse.results_data': z.string().optional().meta({ description: 'DOCUMENTS results_data conditions (DOCUMENTS is not realized here: matches no folder; needs with_results_media_filter)' }),
    })
      .strict()
      .superRefine(windowsInOrder('time_created', 'analyse.time_created')),
    description: 'Every query parameter is documented here; an unknown one answers 400 / error_code 4 naming it instead of being ignored.',
    responses: ok(O.FolderPage),
  },
  'GET /api/folders/{folder_id}': { summary: 'Get a folder', tag: 'Folders', query: z.object({ with_analyses: flag('Include the analyses') }), responses: ok(O.Folder) },
  'PATCH /api/folders/{folder_id}': {
    summary: "Set a folder's operator_status / operator_comment, webhook or owner",
    tag: 'Folders',
    body: { kind: 'json', schema: FolderOperatorPatch, required: true },
    responses: ok(O.Folder, 'The folder with its analyses'),
  },
  'POST /api/folders/{folder_id}/media': {
    summary: 'Add media to a folder',
    tag: 'Folders',
    body: { kind: 'multipart', schema: MediaUpload, json: UploadPayload },
    responses: created(O.MediaList, 'The added media (an array)'),
    tooLarge: true,
  },
  'POST /api/instant/folders': {
    summary: 'Instant API: analyse media without storing anything',
    tag: 'Instant',
    description: 'Open when OZ_AUTHORIZE_DISABLED_STATELESS=true; otherwise a token is required. The ids in the answer are temporary.',
    body: { kind: 'multipart', schema: MediaUpload },
    responses: ok(O.Folder),
    tooLarge: true,
  },
  'POST /api/uploads': {
    summary: 'A presigned URL for a large upload',
    tag: 'Folders',
    body: { kind: 'json', schema: UploadCreate, required: false },
    responses: created(O.Upload),
  },
  'POST /api/folders/{folder_id}/analyses': {
    summary: 'Start analyses (one group)',
    tag: 'Analyses',
    body: { kind: 'json', schema: AnalysesRequest, required: true },
    responses: created(O.AnalysisList, 'One analysis per requested item, in request order'),
  },
  'GET /api/folders/{folder_id}/analyses': {
    summary: "A folder's analyses",
    tag: 'Analyses',
    query: z.object({ type: z.string().optional(), resolution_status: z.string().optional() }),
    responses: ok(O.AnalysisList),
  },
  'DELETE /api/folders/{folder_id}/pi': {
    summary: "Clear a folder's personal information (ADMIN, CLIENT ADMIN)",
    tag: 'Folders',
    description:
      'Deletes every stored file of the folder (uploads, best shots) and clears meta_data and identifying results; statuses and scores are kept, is_cleared becomes true. Idempotent. 409 while an analysis of the folder is PROCESSING.',
    responses: ok(O.Folder, 'The cleared folder'),
  },
  'POST /api/folders/{folder_id}/delete_pi': {
    summary: 'Clear a folder\'s personal information (the pre-5.x name of DELETE .../pi)',
    tag: 'Folders',
    responses: ok(O.Folder, 'The cleared folder'),
  },
  'GET /api/folders/{folder_id}/webhooks': { summary: "Webhook deliveries of a folder's groups", tag: 'Webhooks', responses: ok(O.WebhookDeliveryList) },
  'GET /api/media/{media_id}': { summary: 'Get a media object', tag: 'Folders', responses: ok(O.Media) },
  'GET /api/media/{media_id}/snapshot': {
    summary: "The media's snapshot, a JPEG (made at a video's middle when none was made)",
    tag: 'Folders',
    description:
      'Changelog 4.0.2 names GET and POST and nothing more; our reading is in the README ("Oz compatibility, item by item"). A photo itself, a video\'s frame (the one POST chose, else its middle), a shot set\'s first image; longest side at most 1920 px. Read by whoever may read the media; 400 / error_code 4 on a folder cleared of personal information.',
    responses: { '200': { description: 'The JPEG', content: { 'image/jpeg': binary('image/jpeg') } } },
  },
  'POST /api/media/{media_id}/snapshot': {
    summary: "(Re)make the media's snapshot, at a given second of a video",
    tag: 'Folders',
    description: 'Who may update the folder. `time` (seconds, in the body or the query) chooses the frame of a video (clamped into it; default its middle); on a photo or a shot set it is a 400.',
    query: z.object({ time: seconds('Seconds into the video (same as the body field)') }).strict(),
    body: { kind: 'json', schema: SnapshotRequest, required: false },
    responses: created(O.MediaSnapshot),
  },
  'DELETE /api/folders/{folder_id}': {
    summary: 'Delete a folder with its media and analyses (ADMIN, CLIENT ADMIN)',
    tag: 'Folders',
    description:
      'Changelog 3.10.0: only ADMIN and CLIENT ADMIN delete folders (403 / error_code 9 for the other roles). Every file (uploads, best shots, action shots, thumbnails), record, id pointer and collection link of the folder goes. 409 (error_code 4, details.processing_analyses) while an analysis of the folder is PROCESSING.',
    responses: noContent,
  },
  'DELETE /api/media/{media_id}': {
    summary: "Delete a folder's media (ADMIN, CLIENT ADMIN)",
    tag: 'Folders',
    description:
      'Changelog 3.10.0: only ADMIN and CLIENT ADMIN delete folder media (403 / error_code 9 for the other roles). The file and the output images made from the media (best shots) go; analyses stay and no longer list it. 409 while an analysis of the folder is PROCESSING.',
    responses: noContent,
  },
  'GET /api/analyses/{analysis_id}': { summary: 'Get an analysis (poll until state is not PROCESSING)', tag: 'Analyses', responses: ok(O.Analysis) },
  'PATCH /api/analyses/{analysis_id}': {
    summary: "An operator's decision on an OPERATOR_REQUIRED analysis",
    tag: 'Analyses',
    body: { kind: 'json', schema: AnalysisDecision, required: true },
    responses: ok(O.Analysis, 'The analysis with resolution_operator'),
  },
  'DELETE /api/analyses/{analysis_id}': { summary: 'Delete an analysis', tag: 'Analyses', responses: noContent },

  'POST /api/collections': { summary: 'Create a collection', tag: 'Collections', body: { kind: 'json', schema: CollectionCreate, required: true }, responses: created(O.Collection) },
  'GET /api/collections': { summary: 'List collections', tag: 'Collections', responses: ok(O.CollectionList) },
  'GET /api/collections/{collection_id}': { summary: 'Get a collection', tag: 'Collections', responses: ok(O.Collection) },
  'DELETE /api/collections/{collection_id}': { summary: 'Delete a collection', tag: 'Collections', responses: noContent },
  'POST /api/collections/{collection_id}/persons': {
    summary: 'Add a person with photos',
    tag: 'Collections',
    body: { kind: 'multipart', schema: MediaUpload },
    responses: created(O.Person),
    tooLarge: true,
  },
  'GET /api/collections/{collection_id}/persons': { summary: 'List persons', tag: 'Collections', responses: ok(O.PersonList) },
  'GET /api/collections/{collection_id}/persons/{person_id}': { summary: 'Get a person with images', tag: 'Collections', responses: ok(O.Person) },
  'DELETE /api/collections/{collection_id}/persons/{person_id}': { summary: 'Delete a person', tag: 'Collections', responses: noContent },
  'POST /api/collections/{collection_id}/persons/{person_id}/images': {
    summary: 'Add photos to a person',
    tag: 'Collections',
    body: { kind: 'multipart', schema: MediaUpload },
    responses: created(O.PersonImageList),
    tooLarge: true,
  },
  'GET /api/collections/{collection_id}/persons/{person_id}/images': { summary: "A person's photos", tag: 'Collections', responses: ok(O.PersonImageList) },
  'DELETE /api/collections/{collection_id}/persons/{person_id}/images/{media_id}': { summary: "Delete a person's photo", tag: 'Collections', responses: noContent },

  'POST /api/report_templates': {
    summary: 'Create a report template',
    tag: 'Reports',
    description: 'The template format (version 1) is described in the README under "Reports". Attachments are uploaded to the template afterwards.',
    body: { kind: 'json', schema: ReportTemplateCreate, required: true },
    responses: created(O.ReportTemplate),
  },
  'GET /api/report_templates': { summary: 'List report templates (the built-in ones first)', tag: 'Reports', responses: ok(O.ReportTemplateList) },
  'GET /api/report_templates/{report_template_id}': { summary: 'Get a report template', tag: 'Reports', responses: ok(O.ReportTemplate) },
  'PATCH /api/report_templates/{report_template_id}': {
    summary: 'Change a report template',
    tag: 'Reports',
    body: { kind: 'json', schema: ReportTemplatePatchBody, required: true },
    responses: ok(O.ReportTemplate),
  },
  'DELETE /api/report_templates/{report_template_id}': { summary: 'Delete a report template and its attachments', tag: 'Reports', responses: noContent },
  'POST /api/report_templates/{report_template_id}/attachments': {
    summary: 'Attach a logo or header image to a template',
    tag: 'Reports',
    description: 'A template without an image of that kind starts using it at once. Over 2 MB: 413; not a JPEG, PNG or WebP image: 400 (code 5).',
    body: { kind: 'multipart', schema: AttachmentUpload },
    responses: created(O.ReportTemplateAttachment),
    tooLarge: true,
  },
  'GET /api/report_templates/{report_template_id}/attachments': { summary: "A template's attachments", tag: 'Reports', responses: ok(O.ReportTemplateAttachmentList) },
  'DELETE /api/report_templates/{report_template_id}/attachments/{attachment_id}': { summary: 'Delete a template attachment', tag: 'Reports', responses: noContent },
  'POST /api/folders/{folder_id}/reports': {
    summary: "Generate a folder's PDF report",
    tag: 'Reports',
    description: 'Renders the folder as it is now with the template given (or the default) and answers the report with a short-lived download URL.',
    body: { kind: 'json', schema: ReportCreate, required: false },
    responses: created(O.Report),
  },
  'GET /api/folders/{folder_id}/reports': { summary: "A folder's reports", tag: 'Reports', responses: ok(O.ReportList) },
  'GET /api/reports/{report_id}': { summary: 'Get a report with a fresh download URL', tag: 'Reports', responses: ok(O.Report) },
  'DELETE /api/reports/{report_id}': { summary: 'Delete a report', tag: 'Reports', responses: noContent },

  // ---- API Lite -----------------------------------------------------------------------------
  'GET /version': { summary: 'Versions of the product, the runtime and the models', tag: 'API Lite', responses: ok(O.LiteVersion) },
  'GET /v1/face/pattern/health': { summary: 'Biometric processor health', tag: 'API Lite', responses: ok(O.LiteHealth) },
  'POST /v1/face/pattern/extract': {
    summary: 'The face template of an image',
    tag: 'API Lite',
    description: 'Send Content-Transfer-Encoding: base64 to send and receive base64 text.',
    body: { kind: 'raw', content: { 'image/jpeg': binary('image/jpeg'), 'image/png': binary('image/png') } },
    responses: { '200': { description: 'The template (2,068 bytes; base64 text when asked)', content: { 'application/octet-stream': binary() } } },
  },
  'POST /v1/face/pattern/compare': {
    summary: 'Compare two templates',
    tag: 'API Lite',
    body: { kind: 'multipart', schema: LiteParts(['bio_feature', 'bio_template']) },
    responses: ok(O.LiteScore),
  },
  'POST /v1/face/pattern/verify': {
    summary: 'Compare an image with a template',
    tag: 'API Lite',
    body: { kind: 'multipart', schema: LiteParts(['sample', 'bio_template']) },
    responses: {
      '200': {
        description: 'multipart/form-data: a "score" part ({"score"}) and a "bio_feature" part (the sample\'s template)',
        content: { 'multipart/form-data': z.object({ score: jsonText('LiteScore'), bio_feature: binary() }) },
      },
    },
  },
  'POST /v1/face/pattern/extract_and_compare': {
    summary: 'Compare the faces of two images',
    tag: 'API Lite',
    body: { kind: 'multipart', schema: LiteParts(['sample_1', 'sample_2']) },
    responses: ok(O.LiteScore),
  },
  'POST /v1/face/pattern/compare_n': {
    summary: 'Compare a template with N templates',
    tag: 'API Lite',
    body: { kind: 'multipart', schema: LiteParts(['template_1'], 'templates_n') },
    responses: ok(O.LiteResults),
  },
  'POST /v1/face/pattern/verify_n': {
    summary: 'Compare an image with N templates',
    tag: 'API Lite',
    body: { kind: 'multipart', schema: LiteParts(['sample_1'], 'templates_n') },
    responses: ok(O.LiteResults),
  },
  'POST /v1/face/pattern/extract_and_compare_n': {
    summary: 'Compare an image with N images',
    tag: 'API Lite',
    body: { kind: 'multipart', schema: LiteParts(['sample_1'], 'samples_n') },
    responses: ok(O.LiteResults),
  },
  'GET /v1/face/liveness/health': { summary: 'Liveness processor health', tag: 'API Lite', responses: ok(O.LiteHealth) },
  'POST /v1/face/liveness/detect': {
    summary: 'Liveness of an image, or of media with a payload (folder-like answer)',
    tag: 'API Lite',
    body: {
      kind: 'raw',
      content: { 'image/jpeg': binary('image/jpeg'), 'image/png': binary('image/png'), 'multipart/form-data': MediaUpload },
    },
    responses: ok(O.LiteDetect, 'An image body: {"passed", "score"}; multipart: the folder-like answer'),
  },
} satisfies Partial<Record<RouteKey, RouteSchema>>;

export const ROUTE_SCHEMAS: Partial<Record<RouteKey, RouteSchema>> = SPECS;

type Specs = typeof SPECS;
/** What the operation of route K receives as input.query: its query schema's output (nothing for routes without one). */
export type RouteQuery<K extends string> = K extends keyof Specs ? (Specs[K] extends { query: infer Q extends z.ZodType } ? z.output<Q> : NoQuery) : NoQuery;
/** The query of a route that declares none: no parameter to read. */
type NoQuery = Record<never, never>;
/** What the operation of route K receives as input.body: its JSON body schema's output (undefined without one). */
export type RouteBody<K extends string> = K extends keyof Specs
  ? Specs[K] extends { body: { kind: 'json'; schema: infer S extends z.ZodType } }
    ? z.output<S>
    : undefined
  : undefined;
