// The API reference page served by the local runtime at /docs, the document it loads, and the
// Postman collection's authentication scripts run against the same runtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ADMIN, startRuntime } from '../support/local';
import { DOCS_ASSETS, SWAGGER_UI_DIR } from '../../infra/docs/page';
import { postmanCollection, TOKEN_HEADER } from '../../scripts/postman';
import type { LocalRuntime } from '../../infra/local/runtime';

const ROOT = path.resolve(__dirname, '..', '..');
let runtime: LocalRuntime;

before(async () => {
  runtime = await startRuntime();
});
after(async () => {
  await runtime?.stop();
});

test('GET /docs serves the Swagger UI page, its assets from node_modules, and the spec it names', async () => {
  const bare = await fetch(`${runtime.url}/docs`, { redirect: 'manual' });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/docs/');
  const page = await fetch(`${runtime.url}/docs/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /^text\/html/);
  const html = await page.text();
  assert.match(html, /SwaggerUIBundle\(/);
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.includes('/docs/swagger-ui-bundle.js') && refs.includes('/docs/swagger-ui.css'), refs.join(' '));
  for (const ref of refs) {
    assert.ok(ref.startsWith('/docs/'), `${ref} is not served locally`);
    const res = await fetch(runtime.url + ref);
    assert.equal(res.status, 200, ref);
    const name = ref.slice('/docs/'.length);
    assert.equal(res.headers.get('content-type'), DOCS_ASSETS[name]);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(SWAGGER_UI_DIR, name))), `${ref} differs from swagger-ui-dist`);
  }
  // The spec the page loads: the API's own document, the same operations as the checked-in file.
  const specUrl = /data-spec-url="([^"]+)"/.exec(html)![1]!;
  const spec = await fetch(runtime.url + specUrl);
  assert.equal(spec.status, 200);
  const doc: any = await spec.json();
  assert.equal(doc.openapi, '3.1.0');
  const checkedIn = JSON.parse(fs.readFileSync(path.join(ROOT, 'openapi', 'openapi.json'), 'utf8'));
  assert.deepEqual(Object.keys(doc.paths).sort(), Object.keys(checkedIn.paths).sort());
  // Nothing but the listed files is reachable under /docs; other methods are not served there.
  assert.equal((await fetch(`${runtime.url}/docs/package.json`)).status, 404);
  assert.equal((await fetch(`${runtime.url}/docs/swagger-ui-bundle.js.map`)).status, 404);
  assert.notEqual((await fetch(`${runtime.url}/docs/`, { method: 'POST' })).status, 200);
});

/** Just enough of Postman's sandbox (pm) to run the collection's scripts, sending real requests. */
function sandbox(env: Map<string, string>, request: { url: string; headers: Map<string, string> }, response?: { code: number; body: string }) {
  const pending: Promise<void>[] = [];
  const pm = {
    environment: { get: (k: string) => env.get(k), set: (k: string, v: string) => env.set(k, v), unset: (k: string) => env.delete(k) },
    request: { headers: { has: (k: string) => request.headers.has(k), upsert: (h: { key: string; value: string }) => request.headers.set(h.key, h.value) } },
    response: response && { code: response.code, json: () => JSON.parse(response.body) },
    sendRequest: (req: { url: string; method: string; header: Record<string, string>; body: { raw: string } }, done: (err: unknown, res?: unknown) => void) => {
      pending.push(
        fetch(req.url, { method: req.method, headers: req.header, body: req.body.raw }).then(
          async (res) => {
            const text = await res.text();
            done(null, { code: res.status, json: () => JSON.parse(text), text: () => text });
          },
          (err: unknown) => done(err),
        ),
      );
    },
  };
  return { pm, settle: async () => void (await Promise.all(pending)) };
}

test('the Postman pre-request script logs in with the environment credentials; the test script forgets refused tokens', async () => {
  const collection = postmanCollection(JSON.parse(fs.readFileSync(path.join(ROOT, 'openapi', 'openapi.json'), 'utf8'))) as any;
  const script = (listen: string) => collection.event.find((e: any) => e.listen === listen).script.exec.join('\n');
  const env = new Map([
    ['host', runtime.url],
    ['email', ADMIN.email],
    ['password', ADMIN.password],
  ]);
  const run = async (listen: string, request: { url: string; headers: Map<string, string> }, response?: { code: number; body: string }) => {
    const { pm, settle } = sandbox(env, request, response);
    vm.runInNewContext(script(listen), { pm, console: { warn: () => {}, error: () => {} }, Date, JSON, Number, String });
    await settle();
  };
  // A request without the token header (log in, health) is left alone.
  await run('prerequest', { url: '/api/healthcheck', headers: new Map() });
  assert.equal(env.get('token'), undefined);
  // A secured request: the script logs in and the token works.
  const headers = new Map([[TOKEN_HEADER, '{{token}}']]);
  await run('prerequest', { url: '/api/folders', headers });
  const token = env.get('token')!;
  assert.match(token, /^[0-9a-f]+$/);
  assert.equal(headers.get(TOKEN_HEADER), token);
  assert.ok(Number(env.get('token_expire_date')) > Date.now() / 1000);
  const folders = await fetch(`${runtime.url}/api/folders`, { headers: { [TOKEN_HEADER]: token } });
  assert.equal(folders.status, 200);
  // A valid, unexpired token is reused: no new login.
  await run('prerequest', { url: '/api/folders', headers: new Map([[TOKEN_HEADER, '{{token}}']]) });
  assert.equal(env.get('token'), token);
  // The server refuses a token (401/7): the test script drops it, and the next request logs in again.
  const refused = await fetch(`${runtime.url}/api/folders`, { headers: { [TOKEN_HEADER]: 'deadbeef' } });
  await run('test', { url: '/api/folders', headers: new Map() }, { code: refused.status, body: await refused.text() });
  assert.equal(env.get('token'), undefined);
  await run('prerequest', { url: '/api/folders', headers: new Map([[TOKEN_HEADER, '{{token}}']]) });
  assert.notEqual(env.get('token'), token);
  // Wrong credentials: no token is stored.
  env.delete('token');
  env.set('password', 'wrong-password-1');
  await run('prerequest', { url: '/api/folders', headers: new Map([[TOKEN_HEADER, '{{token}}']]) });
  assert.equal(env.get('token'), undefined);
});
