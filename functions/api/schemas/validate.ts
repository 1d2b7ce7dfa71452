// Request parsing from the route schemas, a step of the HTTP pipeline (../pipeline.ts) after
// authentication and before the operation: the schema's output is what the operation receives.
// The schemas say what each field may be, the documented client quirks included (each tolerated
// explicitly where it is declared); the core still checks permissions and existence. Unknown
// fields are kept, and JSON is read whatever the Content-Type.
import type { z } from 'zod';
import { ApiError, ErrorCode } from '../../../layers/core/errors';
import { jsonBody, type Request } from '../http';
import { ROUTES, routeKeyOf, type RouteDef } from '../route-table';
import { ROUTE_SCHEMAS, UploadPayloadPart } from './routes';
import type { UploadPayloadInput } from '../../../layers/core/folders';

export interface RequestIssue {
  in: 'query' | 'body';
  path: string;
  message: string;
}

const OPEN = new Set((ROUTES as readonly RouteDef[]).filter((r) => r.open).map(routeKeyOf));
const CONTAINERS = new Set(['object', 'array', 'record', 'tuple', 'map', 'set']);

/** The value the issue is about is absent (not merely of the wrong type). */
function isMissing(data: unknown, path: PropertyKey[]): boolean {
  let node = data;
  for (const key of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return !!node && typeof node === 'object' && !(path[path.length - 1]! in node);
}

/**
 * The documented codes: 3 (invalid structure) for a missing field, a body that is not an object,
 * or a container (object, array) that is something else; 5 (invalid type) for a scalar of the
 * wrong type; 4 (invalid value) for everything else and for every query-string problem (query
 * values are all text, so a wrong one is a wrong value); a refinement may name its own code.
 */
function codeOf(where: RequestIssue['in'], issue: z.core.$ZodIssue, data: unknown): number {
  if (where === 'query') return ErrorCode.INVALID_VALUE;
  // A refinement that names the code the API has always answered for it.
  if (issue.code === 'custom' && typeof issue.params?.['error_code'] === 'number') return issue.params['error_code'];
  if (issue.path.length > 0 && isMissing(data, issue.path)) return ErrorCode.INVALID_STRUCTURE;
  if (issue.code !== 'invalid_type') return ErrorCode.INVALID_VALUE;
  if (issue.path.length === 0 || CONTAINERS.has(issue.expected)) return ErrorCode.INVALID_STRUCTURE;
  return ErrorCode.INVALID_TYPE;
}

const pathText = (path: PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');

/** The query and the JSON body as its route's schemas output them (an empty query and an undefined body for routes without one). */
export interface ParsedRequest {
  query: Record<string, unknown>;
  body: unknown;
}

/**
 * The request's query and JSON body parsed by its route's schemas; throws the documented 400 when
 * the request does not match them.
 */
export function validateRequest(routeKey: string, req: Request): ParsedRequest {
  const spec = ROUTE_SCHEMAS[routeKey as keyof typeof ROUTE_SCHEMAS];
  // Without a token the answer is 401 whatever the request (the pipeline authenticates first and
  // never runs an operation then; a caller of this function alone gets the same rule).
  if (!spec || (!OPEN.has(routeKey) && !req.headers['x-forensic-access-token'])) return { query: {}, body: undefined };
  const found: Found[] = [];
  let query: Record<string, unknown> = {};
  if (spec.query) {
    const parsed = spec.query.safeParse(req.query);
    if (parsed.success) query = parsed.data;
    else found.push(...parsed.error.issues.map((issue) => ({ where: 'query' as const, issue, data: req.query })));
  }
  let body: unknown;
  if (spec.body?.kind === 'json') {
    const read = jsonBody(req, { required: spec.body.required });
    const parsed = spec.body.schema.safeParse(read);
    if (parsed.success) body = parsed.data;
    else found.push(...parsed.error.issues.map((issue) => ({ where: 'body' as const, issue, data: read })));
  }
  if (found.length === 0) return { query, body };
  throw invalidRequest(found);
}

type Found = { where: RequestIssue['in']; issue: z.core.$ZodIssue; data: unknown };

/** The documented 400 of every request that does not match its schema: the first issue in the message, all in details. */
function invalidRequest(found: Found[]): ApiError {
  const details: RequestIssue[] = found.map((f) => ({
    in: f.where,
    path: pathText(f.issue.path),
    message: f.issue.code !== 'custom' && f.issue.path.length > 0 && isMissing(f.data, f.issue.path) ? 'Required' : f.issue.message,
  }));
  const first = details[0]!;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  const what = first.in === 'query' ? 'query parameter' : 'request body';
  return new ApiError(400, codeOf(found[0]!.where, found[0]!.issue, found[0]!.data), `Invalid ${what}${first.path ? ` at ${first.path}` : ''}: ${first.message}${more}`, details);
}

/**
 * An upload's payload part (uploadBody's `payload`: POST /api/folders, .../media, persons, the
 * Instant API) parsed by its route's schema, analyses by the same schema as the JSON body of POST
 * /api/folders/{folder_id}/analyses; throws the documented 400 before anything is stored.
 */
export function parseUploadPayload(payload: unknown): UploadPayloadInput {
  const data = { payload };
  const parsed = UploadPayloadPart.safeParse(data);
  if (!parsed.success) throw invalidRequest(parsed.error.issues.map((issue) => ({ where: 'body', issue, data })));
  return parsed.data.payload;
}
