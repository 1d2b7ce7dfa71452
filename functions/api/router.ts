// Dispatch on the API Gateway routeKey; the "$default" route (and trailing-slash twins) answer
// with the documented error body instead of API Gateway's bare {"message":"Not Found"}.
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { notAllowed, notFound } from '../../layers/core/errors';
import { ROUTES, TRAILING_SLASH_SUFFIX, routeKeyOf, type FunctionName } from './route-table';
import { decodeComponent, errorResponse, malformedPath, toRequest, type Request } from './http';
import { liteMethodError } from '../lite/methods';
import { withThrottling } from './throttle';
import { rateCounter } from '../wiring';
import { validateRequest } from './schemas/validate';

export type Operation = (req: Request) => Promise<APIGatewayProxyResultV2>;

/** Matches a concrete path against the table (used for "$default": wrong method vs no such path). */
function matchPath(path: string): { key: string; params: Record<string, string> }[] {
  const segments = path.replace(/\/+$/, '').split('/');
  const found: { key: string; params: Record<string, string> }[] = [];
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const s = segments[i]!;
      if (p.startsWith('{')) {
        const decoded = decodeComponent(s);
        if (decoded === null) throw malformedPath();
        params[p.slice(1, -1)] = decoded;
        return s !== '';
      }
      return p === s;
    });
    if (ok) found.push({ key: routeKeyOf(route), params });
  }
  return found;
}

export function createRouter(fn: FunctionName, operations: Record<string, Operation>) {
  // OZ_THROTTLING_RATES (functions/api/throttle.ts): counted before dispatch, off when unset.
  return withThrottling(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    try {
      const req = toRequest(event);
      let key = req.routeKey;
      if (key.endsWith(TRAILING_SLASH_SUFFIX)) {
        // A non-empty remainder is a longer path that a greedy twin caught (PATCH /api/folders/{id}/analyses
        // lands on the twin of PATCH /api/folders/{id}): decide it like "$default", so a documented path
        // with the wrong method answers 405 / error_code 1, not 404.
        key = (req.params['proxy'] ?? '') !== '' ? '$default' : key.slice(0, -TRAILING_SLASH_SUFFIX.length);
        delete req.params['proxy'];
      }
      if (key === '$default') {
        // API Lite paths called with the wrong method answer in API Lite's own terms.
        const liteError = liteMethodError(req.method, req.path);
        if (liteError) return liteError;
        const candidates = matchPath(req.path);
        const exact = candidates.find((c) => c.key.startsWith(`${req.method} `));
        if (!exact) throw candidates.length ? notAllowed(req.method) : notFound(`Endpoint ${req.method} ${req.path}`);
        key = exact.key;
        Object.assign(req.params, exact.params);
      }
      const op = operations[key];
      if (!op) throw notFound(`Endpoint ${key} in the ${fn} function`);
      validateRequest(key, req);
      return await op(req);
    } catch (err) {
      return errorResponse(err);
    }
  }, rateCounter);
}
