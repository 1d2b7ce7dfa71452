// The interactive API reference: Swagger UI (swagger-ui-dist, pinned in package.json, copied from
// node_modules, never fetched from a CDN) showing openapi/openapi.json. The local runtime serves it
// at /docs (infra/local/http-server.ts); `npm run docs:build` writes it as a static folder
// (scripts/docs-site.ts); infra/docs-site.ts deploys that folder.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
export const SWAGGER_UI_VERSION = (JSON.parse(fs.readFileSync(path.join(SWAGGER_UI_DIR, 'package.json'), 'utf8')) as { version: string }).version;
export const OPENAPI_FILE = path.join(ROOT, 'openapi', 'openapi.json');
export const DEFAULT_OUT = path.join(ROOT, 'dist', 'docs');

/** The files of swagger-ui-dist the page loads, and their types. */
export const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The page. `assetBase` is where the Swagger UI files are (ending in "/"), `specUrl` where the
 * OpenAPI document is; both are read from data attributes so the script stays static.
 */
export function docsIndexHtml(options: { assetBase: string; specUrl: string; title?: string }): string {
  const title = options.title ?? 'oz-open API reference';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeAttr(title)}</title>
  <link rel="icon" type="image/png" href="${escapeAttr(options.assetBase)}favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="${escapeAttr(options.assetBase)}favicon-16x16.png" sizes="16x16">
  <link rel="stylesheet" href="${escapeAttr(options.assetBase)}swagger-ui.css">
  <style>body { margin: 0; } .topbar { display: none; }</style>
</head>
<body>
  <div id="oz-api-reference" data-spec-url="${escapeAttr(options.specUrl)}"></div>
  <script src="${escapeAttr(options.assetBase)}swagger-ui-bundle.js"></script>
  <script>
    // Swagger UI ${SWAGGER_UI_VERSION}: "Authorize" takes the access_token of POST /api/authorize/auth
    // (sent as X-Forensic-Access-Token); "Try it out" calls the API this page came with.
    window.ui = SwaggerUIBundle({
      url: document.getElementById('oz-api-reference').dataset.specUrl,
      dom_id: '#oz-api-reference',
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      tryItOutEnabled: false,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
    });
  </script>
</body>
</html>
`;
}

export const readAsset = (name: string): Buffer => fs.readFileSync(path.join(SWAGGER_UI_DIR, name));

/**
 * Writes the static site: index.html, the Swagger UI files and openapi.json. With `apiUrl`, the
 * copy of the document names that API as its server, so "Try it out" works from any host.
 * `withSpec: false` leaves openapi.json out (the CDK construct adds it with the deployed API's URL).
 */
export function buildDocsSite(outDir: string, options: { apiUrl?: string; openapiFile?: string; withSpec?: boolean } = {}): string[] {
  const doc = JSON.parse(fs.readFileSync(options.openapiFile ?? OPENAPI_FILE, 'utf8')) as Record<string, unknown>;
  if (options.apiUrl) doc['servers'] = [{ url: options.apiUrl.replace(/\/+$/, ''), description: 'The API' }];
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, data: string | Buffer) => {
    fs.writeFileSync(path.join(outDir, name), data);
    written.push(name);
  };
  write('index.html', docsIndexHtml({ assetBase: './', specUrl: './openapi.json' }));
  for (const name of Object.keys(DOCS_ASSETS)) write(name, readAsset(name));
  if (options.withSpec !== false) write('openapi.json', JSON.stringify(doc, null, 2) + '\n');
  return written;
}

/** What the local runtime answers under /docs: the page (spec from the API itself) and its assets. */
export function localDocsResponse(pathname: string): { status: number; headers: Record<string, string>; body: Buffer } | null {
  if (pathname === '/docs') return { status: 301, headers: { location: '/docs/' }, body: Buffer.alloc(0) };
  if (!pathname.startsWith('/docs/')) return null;
  const name = pathname.slice('/docs/'.length);
  if (name === '' || name === 'index.html') {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(docsIndexHtml({ assetBase: '/docs/', specUrl: '/api/openapi.json' })) };
  }
  // Only the listed files: nothing else of node_modules can be reached through this path.
  const type = DOCS_ASSETS[name];
  if (!type) return { status: 404, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"message":"Not Found"}') };
  return { status: 200, headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' }, body: readAsset(name) };
}
