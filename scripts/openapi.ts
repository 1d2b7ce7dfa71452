// npm run openapi: writes the OpenAPI 3.1 document of functions/api/schemas to openapi/openapi.json
// (checked in; test/unit/openapi.test.ts fails when it is not current).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OPENAPI_PATH, openApiText, undescribedRoutes } from '../functions/api/schemas/openapi';

const REPO_ROOT = path.resolve(__dirname, '..');

const file = path.join(REPO_ROOT, OPENAPI_PATH);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, openApiText());
console.log(`wrote ${OPENAPI_PATH}`);
const missing = undescribedRoutes();
if (missing.length) {
  console.error(`left out (no entry in functions/api/schemas/routes.ts): ${missing.join(', ')}`);
  process.exitCode = 1;
}
