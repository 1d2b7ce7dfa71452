// The objects the API answers with, as layers/core/views.ts shapes them and the Oz documents show
// them (old and new names side by side: analyse_id/analysis_id, can_start_analyse_*/_analysis_*).
import { z } from 'zod';
import { ANALYSIS_TYPES, USER_TYPES, type Json } from '../../../layers/core/entities';
import { response } from './registry';
import { ATTACHMENT_KINDS, REPORT_TEMPLATE_FORMAT_VERSION, ReportTemplateContent } from '../../../layers/core/reports/template';

const time = () => z.number().meta({ description: 'Epoch seconds (fractional unless OZ_INTEGER_TIMESTAMPS=true)' });
const id = (what: string) => z.string().meta({ description: `${what} id (UUID)` });
/** session_id: a UUID, or with OZ_INTEGER_TIMESTAMPS=true an integer (the Android SDK 2.0.2 parses it so); token_id keeps the UUID. */
const sessionId = () =>
  z.union([z.string(), z.int().min(0)]).meta({ description: 'Session id: a UUID, or an integer (the first 48 bits of that UUID) when OZ_INTEGER_TIMESTAMPS=true; deprecated by the documents (6.0.1) in favour of token_id' });
/** A JSON object of any keys; its values are JSON (request bodies are read by layers/core/json.ts, so they can be nothing else). */
export const jsonObject = () => z.record(z.string(), z.unknown() as z.ZodType<Json>);

// ---- errors -------------------------------------------------------------------------------

export const ErrorBody = response(
  'Error',
  z.object({
    error_code: z.int().meta({ description: 'One of "API Error Codes": 0 unknown, 1 not allowed, 2 not realized, 3 invalid structure, 4 invalid value, 5 invalid type, 6-9 authorization, 10 not found, 202 tag error, 1401 user blocked' }),
    error_message: z.string(),
    details: z.unknown().meta({ description: 'null, or what exactly was wrong (for request validation: a list of {in, path, message})' }),
  }),
  'The documented error body of every 4xx/5xx answer of the Oz API.',
);

export const LiteErrorBody = response(
  'LiteError',
  z.object({
    code: z.string().regex(/^(BPE|LDE)-\d{6}$/).meta({ description: 'BPE-* (biometric processor, /version, /v1/face/pattern) or LDE-* (/v1/face/liveness)' }),
    message: z.string(),
  }),
  "API Lite's error body (Method errors of the API Lite documents).",
);

// ---- companies, users, tokens -------------------------------------------------------------

export const Company = response(
  'Company',
  z.object({
    company_id: id('Company'),
    name: z.string(),
    in_deletion: z.boolean(),
    meta_data: jsonObject(),
    technical_meta_data: jsonObject(),
    time_created: time(),
    time_updated: time(),
  }),
);

export const User = response(
  'User',
  z.object({
    user_id: id('User'),
    company_id: id('Company'),
    user_type: z.enum(USER_TYPES),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    middle_name: z.string(),
    is_active: z.boolean(),
    is_admin: z.boolean(),
    is_service: z.boolean(),
    can_start_analysis_biometry: z.boolean(),
    can_start_analysis_quality: z.boolean(),
    can_start_analysis_collection: z.boolean(),
    can_start_analysis_documents: z.boolean(),
    can_start_analyse_biometry: z.boolean(),
    can_start_analyse_quality: z.boolean(),
    can_start_analyse_collection: z.boolean(),
    can_start_analyse_documents: z.boolean(),
    meta_data: jsonObject(),
    technical_meta_data: jsonObject().meta({ description: 'Set at creation (profile.technical_meta_data)' }),
    time_created: time(),
    time_updated: time(),
  }),
  'A user as answered: never the password hash.',
);

const page = <T extends z.ZodType>(item: T) => z.object({ total: z.int().min(0), items: z.array(item) });
export const CompanyPage = response('CompanyPage', page(Company));
export const UserPage = response('UserPage', page(User));

const tokenHex = () => z.string().regex(/^[a-z0-9]+$/).meta({ description: 'Lower-case hex (Oz health checks match it textually)' });

export const Tokens = response(
  'Tokens',
  z.object({
    access_token: tokenHex(),
    expire_token: tokenHex(),
    expire_date: time(),
    session_id: sessionId(),
    token_id: id('Token'),
  }),
  'A session: send access_token as X-Forensic-Access-Token; expire_token refreshes the pair.',
);

