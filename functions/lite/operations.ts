// API Lite's routes -> operations, each answering its processor's documented errors (BPE-* for
// /version and /v1/face/pattern, LDE-* for /v1/face/liveness). Stateless: nothing is stored.
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ROUTES, TRAILING_SLASH_SUFFIX } from '../api/route-table';
import { createRouter, type Operation } from '../api/router';
import { toRequest, type Request } from '../api/http';
import { biometry } from './biometry';
import { liteConfigFromEnv, type LiteConfig } from './config';
import type { LiteEngine } from './engine';
import { toLiteResponse, type LiteDomain } from './errors';
import { healthAnswer, versionAnswer } from './info';
import { detect } from './liveness';
import { liteMethodError } from './methods';

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
/** Exactly the table's API Lite routes: adding one there without an operation here fails to compile. */
export type LiteRouteKey = KeyOf<Extract<(typeof ROUTES)[number], { fn: 'lite' }>>;

const guarded = (domain: LiteDomain, op: (req: Request) => Promise<APIGatewayProxyResultV2>): Operation => async (req) => {
  try {
    return await op(req);
  } catch (err) {
    return toLiteResponse(domain, err);
  }
};

export function liteOperations(engine: LiteEngine, config: LiteConfig = liteConfigFromEnv()): Record<LiteRouteKey, Operation> {
  const pattern = biometry(engine, config);
  const bpe = (name: keyof typeof pattern) => guarded('BPE', pattern[name]!);
  return {
    'GET /version': guarded('BPE', async () => versionAnswer(engine)),
    'GET /v1/face/pattern/health': guarded('BPE', () => healthAnswer(engine, 'biometric')),
    'POST /v1/face/pattern/extract': bpe('extract'),
    'POST /v1/face/pattern/compare': bpe('compare'),
    'POST /v1/face/pattern/verify': bpe('verify'),
    'POST /v1/face/pattern/extract_and_compare': bpe('extract_and_compare'),
    'POST /v1/face/pattern/compare_n': bpe('compare_n'),
    'POST /v1/face/pattern/verify_n': bpe('verify_n'),
    'POST /v1/face/pattern/extract_and_compare_n': bpe('extract_and_compare_n'),
    'GET /v1/face/liveness/health': guarded('LDE', () => healthAnswer(engine, 'liveness')),
    'POST /v1/face/liveness/detect': guarded('LDE', detect(engine, config)),
  };
}

/** The Lambda handler: the shared router (routeKeys, trailing-slash twins), with API Lite's method errors. */
export function createLiteHandler(engine: LiteEngine, config?: LiteConfig) {
  const ops = liteOperations(engine, config);
  const route = createRouter('lite', ops as Record<string, Operation>);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    const key = event.routeKey.endsWith(TRAILING_SLASH_SUFFIX) ? event.routeKey.slice(0, -TRAILING_SLASH_SUFFIX.length) : event.routeKey;
    if (!(key in ops)) {
      const req = toRequest(event);
      const wrongMethod = liteMethodError(req.method, req.path);
      if (wrongMethod) return wrongMethod;
    }
    return route(event);
  };
}
