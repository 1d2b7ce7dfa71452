// The "payload" part of a multipart detect request: media:tags, media:meta_data, folder:meta_data,
// resolution_endpoint and analyses [{type: quality, params: {threshold_spoofing, extract_best_shot}}].
// Anything malformed in it is LDE-002005 (the payload part is not what it must be).
import { liteFail } from './errors';
import { parseClientJson } from '../../layers/core/json';
import { ApiError } from '../../layers/core/errors';

export type JsonObject = Record<string, unknown>;

export interface DetectAnalysisRequest {
  /** always QUALITY: the only analysis API Lite runs */
  type: 'QUALITY';
  thresholdSpoofing: number;
  extractBestShot: boolean;
  metaData: JsonObject;
}

export interface DetectPayload {
  tags: Record<string, string[]>;
  mediaMeta: Record<string, JsonObject>;
  folderMeta: JsonObject;
  resolutionEndpoint: string | null;
  analyses: DetectAnalysisRequest[];
}

const bad = (message: string) => liteFail('part-type', `the "payload" part: ${message}`);

function objectOrEmpty(value: unknown, name: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`${name} must be a JSON object`);
  return value as JsonObject;
}

/** The payload's text as JSON; empty, "undefined" and "null" (what some clients send) are {}. */
export function payloadJson(text: string | null): unknown {
  const t = (text ?? '').trim();
  if (t === '' || t === 'undefined' || t === 'null') return {};
  try {
    // The API's one reading path (depth, numbers, reserved keys): the payload is echoed in the answer.
    return parseClientJson(t, 'payload');
  } catch (err) {
    if (err instanceof ApiError) throw bad(err.message === 'The payload is not valid JSON' ? 'not valid JSON' : err.message);
    throw err;
  }
}

function numberIn01(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) throw bad(`${name} must be a number from 0 to 1`);
  return n;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw bad(`${name} must be true or false`);
}

/** Analyses API Lite can run: quality (liveness), also spelled liveness by the iOS SDK. */
const LIVENESS_TYPES = new Set(['quality', 'liveness']);

export function parseDetectPayload(value: unknown, defaults: { thresholdSpoofing: number }): DetectPayload {
  const raw = objectOrEmpty(value, 'the payload');
  const tags: Record<string, string[]> = {};
  for (const [field, v] of Object.entries(objectOrEmpty(raw['media:tags'], 'media:tags'))) {
    if (typeof v === 'string') tags[field] = [v];
    else if (Array.isArray(v) && v.every((t) => typeof t === 'string')) tags[field] = v as string[];
    else throw bad(`media:tags.${field} must be an array of tag strings`);
  }
  const mediaMeta: Record<string, JsonObject> = {};
  for (const [field, v] of Object.entries(objectOrEmpty(raw['media:meta_data'], 'media:meta_data'))) mediaMeta[field] = objectOrEmpty(v, `media:meta_data.${field}`);
  const endpoint = raw['resolution_endpoint'];
  if (endpoint !== undefined && endpoint !== null && typeof endpoint !== 'string') throw bad('resolution_endpoint must be a URL string');

  const shared = objectOrEmpty(raw['params'], 'params');
  const list = raw['analyses'];
  if (list !== undefined && list !== null && !Array.isArray(list)) throw bad('analyses must be an array');
  const items = Array.isArray(list) && list.length > 0 ? list : [{ type: 'quality' }];
  const analyses = items.map((item, i): DetectAnalysisRequest => {
    const a = objectOrEmpty(item, `analyses[${i}]`);
    const type = typeof a['type'] === 'string' ? a['type'].toLowerCase() : 'quality';
    if (!LIVENESS_TYPES.has(type)) throw bad(`analyses[${i}].type "${String(a['type'])}": API Lite's detect runs only quality (liveness) analyses`);
    const params = { ...shared, ...objectOrEmpty(a['params'], `analyses[${i}].params`) };
    return {
      type: 'QUALITY',
      thresholdSpoofing: numberIn01(params['threshold_spoofing'], `analyses[${i}].params.threshold_spoofing`, defaults.thresholdSpoofing),
      extractBestShot: flag(params['extract_best_shot'], `analyses[${i}].params.extract_best_shot`),
      metaData: objectOrEmpty(a['meta_data'], `analyses[${i}].meta_data`),
    };
  });
  return {
    tags,
    mediaMeta,
    folderMeta: objectOrEmpty(raw['folder:meta_data'], 'folder:meta_data'),
    resolutionEndpoint: typeof endpoint === 'string' && endpoint !== '' ? endpoint : null,
    analyses,
  };
}

const NO_GESTURE = new Set(['video_selfie', 'video_selfie_blank', 'video_selfie_oneshot']);

/** The gesture a media's tags ask for (video_selfie_left, ...), as the full API reads it. */
export function gestureOf(tags: readonly string[]): string | null {
  return tags.find((t) => t.startsWith('video_selfie_') && !NO_GESTURE.has(t)) ?? null;
}