export const Authorization = response('Authorization', Tokens.extend({ user: User }));

export const ServiceToken = response(
  'ServiceToken',
  z.object({ token_id: id('Token'), user_id: id('User'), access_token: tokenHex(), expire_date: time(), session_id: sessionId() }),
  'A long-lived token of a CLIENT SERVICE or OPERATOR user.',
);

export const WebhookSecret = response('WebhookSecret', z.object({ company_id: id('Company'), webhook_secret: z.string() }));

export const Session = response(
  'Session',
  z.object({
    session_id: sessionId(),
    token_id: id('Token'),
    user_id: id('User'),
    time_created: time(),
    expire_date: time(),
    long_lived: z.boolean(),
    is_current: z.boolean().meta({ description: 'The session of the token that asked' }),
  }),
  'A session of a user: never its tokens.',
);
export const SessionPage = response('SessionPage', page(Session));

export const PasswordChanged = response('PasswordChanged', z.object({ user_id: id('User'), sessions_ended: z.int().min(0).meta({ description: "The user's other sessions that ended" }) }));

const PasswordPolicy = response(
  'PasswordPolicy',
  z.object({ min_length: z.int(), max_length: z.int(), require_letter: z.boolean(), require_digit: z.boolean(), differs_from_email: z.boolean() }),
  'Every new password must meet it (OZ_PASSWORD_MIN_LENGTH sets min_length).',
);

export const Config = response(
  'Config',
  z.object({
    api_version: z.string().meta({ description: 'The Oz API version whose documents the server follows' }),
    timezone: z.string().meta({ description: "The server's IANA time zone; timestamps are epoch seconds (UTC) whatever it is" }),
    utc_offset_minutes: z.int(),
    session_ttl: z.number().meta({ description: 'OZ_SESSION_TTL: seconds a session lives, extended by as much on each use' }),
    session_longlive_ttl: z.number().meta({ description: 'OZ_SESSION_LONGLIVE_TTL: seconds a service token lives' }),
    password_policy: PasswordPolicy,
    thresholds: z
      .object({
        threshold_spoofing: z.number().meta({ description: 'QUALITY: the default threshold_spoofing (OZ_THRESHOLD_SPOOFING)' }),
        biometry_threshold: z.number().meta({ description: 'BIOMETRY and COLLECTION: the default similarity threshold' }),
        biometry_operator_band: z.array(z.number()).nullable().meta({ description: 'BIOMETRY: [low, high] similarities answered OPERATOR_REQUIRED (OZ_BIOMETRY_OPERATOR_BAND), null when none' }),
      })
      .meta({ description: 'The defaults in force when an analysis names no params' }),
  }),
);

export const AuditEntry = response(
  'AuditEntry',
  z.object({
    audit_id: id('Audit entry'),
    company_id: id('Company'),
    object_type: z.enum(['FOLDER', 'USER', 'COMPANY']),
    object_id: z.string(),
    action: z.string().meta({ description: 'create, update, delete, change-password, media-added, meta_data, ...' }),
    user_id: z.string().nullable().meta({ description: 'Who: the acting user (null: the system)' }),
    email: z.string().nullable().meta({ description: "The actor's email at the time" }),
    user_type: z.enum(USER_TYPES).nullable(),
    changes: jsonObject().meta({ description: 'What changed ({field: {from, to}} for updates); never passwords or tokens' }),
    time_created: time(),
  }),
);
export const AuditPage = response(
  'AuditPage',
  z.object({ offset: z.int().min(0), limit: z.int().min(0), has_more: z.boolean().meta({ description: 'More entries after this page' }), items: z.array(AuditEntry) }),
  'Newest first.',
);

// ---- SDK event sessions (layers/core/event-sessions.ts) ----------------------------------

const SdkEvent = z.object({ event: z.string(), time: time(), data: jsonObject() });
export const EventSession = response(
  'EventSession',
  z.object({
    session_id: z.string().meta({ description: "The SDK's session id (or one made for it)" }),
    company_id: id('Company'),
    user_id: id('User').meta({ description: 'Who sent its first events' }),
    time_created: time(),
    time_updated: time().meta({ description: 'When its last events arrived' }),
    meta_data: jsonObject(),
    events_count: z.int().min(0),
    events: z.array(SdkEvent).meta({ description: 'In the order they arrived' }),
  }),
  "What an SDK reported of one capture session: its events, under the SDK's session id.",
);
export const EventSessionPage = response(
  'EventSessionPage',
  z.object({ total: z.int().min(0).optional().meta({ description: 'Sessions matching the filters; absent with total_omit=true' }), items: z.array(EventSession) }),
);

