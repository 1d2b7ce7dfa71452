// Every environment variable the functions read, in one zod schema: parsed once at cold start
// (loadConfig), then passed down as typed values. Nothing else in functions/ or layers/ reads
// process.env. A bad value fails the cold start with a message naming the variable. The README's
// configuration table is generated from this schema (scripts/config-table.ts, `npm run config:doc`).
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { defaultConfig, type CoreConfig } from '../layers/core/deps';
import { parsePriceTable } from '../layers/core/metering';
import { retentionConfigFromEnv, type RetentionConfig } from '../layers/core/privacy';
import { DEFAULT_STUCK_AFTER_SECONDS, stuckAfterSecondsFromEnv } from '../layers/core/stranded';
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '../layers/vision/settings';
import { parseRates } from './api/throttle';

/** Who reads a variable: the README table says so. */
type Scope = 'all' | 'api' | 'media' | 'lite' | 'worker' | 'webhook' | 'retention' | 'sweeper' | 'local';
interface Doc {
  description: string;
  /** the default as the README shows it */
  fallback: string;
  scope: Scope[];
}

const raw = () => z.string().optional();
const documented = <T extends z.ZodType>(schema: T, doc: Doc): T => schema.meta({ description: doc.description, fallback: doc.fallback, scope: doc.scope.join(', ') });

/** A number from text; unset or "" is the fallback. */
function number(doc: Doc & { default: number; min: number; integer?: boolean; max?: number; exclusiveMin?: boolean }) {
  return documented(
    raw().transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return doc.default;
      const value = Number(text);
      const low = doc.exclusiveMin ? value <= doc.min : value < doc.min;
      if (!Number.isFinite(value) || (doc.integer && !Number.isInteger(value)) || low || (doc.max !== undefined && value > doc.max)) {
        const range = `${doc.exclusiveMin ? `above ${doc.min}` : `at least ${doc.min}`}${doc.max !== undefined ? ` and at most ${doc.max}` : ''}`;
        ctx.addIssue({ code: 'custom', message: `must be ${doc.integer ? 'a whole number' : 'a number'} ${range}, got "${text}"` });
        return z.NEVER;
      }
      return value;
    }),
    doc,
  );
}

const positive = (doc: Doc & { default: number }) => number({ ...doc, min: 0, exclusiveMin: true });

/** true/false (also 1/0, yes/no, any case); unset or "" is false. */
function flag(doc: Doc) {
  return documented(
    raw().transform((text, ctx) => {
      const value = (text ?? '').trim().toLowerCase();
      if (['', 'false', '0', 'no'].includes(value)) return false;
      if (['true', '1', 'yes'].includes(value)) return true;
      ctx.addIssue({ code: 'custom', message: `must be true or false, got "${text}"` });
      return z.NEVER;
    }),
    doc,
  );
}

const text = (doc: Doc) => documented(raw().transform((value) => (value === undefined || value === '' ? undefined : value)), doc);

