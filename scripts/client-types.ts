// The client package's response types (clients/node/src/api-types.ts), generated from the OpenAPI
// document by openapi-typescript; the console (web/src/api.ts) uses them too. Run by
// `npm run openapi`; test/unit/openapi.test.ts fails when the checked-in file is not what this makes.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CLIENT_TYPES_PATH = 'clients/node/src/api-types.ts';
const REPO_ROOT = path.resolve(__dirname, '..');

/** The file's text for a document. Defaults do not make a field required: the client reads answers and writes requests. */
export async function clientTypesText(document: object): Promise<string> {
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import('openapi-typescript');
  return `${COMMENT_HEADER}${astToString(await openapiTS(JSON.parse(JSON.stringify(document)), { defaultNonNullable: false, silent: true }))}`;
}

if (require.main === module) {
  (async () => {
    const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'openapi/openapi.json'), 'utf8'));
    fs.writeFileSync(path.join(REPO_ROOT, CLIENT_TYPES_PATH), await clientTypesText(doc));
    console.log(`wrote ${CLIENT_TYPES_PATH}`);
  })().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