// ---- media, analyses, folders -------------------------------------------------------------

export const MediaInfo = response(
  'MediaInfo',
  z.object({
    thumb: z
      .object({ width: z.number(), height: z.number(), size: z.number(), 'mime-type': z.string() })
      .nullable()
      .meta({ description: 'The thumbnail made at upload (a JPEG, longest side 240 px: an image, a video\'s middle frame, a shot set\'s first frame); null for result images, Instant API media and cleared folders' }),
    original: z
      .object({
        md5: z.string(),
        width: z.number().optional(),
        height: z.number().optional(),
        size: z.number(),
        'mime-type': z.string(),
      })
      .optional(),
    video: z
      .object({
        duration: z.number(),
        FPS: z.number(),
        width: z.number(),
        height: z.number(),
        md5: z.string(),
        size: z.number(),
        'mime-type': z.string(),
      })
      .optional(),
  }),
);

const MEDIA_TYPES = ['IMAGE_FOLDER', 'VIDEO_FOLDER', 'SHOTS_SET', 'IMAGE_RESULT_ANALYSIS_SINGLE'] as const;

export const MediaSnapshot = response(
  'MediaSnapshot',
  z.object({
    media_id: id('Media'),
    folder_id: id('Folder'),
    time: z.number().nullable().meta({ description: 'Seconds into the video the frame was taken at; null for a photo or a shot set' }),
    width: z.int(),
    height: z.int(),
    size: z.int().meta({ description: 'Bytes of the JPEG' }),
    'mime-type': z.literal('image/jpeg'),
    snapshot_url: z.string().meta({ description: 'A short-lived URL of the JPEG (GET .../snapshot/ answers the same bytes)' }),
  }),
  "A media's snapshot: a full-size JPEG (longest side at most 1920 px) of a photo, of a video's frame, or of a shot set's first image.",
);

export const Media = response(
  'Media',
  z.object({
    media_id: id('Media'),
    folder_id: id('Folder'),
    company_id: z.string().nullable(),
    folder_time_created: time().nullable(),
    media_type: z.enum(MEDIA_TYPES),
    original_name: z.string(),
    tags: z.array(z.string()),
    info: MediaInfo,
    meta_data: jsonObject().nullable(),
    technical_meta_data: jsonObject(),
    time_created: time(),
    time_updated: time(),
    original_url: z.string().nullable().meta({ description: 'A short-lived presigned GET URL (null where nothing is stored: Instant API, API Lite)' }),
    original_info: z.object({ md5: z.string(), size: z.number(), 'mime-type': z.string() }).nullable().optional().meta({ description: "3.30.0: md5, size and mime-type of the original file (a shot set's archive)" }),
    original_local_path: z.null().optional().meta({ description: '3.30.0: always null here: files are kept in object storage (S3), never on a server disk' }),
    thumb_url: z.string().nullable().meta({ description: 'A short-lived presigned GET URL of the thumbnail JPEG (null when info.thumb is null)' }),
    image_id: z.string().optional().meta({ description: 'The media id again, for IMAGE_FOLDER and result images' }),
    video_id: z.string().optional().meta({ description: 'The media id again, for VIDEO_FOLDER' }),
    shots_set_id: z.string().optional().meta({ description: 'The media id again, for SHOTS_SET' }),
    video_url: z.string().nullable().optional(),
    media_association_id: z.string().optional().meta({ description: 'Result images: the source media they were made from' }),
    image_b64: z.string().optional().meta({ description: 'Instant API and API Lite result images: the JPEG itself, base64' }),
  }),
);
export const MediaList = response('MediaList', z.array(Media));

const RESOLUTIONS = ['PROCESSING', 'FAILED', 'SUCCESS', 'DECLINED', 'OPERATOR_REQUIRED'] as const;

export const ResultsMedia = response(
  'ResultsMedia',
  z.object({
    company_id: z.string().nullable(),
    analysis_id: z.string().nullable(),
    folder_time_created: time().nullable(),
    media_association_id: z.string(),
    source_media_id: z.string(),
    source_image_id: z.string().optional(),
    source_video_id: z.string().optional(),
    source_shots_set_id: z.string().optional(),
    results_data: jsonObject().nullable().meta({ description: 'Per-media results: confidence_spoofing, gesture, scores...' }),
    output_images: z.array(Media),
    collection_persons: z.array(jsonObject()),
  }),
);