/** A value parsed by the domain's own parser, whose messages name the variable already. */
function parsed<T>(doc: Doc, parse: (value: string | undefined) => T) {
  return documented(
    raw().transform((value, ctx) => {
      try {
        return parse(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    doc,
  );
}

function operatorBand(value: string | undefined): number[] {
  if (!value) return [];
  const values = value.split(',').map(Number);
  if (values.length !== 2 || !values.every((v) => v >= 0 && v <= 1) || values[0]! > values[1]!) {
    throw new Error(`OZ_BIOMETRY_OPERATOR_BAND must be "low,high" with 0 <= low <= high <= 1, got "${value}"`);
  }
  return values;
}

const STACK: Scope[] = ['all'];
const HTTP: Scope[] = ['api', 'media', 'lite'];
const CORE: Scope[] = ['api', 'media', 'worker', 'webhook', 'retention', 'sweeper'];
const VISION: Scope[] = ['media', 'lite', 'worker'];

export const configSchema = z.object({
  // ---- from the stack (infra/stack.ts) ----
  OZ_TABLE_NAME: text({ description: 'the DynamoDB table (from the stack)', fallback: 'required', scope: STACK }),
  OZ_BUCKET_NAME: text({ description: 'the S3 bucket of media and reports (from the stack)', fallback: 'required', scope: CORE }),
  OZ_QUEUE_URL: text({ description: 'the analysis queue (from the stack)', fallback: 'required', scope: CORE }),
  OZ_USAGE_QUEUE_URL: text({ description: 'the usage-event queue for billing (from the stack); unset: events wait in the outbox', fallback: 'unset', scope: CORE }),
  OZ_WEBHOOK_STATE_MACHINE_ARN: text({ description: 'the webhook delivery workflow (from the stack)', fallback: 'required where webhooks start', scope: ['media', 'worker', 'sweeper'] }),
  OZ_MAX_RECEIVE_COUNT: number({ description: "maxReceiveCount of the analysis queue's redrive policy (from the stack)", fallback: '3', default: 3, min: 1, integer: true, scope: ['worker'] }),
  // ---- local emulators (set by the local runtime; unset in AWS) ----
  OZ_DYNAMODB_ENDPOINT: text({ description: 'DynamoDB endpoint of the local runtime', fallback: 'unset (AWS)', scope: ['local'] }),
  OZ_S3_ENDPOINT: text({ description: 'S3 endpoint of the local runtime (path-style addressing)', fallback: 'unset (AWS)', scope: ['local'] }),
  OZ_SQS_ENDPOINT: text({ description: 'SQS endpoint of the local runtime', fallback: 'unset (AWS)', scope: ['local'] }),
  OZ_SFN_ENDPOINT: text({ description: 'Step Functions endpoint of the local runtime', fallback: 'unset (AWS)', scope: ['local'] }),
  AWS_REGION: text({ description: 'the region of the local endpoints (in AWS the SDK reads it itself)', fallback: '`us-east-1`', scope: ['local'] }),
  // ---- sessions, policy and answers ----
  OZ_SESSION_TTL: positive({ description: 'seconds a session lives; each use extends it by this much', fallback: '`900`', default: defaultConfig.sessionTtlSeconds, scope: CORE }),
  OZ_SESSION_LONGLIVE_TTL: positive({ description: 'lifetime of CLIENT SERVICE and service tokens, in seconds', fallback: '5 years', default: defaultConfig.longLivedTtlSeconds, scope: CORE }),
  OZ_PASSWORD_MIN_LENGTH: positive({ description: 'password policy: minimum length (a letter and a digit are always required, and not the email)', fallback: '`8`', default: defaultConfig.passwordMinLength, scope: CORE }),
  OZ_PRESIGN_TTL: positive({ description: 'seconds a presigned `original_url` stays valid', fallback: '`900`', default: defaultConfig.presignTtlSeconds, scope: CORE }),
  OZ_INTEGER_TIMESTAMPS: flag({ description: '`true`: answer timestamps as whole seconds and `session_id` as an integer (the Android SDK 2.0.2 parses both as integers); `token_id` keeps the UUID', fallback: '`false`', scope: [...HTTP, 'webhook'] }),
  OZ_AUTHORIZE_DISABLED_STATELESS: flag({ description: '`true`: the Instant API takes requests without a token', fallback: '`false`', scope: ['media'] }),
  OZ_THROTTLING_RATES: parsed({ description: '`auth=10/min,rest_unauthorized=60/min,rps_with_token=20/s`, see [Throttling](#metering-quotas-and-throttling)', fallback: 'unset (off)', scope: HTTP }, parseRates),
  OZ_PRICE_TABLE: parsed({ description: 'prices of FINISHED analyses for `GET /api/usage`, see [Metering](#metering-quotas-and-throttling)', fallback: 'unset (counts only)', scope: CORE }, parsePriceTable),
  // ---- decisions ----
  OZ_THRESHOLD_SPOOFING: positive({ description: 'default `threshold_spoofing` of QUALITY analyses (and of API Lite detect)', fallback: '`0.5`', default: defaultConfig.defaultThresholdSpoofing, scope: [...CORE, 'lite'] }),
  OZ_BIOMETRY_THRESHOLD: positive({ description: 'BIOMETRY and COLLECTION (and API Lite): calibrated score at or above which faces match', fallback: '`0.85`', default: defaultConfig.biometryThreshold, scope: [...CORE, 'lite'] }),
  OZ_BIOMETRY_OPERATOR_BAND: parsed({ description: '`low,high`: BIOMETRY scores in between answer OPERATOR_REQUIRED', fallback: 'unset', scope: [...CORE, 'lite'] }, operatorBand),
  OZ_QUALITY_THREE_SCORES: flag({ description: '`true`: QUALITY results carry `confidence_replay`, `confidence_liveness` and `confidence_spoofing` (the pre-5.0.0 answer, changelog 5.0.0), each against its threshold', fallback: '`false`', scope: CORE }),
  // ---- processing, deadlines and webhooks ----
  OZ_RETRY_BASE_SECONDS: positive({ description: 'first analysis retry delay (doubles per attempt, jittered)', fallback: '`10`', default: 10, scope: ['worker'] }),
  OZ_WORKER_DEADLINE_MARGIN_MS: number({ description: "a worker attempt gives up this long before the function's timeout (see [No analysis left behind](#no-analysis-left-behind))", fallback: '`10000`', default: 10_000, min: 0, integer: true, scope: ['worker'] }),
  OZ_SYNC_MARGIN_MS: number({ description: "a single request hands unfinished analyses to the queue this long before the media function's timeout", fallback: '`5000`', default: 5000, min: 0, integer: true, scope: ['media'] }),
  OZ_DEADLINE_MARGIN_MS: number({ description: "an HTTP request still running this long before its function's timeout answers 503 (error_code 0, `deadline`) instead of a Lambda timeout", fallback: '`1000`', default: 1000, min: 0, integer: true, scope: HTTP }),
  OZ_STUCK_AFTER_SECONDS: parsed({ description: 'the sweeper ends analyses PROCESSING longer than this FAILED (1408)', fallback: `\`${DEFAULT_STUCK_AFTER_SECONDS}\``, scope: ['sweeper'] }, (value) =>
    stuckAfterSecondsFromEnv({ OZ_STUCK_AFTER_SECONDS: value }),
  ),
  OZ_WEBHOOK_TIMEOUT_MS: positive({ description: 'timeout of one webhook attempt', fallback: '`10000`', default: 10_000, scope: ['webhook'] }),
  OZ_WEBHOOK_ALLOW_PRIVATE: flag({ description: 'local development only: allow webhooks to loopback and private addresses', fallback: '`false`', scope: ['api', 'media', 'webhook'] }),
  OZ_RETENTION_DAYS: parsed({ description: 'folders older than this many days have their personal information cleared by the daily retention run; `0`: only companies with their own `retention_days`', fallback: '`0`', scope: ['retention'] }, (value) =>
    retentionConfigFromEnv({ OZ_RETENTION_DAYS: value }).days,
  ),
  OZ_RETENTION_MAX_FOLDERS: parsed({ description: 'folders one retention run looks at, at most', fallback: '`1000`', scope: ['retention'] }, (value) =>
    retentionConfigFromEnv({ OZ_RETENTION_MAX_FOLDERS: value }).maxFolders,
  ),
  OZ_REPORT_FONT_DIR: text({ description: 'a folder with `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf` for PDF reports', fallback: 'the `dejavu-fonts-ttf` package', scope: ['media'] }),
  // ---- vision (layers/vision) ----
  OZ_LIVENESS_MODEL: text({ description: 'liveness network: `auto`, `fr_liveness`, `minifasnet`, `minifasnet-ensemble` (see layers/vision/README.md)', fallback: '`auto`', scope: VISION }),
  OZ_LIVENESS_FRAMES: number({ description: 'frames sampled from a video for passive liveness', fallback: '`8`', default: DEFAULT_VISION_SETTINGS.livenessFrames, min: 1, max: 64, integer: true, scope: VISION }),
  OZ_SELFIE_MIRRORED: flag({ description: 'gesture videos are mirrored selfies: left and right turns swap', fallback: '`false`', scope: VISION }),
  OZ_ORT_THREADS: number({ description: 'onnxruntime threads per model', fallback: '`1`', default: DEFAULT_VISION_SETTINGS.ortThreads, min: 1, max: 64, integer: true, scope: VISION }),
  OZ_FFMPEG_THREADS: number({ description: 'ffmpeg `-threads`', fallback: '`1`', default: DEFAULT_VISION_SETTINGS.ffmpegThreads, min: 0, max: 16, integer: true, scope: VISION }),
  OZ_FFMPEG_TIMEOUT_MS: positive({ description: 'timeout of one ffmpeg run', fallback: '`60000`', default: DEFAULT_VISION_SETTINGS.ffmpegTimeoutMs, scope: VISION }),
  OZ_FFPROBE_TIMEOUT_MS: positive({ description: 'timeout of one ffprobe run', fallback: '`20000`', default: DEFAULT_VISION_SETTINGS.ffprobeTimeoutMs, scope: VISION }),
  OZ_FFMPEG_PATH: text({ description: 'the ffmpeg binary', fallback: 'the `@ffmpeg-installer/ffmpeg` package', scope: VISION }),
  OZ_FFPROBE_PATH: text({ description: 'the ffprobe binary', fallback: 'the `@ffprobe-installer/ffprobe` package', scope: VISION }),
  // ---- set by the local runtime (infra/local/liveness-model.ts) ----
  OZ_LIVENESS_IN_USE: text({ description: 'the liveness model `npm start` found or fetched, shown in `/api/healthcheck` details', fallback: 'unset (AWS)', scope: ['local'] }),
  OZ_LIVENESS_WARNING: text({ description: 'the fallback warning `npm start` shows in `/api/healthcheck` details when MiniFASNet could not be fetched', fallback: 'unset', scope: ['local'] }),
  // ---- logs ----
  OZ_LOG_LEVEL: documented(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'), { description: 'level of the functions\' structured logs', fallback: '`INFO`', scope: STACK }),
  OZ_LOG_FORMAT: documented(z.enum(['json', 'pretty']).default('json'), { description: '`pretty`: one readable line per entry instead of JSON (the local runtime sets it in a terminal)', fallback: '`json`', scope: STACK }),
});

export type Config = z.output<typeof configSchema>;
export type Environment = Record<string, string | undefined>;

/** Parses the environment; throws one Error naming every bad variable. */
export function loadConfig(env: Environment): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
  });
  throw new Error(`Invalid configuration: ${lines.join('; ')}`);
}

