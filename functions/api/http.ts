// The HTTP edge shared by every API function: reading API Gateway v2 events the way real Oz
// clients send them, and answering in the documented shapes.
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ApiError, ErrorCode, badStructure, badValue, errorBody } from '../../layers/core/errors';
import { parseMultipart, type Part } from './multipart';
import { sessionNumber } from '../../layers/core/auth';
import { checkClientJson, parseClientJson } from '../../layers/core/json';

/**
 * decodeURIComponent that never throws: null for a malformed percent-encoding (`%ZZ`, a truncated
 * `%E0%A4%A`, overlong `%C0%AE` or surrogate `%ED%A0%80` UTF-8). Every decoding of client text goes
 * through it: a URIError outside a handler would stop the local runtime and answer 500 in AWS.
 */
export function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

export const malformedPath = () => badValue('The URL path has a malformed percent-encoding: each %XX must be hexadecimal and together form valid UTF-8');

export interface Request {
  method: string;
  path: string;
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
}

export function toRequest(event: APIGatewayProxyEventV2): Request {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const raw = event.body ?? '';
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    routeKey: event.routeKey,
    params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    query,
    headers,
    body: event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
  };
}

/**
 * The JSON body, whatever the Content-Type says: clients send JSON labelled
 * application/x-www-form-urlencoded (iOS SDK, curl -d, PHP) or text/plain (fetch).
 */
export function jsonBody(req: Request, { required = true } = {}): unknown {
  const text = req.body.toString('utf8').trim();
  if (text === '') {
    if (required) throw badStructure('The request body is empty: send a JSON object');
    return {};
  }
  if (text.startsWith('{') || text.startsWith('[')) return parseClientJson(text);
  // A real form: key=value pairs, values that are JSON get parsed (under the same rules).
  if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      let isJson = true;
      try {
        JSON.parse(v);
      } catch {
        isJson = false;
      }
      // defineProperty: a key named __proto__ must not reach the prototype (checkClientJson refuses it).
      Object.defineProperty(out, k, { value: isJson ? parseClientJson(v, `form field "${k.slice(0, 100)}"`) : v, enumerable: true, writable: true, configurable: true });
    }
    checkClientJson(out, 'request body');
    return out;
  }
  throw badStructure('The request body is not JSON');
}

export interface UploadBody {
  files: { field: string; filename: string | null; bytes: Buffer }[];
  payload: unknown;
}

/** Multipart uploads: files under any field names plus a "payload" part of JSON. */
export function uploadBody(req: Request, options: { allowNoFiles?: boolean } = {}): UploadBody {
  const contentType = req.headers['content-type'] ?? '';
  // A JSON body naming presigned uploads ("media:uploads") is a whole payload by itself.
  if (options.allowNoFiles && !/multipart\/form-data/i.test(contentType) && req.body.length > 0) {
    const payload = jsonBody(req);
    if (payload && typeof payload === 'object' && 'media:uploads' in payload) return { files: [], payload };
  }
  if (!/multipart\/form-data/i.test(contentType)) {
    // A JSON body where files are required: a clean 4xx, not a crash.
    throw badStructure('Media must be sent as multipart/form-data: files under any field names plus a "payload" part with media:tags');
  }
  const parts = parseMultipart(req.body, contentType);
  let payload: unknown = {};
  const files: UploadBody['files'] = [];
  for (const part of parts) {
    if (part.name === 'payload') {
      payload = parsePayloadText(part);
      continue;
    }
    const text = part.filename === null && part.bytes.length < 64 ? part.bytes.toString('utf8').trim() : null;
    if (text === '' || text === 'undefined' || text === 'null') continue; // empty text fields some clients send
    files.push({ field: part.name, filename: part.filename, bytes: part.bytes });
  }
  return { files, payload };
}

function parsePayloadText(part: Part): unknown {
  const text = part.bytes.toString('utf8').trim();
  if (text === '' || text === 'undefined' || text === 'null') return {};
  return parseClientJson(text, '"payload" part');
}

/**
 * OZ_INTEGER_TIMESTAMPS, set from the configuration when the function's chain is built
 * (functions/api/pipeline.ts).
 */
let integerTimestamps = false;
export const answerIntegerTimestamps = (on: boolean) => {
  integerTimestamps = on;
};

/**
 * JSON with Python's separators (", " and ": "): Oz's own deployment health check matches
 * `{"error_code": ` and `"access_token": "` textually. Timestamps are whole seconds, and
 * `session_id` an integer (sessionNumber), when OZ_INTEGER_TIMESTAMPS=true (the Android SDK 2.0.2
 * parses both as integers).
 */
export function ozJson(value: unknown, integerTimes = integerTimestamps, key = ''): string {
  if (value === null || value === undefined) return 'null';
  if (integerTimes && key === 'session_id' && typeof value === 'string') {
    const n = sessionNumber(value);
    if (n !== null) return String(n);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'null';
    if (integerTimes && (key.startsWith('time_') || key.endsWith('_time_created') || key === 'expire_date')) return String(Math.floor(value));
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => ozJson(v, integerTimes, key)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${ozJson(v, integerTimes, k)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

export function json(status: number, value: unknown, extraHeaders: Record<string, string> = {}): APIGatewayProxyResultV2 {
  if (status === 204) return { statusCode: 204, headers: extraHeaders, body: '' };
  return { statusCode: status, headers: { 'content-type': 'application/json', ...extraHeaders }, body: ozJson(value) };
}

export function errorResponse(err: unknown): APIGatewayProxyResultV2 {
  if (err instanceof ApiError) return json(err.status, errorBody(err));
  // Anything unexpected: the documented body; the details go to the log (the pipeline's onError), not in the answer.
  return json(500, errorBody(new ApiError(500, ErrorCode.UNKNOWN, 'Unknown server side error occurred')));
}