export const Analysis = response(
  'Analysis',
  z.object({
    analysis_id: z.string().nullable(),
    analyse_id: z.string().nullable(),
    group_id: z.string().nullable(),
    folder_id: id('Folder'),
    company_id: z.string().nullable(),
    folder_time_created: time().nullable(),
    type: z.enum(ANALYSIS_TYPES),
    state: z.enum(['PROCESSING', 'FINISHED', 'FAILED']),
    resolution: z.enum(RESOLUTIONS),
    resolution_status: z.enum(RESOLUTIONS),
    resolution_operator: jsonObject().nullable(),
    confs: jsonObject().meta({ description: 'The settings the analysis runs with, defaults included: QUALITY threshold_spoofing, extract_best_shot, extract_action_shots; BIOMETRY threshold, threshold_min, threshold_max; COLLECTION decision_threshold, decision_count; plus every param sent' }),
    system_resolution: z.enum(RESOLUTIONS).meta({ description: "4.0.2: the system's verdict (the state until FINISHED); resolution_status and resolution follow an operator's decision on OPERATOR_REQUIRED" }),
    source_media: z.array(Media),
    results_data: jsonObject().nullable(),
    results_media: z.array(ResultsMedia),
    collection: z.object({ collection_id: z.string().nullable(), alias: z.string().nullable() }).nullable().optional().meta({ description: 'COLLECTION analyses: the collection searched' }),
    meta_data: jsonObject(),
    technical_meta_data: jsonObject(),
    error_code: z.int().nullable(),
    error_message: z.string().nullable(),
    time_created: time(),
    time_updated: time(),
    time_task_send_to_broker: time().nullable().optional(),
    time_task_received: time().nullable().optional(),
    time_task_finished: time().nullable().optional(),
  }),
);
export const AnalysisList = response('AnalysisList', z.array(Analysis));

export const Folder = response(
  'Folder',
  z.object({
    folder_id: id('Folder'),
    company_id: z.string().nullable(),
    user_id: z.string().nullable(),
    time_created: time(),
    time_updated: time(),
    resolution_endpoint: z.string().nullable(),
    resolution_comment: z.string(),
    resolution_time: time().nullable(),
    resolution_author_id: z.string().nullable(),
    resolution_state_hash: z.string().nullable(),
    operator_comment: z.string().nullable(),
    operator_status: z.string().nullable(),
    is_cleared: z.boolean().nullable(),
    meta_data: jsonObject(),
    technical_meta_data: jsonObject(),
    resolution_status: z.enum(['INITIAL', 'PROCESSING', 'FAILED', 'FINISHED']),
    system_resolution: z.enum(['INITIAL', ...RESOLUTIONS]),
    media: z.array(Media),
    analyses: z.array(Analysis).optional().meta({ description: 'With with_analyses=true, after a single request, and in Instant API / API Lite answers' }),
  }),
);
export const FolderPage = response('FolderPage', page(Folder));

export const WebhookDeliveryList = response(
  'WebhookDeliveryList',
  z.array(
    z.object({
      delivery_id: z.string(),
      company_id: id('Company'),
      folder_id: id('Folder'),
      group_id: z.string(),
      url: z.string(),
      outcome: z.enum(['PENDING', 'DELIVERED', 'FAILED']),
      attempts: z.int(),
      last_status: z.int().nullable(),
      last_error: z.string().nullable(),
      response_excerpt: z.string().nullable(),
      time_created: time(),
      time_updated: time(),
    }),
  ),
);

export const Upload = response(
  'Upload',
  z.object({
    upload_id: id('Upload'),
    upload_url: z.string(),
    method: z.literal('POST'),
    fields: z.record(z.string(), z.string()).meta({ description: 'Form fields to send first, in this order; the file follows as the last field, named "file"' }),
    expires_in: z.int(),
    max_size: z.int().meta({ description: 'Bytes; storage refuses a larger file (content-length-range)' }),
  }),
  'A presigned upload: POST a multipart/form-data body to upload_url with `fields` and then the file as "file", then name upload_id under "media:uploads" in a folder request.',
);

