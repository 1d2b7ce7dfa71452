// `npm run docs:build [-- --out DIR --api-url URL]`: the API reference as a static folder (default
// dist/docs) to upload anywhere; --api-url (or OZ_DOCS_API_URL) names the API "Try it out" calls.
import * as path from 'node:path';
import { buildDocsSite, DEFAULT_OUT, SWAGGER_UI_VERSION } from '../infra/docs/page';

function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = path.resolve(option('out') ?? DEFAULT_OUT);
  const files = buildDocsSite(out, { apiUrl: option('api-url') ?? process.env['OZ_DOCS_API_URL'] });
  console.log(`wrote ${files.length} files to ${path.relative(process.cwd(), out) || '.'} (Swagger UI ${SWAGGER_UI_VERSION}); open index.html through any static web server`);
}

if (require.main === module) main();
