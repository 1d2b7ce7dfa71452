// BPE-002002 / LDE-002002 for API Lite paths called with a method they do not take. Light on
// purpose (the route table and the error body only): the "api" function, which API Gateway's
// $default route reaches, can import it without the models.
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { ROUTES } from '../api/route-table';
import { liteErrorResponse, type LiteDomain } from './errors';

export const domainOf = (path: string): LiteDomain => (path.startsWith('/v1/face/liveness') ? 'LDE' : 'BPE');

const LITE_PATHS = new Map<string, string[]>();
for (const r of ROUTES) if (r.fn === 'lite') LITE_PATHS.set(r.path, [...(LITE_PATHS.get(r.path) ?? []), r.method]);

/**
 * BPE-002002 / LDE-002002 for an API Lite path called with a method it does not take (e.g. GET
 * /v1/face/pattern/extract); null for any other request. For whichever function receives such a
 * request (API Gateway sends it to the "$default" route).
 */
export function liteMethodError(method: string, path: string): APIGatewayProxyResultV2 | null {
  const bare = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const methods = LITE_PATHS.get(bare);
  if (!methods || methods.includes(method.toUpperCase())) return null;
  return liteErrorResponse(domainOf(bare), 'method', `${method.toUpperCase()} ${bare} is not allowed; use ${methods.join(' or ')}`);
}