const metaAnswer = (key: string) => z.object({ [key]: z.string(), meta_data: jsonObject() });
export const FolderMeta = response('FolderMetaData', metaAnswer('folder_id'));
export const MediaMeta = response('MediaMetaData', metaAnswer('media_id'));
export const AnalysisMeta = response('AnalysisMetaData', z.object({ analysis_id: z.string(), analyse_id: z.string(), meta_data: jsonObject() }));
export const CollectionMeta = response('CollectionMetaData', metaAnswer('collection_id'));
export const PersonMeta = response('PersonMetaData', metaAnswer('person_id'));

// ---- collections --------------------------------------------------------------------------

export const Collection = response(
  'Collection',
  z.object({ collection_id: id('Collection'), company_id: id('Company'), alias: z.string(), meta_data: jsonObject(), time_created: time(), time_updated: time() }),
);
export const CollectionList = response('CollectionList', z.array(Collection));

export const PersonImage = response(
  'PersonImage',
  z.object({
    media_id: id('Media'),
    person_image_id: id('Media'),
    image_id: id('Media'),
    person_id: id('Person'),
    collection_id: id('Collection'),
    company_id: id('Company'),
    media_type: z.literal('IMAGE_FOLDER'),
    original_name: z.string(),
    tags: z.array(z.string()),
    info: MediaInfo,
    meta_data: jsonObject(),
    original_url: z.string(),
    thumb_url: z.null(),
    time_created: time(),
    time_updated: time(),
  }),
);
export const PersonImageList = response('PersonImageList', z.array(PersonImage));

export const Person = response(
  'Person',
  z.object({
    person_id: id('Person'),
    collection_id: id('Collection'),
    company_id: id('Company'),
    meta_data: jsonObject(),
    time_created: time(),
    time_updated: time(),
    images: z.array(PersonImage).optional().meta({ description: 'On create and on GET of one person' }),
  }),
);
export const PersonList = response('PersonList', z.array(Person));

// ---- service -------------------------------------------------------------------------------

export const Health = response(
  'Health',
  z.object({
    status: z.literal('ok'),
    details: z
      .object({
        liveness_model: z.string().meta({ description: 'the passive liveness model in use, e.g. MiniFASNetV2' }),
        warning: z.string().optional().meta({ description: 'present when the runtime fell back to the weaker fr_liveness model' }),
      })
      .optional()
      .meta({ description: 'present when the runtime announced its models (the local runtime does)' }),
  }),
);
export const OpenApiDocument = response('OpenApiDocument', z.looseObject({ openapi: z.string(), info: jsonObject(), paths: jsonObject(), components: jsonObject() }));

// ---- API Lite ------------------------------------------------------------------------------

export const LiteVersion = response(
  'LiteVersion',
  z.object({ core: z.string(), tfss: z.string(), models: z.array(z.object({ name: z.string(), version: z.string() })) }),
);
export const LiteHealth = response(
  'LiteHealth',
  z.object({ status: z.int().meta({ description: '0 when every model loads and runs, 3 when inoperative' }), message: z.string() }),
);
const decision = () => z.enum(['approved', 'operator_required', 'declined']);
export const LiteScore = response('LiteScore', z.object({ score: z.number().min(0).max(1), decision: decision() }));
export const LiteResults = response(
  'LiteResults',
  z.object({ results: z.array(z.object({ filename: z.string().nullable(), score: z.number().min(0).max(1), decision: decision() })) }),
);
export const LiteLiveness = response('LiteLiveness', z.object({ passed: z.boolean(), score: z.number().min(0).max(1) }));
export const LiteDetect = response(
  'LiteDetect',
  z.union([LiteLiveness, Folder]),
  'An image body answers {"passed", "score"}; multipart media with a payload answer the folder-like object (temporary ids, nothing stored).',
);

// ---- metering ------------------------------------------------------------------------------

