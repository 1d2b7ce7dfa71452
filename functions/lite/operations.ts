// API Lite's routes -> operations, each answering its processor's documented errors (BPE-* for
// /version and /v1/face/pattern, LDE-* for /v1/face/liveness). Stateless: nothing is stored.
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { httpHandler, type OpenOperation, type Operations } from '../api/pipeline';
import type { Request } from '../api/http';
import { coreConfigOf } from '../config';
import { biometry } from './biometry';
import { liteConfigOf, type LiteConfig } from './config';
import type { LiteEngine } from './engine';
import { toLiteResponse, type LiteDomain } from './errors';
import { healthAnswer, versionAnswer } from './info';
import { detect } from './liveness';

/** API Lite answers its errors in its processor's terms: LDE-* for liveness, BPE-* for the rest. */
const domainOf = (routeKey: string): LiteDomain => (routeKey.includes('/v1/face/liveness/') ? 'LDE' : 'BPE');

type LiteOp = (req: Request) => Promise<APIGatewayProxyResultV2>;
const op =
  (run: LiteOp): OpenOperation =>
  (input) =>
    run(input.request);

/** Exactly the table's API Lite routes: adding one there without an operation here fails to compile. */
export function liteOperations(engine: LiteEngine, config: LiteConfig): Operations<'lite'> {
  const pattern = biometry(engine, config);
  return {
    'GET /version': op(async () => versionAnswer(engine)),
    'GET /v1/face/pattern/health': op(() => healthAnswer(engine, 'biometric')),
    'POST /v1/face/pattern/extract': op(pattern.extract!),
    'POST /v1/face/pattern/compare': op(pattern.compare!),
    'POST /v1/face/pattern/verify': op(pattern.verify!),
    'POST /v1/face/pattern/extract_and_compare': op(pattern.extract_and_compare!),
    'POST /v1/face/pattern/compare_n': op(pattern.compare_n!),
    'POST /v1/face/pattern/verify_n': op(pattern.verify_n!),
    'POST /v1/face/pattern/extract_and_compare_n': op(pattern.extract_and_compare_n!),
    'GET /v1/face/liveness/health': op(() => healthAnswer(engine, 'liveness')),
    'POST /v1/face/liveness/detect': op(detect(engine, config)),
  };
}

/** The Lambda handler: the shared HTTP pipeline (functions/api/pipeline.ts) with API Lite's operations and error answers. */
export function createLiteHandler(engine: LiteEngine, config?: LiteConfig) {
  return httpHandler('lite', (appConfig) => liteOperations(engine, config ?? liteConfigOf(coreConfigOf(appConfig))), {
    liteErrors: (routeKey, err) => toLiteResponse(domainOf(routeKey), err),
  });
}
