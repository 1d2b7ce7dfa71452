// Request validation from the route schemas, a step of the HTTP pipeline (../pipeline.ts) after
// authentication and before the operation. It checks
// shape and types (what the schema documents); the core still checks values, permissions and
// existence with its own messages, so the schemas stay as lenient as the core: unknown fields are
// kept, JSON is read whatever the Content-Type, and fields the core ignores are documented only.
import type { z } from 'zod';
import { ApiError, ErrorCode } from '../../../layers/core/errors';
import { jsonBody, type Request } from '../http';
import { ROUTES, routeKeyOf, type RouteDef } from '../route-table';
import { ROUTE_SCHEMAS } from './routes';

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
 * values are all text, so a wrong one is a wrong value).
 */
function codeOf(where: RequestIssue['in'], issue: z.core.$ZodIssue, data: unknown): number {
  if (where === 'query') return ErrorCode.INVALID_VALUE;
  if (issue.code !== 'invalid_type') return ErrorCode.INVALID_VALUE;
  if (issue.path.length === 0 || isMissing(data, issue.path) || CONTAINERS.has(issue.expected)) return ErrorCode.INVALID_STRUCTURE;
  return ErrorCode.INVALID_TYPE;
}

const pathText = (path: PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');

/** Throws the documented 400 when the request does not match its route's schema. */
export function validateRequest(routeKey: string, req: Request): void {
  const spec = ROUTE_SCHEMAS[routeKey as keyof typeof ROUTE_SCHEMAS];
  if (!spec) return;
  // Without a token the answer is 401 whatever the body (the pipeline authenticates first; a caller
  // of this function alone gets the same rule).
  if (!OPEN.has(routeKey) && !req.headers['x-forensic-access-token']) return;
  const found: { where: RequestIssue['in']; issue: z.core.$ZodIssue; data: unknown }[] = [];
  if (spec.query) {
    const parsed = spec.query.safeParse(req.query);
    if (!parsed.success) found.push(...parsed.error.issues.map((issue) => ({ where: 'query' as const, issue, data: req.query })));
  }
  if (spec.body?.kind === 'json') {
    const body = jsonBody(req, { required: spec.body.required });
    const parsed = spec.body.schema.safeParse(body);
    if (!parsed.success) found.push(...parsed.error.issues.map((issue) => ({ where: 'body' as const, issue, data: body })));
  }
  if (found.length === 0) return;
  const details: RequestIssue[] = found.map((f) => ({
    in: f.where,
    path: pathText(f.issue.path),
    message: f.issue.code === 'invalid_type' && f.issue.path.length > 0 && isMissing(f.data, f.issue.path) ? 'Required' : f.issue.message,
  }));
  const first = details[0]!;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  const what = first.in === 'query' ? 'query parameter' : 'request body';
  throw new ApiError(400, codeOf(found[0]!.where, found[0]!.issue, found[0]!.data), `Invalid ${what}${first.path ? ` at ${first.path}` : ''}: ${first.message}${more}`, details);
}