const ResolutionCounts = {
  SUCCESS: z.int(),
  DECLINED: z.int(),
  OPERATOR_REQUIRED: z.int().meta({ description: 'Still waiting for an operator' }),
  FAILED: z.int(),
  PROCESSING: z.int(),
};
export const Statistics = response(
  'Statistics',
  z.object({
    company_id: z.string().nullable().meta({ description: 'null: every company (ADMIN, OPERATOR)' }),
    days: z.int(),
    from: z.string().meta({ description: 'First day, YYYY-MM-DD (UTC)' }),
    to: z.string().meta({ description: 'Last day (today), YYYY-MM-DD (UTC)' }),
    truncated: z.boolean().meta({ description: 'More than 20,000 folders in the range: the figures cover the newest 20,000' }),
    series: z.array(z.object({ day: z.string().meta({ description: 'YYYY-MM-DD (UTC) the analysis was started' }), type: z.string(), ...ResolutionCounts })).meta({ description: 'Analyses per day and type by resolution status; days and types without analyses are left out' }),
    by_type: z.array(
      z.object({
        type: z.string(),
        total: z.int(),
        ...ResolutionCounts,
        pass_rate: z.number().nullable().meta({ description: 'SUCCESS / (SUCCESS + DECLINED); an operator\'s decision counts as its outcome' }),
        decline_rate: z.number().nullable().meta({ description: 'DECLINED / (SUCCESS + DECLINED)' }),
        processing_seconds: z
          .object({ count: z.int(), p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() })
          .meta({ description: 'Seconds from the request to the finished result (FINISHED analyses), nearest-rank percentiles' }),
      }),
    ),
  }),
  'Computed from the stored folders and analyses of the caller\'s scope (the access matrix: a CLIENT sees their own folders only).',
);

export const Usage = response(
  'Usage',
  z.object({
    company_id: z.string().nullable().meta({ description: 'null: every company (ADMIN)' }),
    months: z.array(z.string().meta({ description: 'YYYY-MM' })),
    currency: z.string().nullable().meta({ description: 'With a price table (OZ_PRICE_TABLE), else null' }),
    items: z.array(
      z.object({
        company_id: z.string(),
        month: z.string(),
        type: z.string(),
        finished: z.int(),
        failed: z.int(),
        billable: z.int(),
        unit_price: z.string().optional().meta({ description: 'Decimal text, with a price table' }),
        amount: z.string().optional().meta({ description: 'Decimal text, with a price table' }),
      }),
    ),
    totals: z.object({ finished: z.int(), failed: z.int(), billable: z.int(), amount: z.string().nullable() }),
  }),
  'Analyses per company, month and type: FINISHED ones are billable.',
);

export const UsageQuota = response(
  'UsageQuota',
  z.object({
    company_id: id('Company'),
    monthly_analyses: z.int().nullable().meta({ description: 'null: no quota' }),
    month: z.string().meta({ description: 'The current month, YYYY-MM' }),
    started: z.int(),
    remaining: z.int().nullable(),
  }),
);

// ---- report templates and reports ------------------------------------------------------------

export const ReportTemplate = response(
  'ReportTemplate',
  ReportTemplateContent.extend({
    report_template_id: id('Report template'),
    company_id: id('Company'),
    user_id: z.string().nullable().meta({ description: 'Who created it (null: built in)' }),
    is_builtin: z.boolean().meta({ description: 'Built-in templates are shared by every company and read-only' }),
    time_created: time(),
    time_updated: time(),
  }),
  `A report template, format version ${REPORT_TEMPLATE_FORMAT_VERSION} (README "Reports").`,
);
export const ReportTemplateList = response('ReportTemplateList', z.array(ReportTemplate));

export const ReportTemplateAttachment = response(
  'ReportTemplateAttachment',
  z.object({
    attachment_id: id('Attachment'),
    report_template_id: id('Report template'),
    company_id: id('Company'),
    kind: z.enum(ATTACHMENT_KINDS),
    original_name: z.string(),
    content_type: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    size: z.int(),
    width: z.int(),
    height: z.int(),
    time_created: time(),
    url: z.string().meta({ description: 'Presigned GET URL, valid for OZ_PRESIGN_TTL seconds' }),
  }),
);
export const ReportTemplateAttachmentList = response('ReportTemplateAttachmentList', z.array(ReportTemplateAttachment));

export const Report = response(
  'Report',
  z.object({
    report_id: id('Report'),
    folder_id: id('Folder'),
    company_id: id('Company'),
    user_id: id('User (who generated it)'),
    report_template_id: id('Report template'),
    file_name: z.string().meta({ description: 'report_<folder_id>_<UTC time>.pdf' }),
    size: z.int(),
    file_sha256: z.string().meta({ description: 'SHA-256 of the PDF file' }),
    content_sha256: z.string().meta({ description: "SHA-256 of the report's content, printed in its footer" }),
    time_created: time(),
    file_url: z.string().meta({ description: 'Presigned GET URL of the PDF, valid for url_expires_in seconds' }),
    url_expires_in: z.int(),
  }),
);
export const ReportList = response('ReportList', z.array(Report));
