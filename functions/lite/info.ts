// GET /version and the two health checks.
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import pkg from '../../package.json';
import { jsonAnswer } from './answers';
import type { LiteEngine } from './engine';
import { errorInfo, logger } from '../observability';

/** {"core", "tfss", "models": [{"name", "version"}]}: this product's version, the inference runtime's, the models'. */
export function versionAnswer(engine: LiteEngine): APIGatewayProxyResultV2 {
  return jsonAnswer({ core: pkg.version, tfss: engine.runtimeVersion(), models: engine.models() });
}

/** {"status": 0, "message": ""} when every model loads and runs, else status 3 and why. */
export async function healthAnswer(engine: LiteEngine, processor: 'biometric' | 'liveness'): Promise<APIGatewayProxyResultV2> {
  try {
    await engine.warmUp();
    return jsonAnswer({ status: 0, message: '' });
  } catch (err) {
    logger.error(`API Lite ${processor} health: the models cannot load`, errorInfo(err));
    return jsonAnswer({ status: 3, message: `The ${processor} processor is inoperative: ${err instanceof Error ? err.message : String(err)}` });
  }
}