/**
 * The seam for the local runtime, which runs several functions in one process (the HTTP functions,
 * the webhook task): it runs each invocation through runWithEnvironment with that function's own
 * environment, so none sees another's template variables. In Lambda nothing calls it: one function
 * per process, whose environment is process.env.
 */
const invocationEnvironment = new AsyncLocalStorage<Environment>();
export const runWithEnvironment = <T>(env: Environment, run: () => T): T => invocationEnvironment.run(env, run);

/** Parsed once per environment object: once per container, once per function in the local runtime. */
let configs = new WeakMap<Environment, Config>();

/** The configuration of the running function, parsed from its environment at the first call (cold start). */
export function appConfig(): Config {
  // The one read of process.env in functions/ and layers/.
  const env = invocationEnvironment.getStore() ?? process.env;
  let config = configs.get(env);
  if (!config) configs.set(env, (config = loadConfig(env)));
  return config;
}

/** The local runtime and tests, after they changed the environment: the next call parses it again. */
export function resetAppConfig(): void {
  configs = new WeakMap();
}

/** A variable every function of some kind needs: its absence fails the cold start, naming it. */
export function required(config: Config, name: 'OZ_TABLE_NAME' | 'OZ_BUCKET_NAME' | 'OZ_QUEUE_URL' | 'OZ_WEBHOOK_STATE_MACHINE_ARN'): string {
  const value = config[name];
  if (!value) throw new Error(`Invalid configuration: ${name} is not set`);
  return value;
}

