// The API Lite Lambda (GET /version, /v1/face/pattern/*, /v1/face/liveness/*): stateless,
// synchronous inference through layers/vision. Everything else lives beside it in functions/lite.
import { visionEngine } from './engine';
import { createLiteHandler } from './operations';

export const handler = createLiteHandler(visionEngine());