export const coreConfigOf = (c: Config): CoreConfig => ({
  sessionTtlSeconds: c.OZ_SESSION_TTL,
  longLivedTtlSeconds: c.OZ_SESSION_LONGLIVE_TTL,
  presignTtlSeconds: c.OZ_PRESIGN_TTL,
  defaultThresholdSpoofing: c.OZ_THRESHOLD_SPOOFING,
  biometryThreshold: c.OZ_BIOMETRY_THRESHOLD,
  biometryOperatorBand: c.OZ_BIOMETRY_OPERATOR_BAND,
  priceTable: c.OZ_PRICE_TABLE,
  passwordMinLength: Math.ceil(c.OZ_PASSWORD_MIN_LENGTH),
  qualityThreeScores: c.OZ_QUALITY_THREE_SCORES,
  webhookAllowPrivate: c.OZ_WEBHOOK_ALLOW_PRIVATE,
});

export const retentionConfigOf = (c: Config): RetentionConfig => ({ ...retentionConfigFromEnv({}), days: c.OZ_RETENTION_DAYS, maxFolders: c.OZ_RETENTION_MAX_FOLDERS });

export const visionSettingsOf = (c: Config): VisionSettings => ({
  ...(c.OZ_FFMPEG_PATH ? { ffmpegPath: c.OZ_FFMPEG_PATH } : {}),
  ...(c.OZ_FFPROBE_PATH ? { ffprobePath: c.OZ_FFPROBE_PATH } : {}),
  ffmpegThreads: c.OZ_FFMPEG_THREADS,
  splitDecode: DEFAULT_VISION_SETTINGS.splitDecode,
  ffmpegTimeoutMs: c.OZ_FFMPEG_TIMEOUT_MS,
  ffprobeTimeoutMs: c.OZ_FFPROBE_TIMEOUT_MS,
  livenessFrames: c.OZ_LIVENESS_FRAMES,
  livenessModel: c.OZ_LIVENESS_MODEL ?? DEFAULT_VISION_SETTINGS.livenessModel,
  ortThreads: c.OZ_ORT_THREADS,
  selfieMirrored: c.OZ_SELFIE_MIRRORED,
});
