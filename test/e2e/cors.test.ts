// CORS for browser callers of the API and API Lite (API Lite changelog 08.2021), with
// OZ_CORS_ORIGINS set: the local runtime answers from the HTTP API's CorsConfiguration in the
// synthesized template, as API Gateway does in AWS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, OzClient, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import { parseCorsOrigins } from '../../infra/cors';

const ORIGIN = 'https://app.example.com';
let runtime: LocalRuntime;
const saved = process.env.OZ_CORS_ORIGINS;

before(async () => {
  process.env.OZ_CORS_ORIGINS = `${ORIGIN}, http://localhost:3000`;
  runtime = await startRuntime();
});
after(async () => {
  await runtime?.stop();
  if (saved === undefined) delete process.env.OZ_CORS_ORIGINS;
  else process.env.OZ_CORS_ORIGINS = saved;
});

const preflight = (path: string, origin: string, method = 'POST') =>
  fetch(runtime.url + path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'x-forensic-access-token,content-type' } });

test('the template carries the CORS configuration API Gateway applies', () => {
  const api = Object.values(runtime.template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Api')!;
  const cors = api.Properties!['CorsConfiguration'] as Record<string, unknown>;
  assert.deepEqual(cors['AllowOrigins'], [ORIGIN, 'http://localhost:3000']);
  assert.ok((cors['AllowHeaders'] as string[]).includes('x-forensic-access-token'));
  assert.ok((cors['AllowMethods'] as string[]).includes('DELETE'));
});

test('preflights of the API and API Lite are answered for allowed origins, and answers carry Access-Control-Allow-Origin', async () => {
  for (const path of ['/api/folders/', '/api/authorize/auth', '/v1/face/liveness/detect', '/api/folders/x/analyses']) {
    const res = await preflight(path, ORIGIN);
    assert.equal(res.status, 204, path);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /x-forensic-access-token/);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.equal(res.headers.get('access-control-max-age'), '3600');
  }
  // Another origin gets no CORS header: the browser refuses the answer.
  const other = await preflight('/api/folders', 'https://evil.example');
  assert.equal(other.headers.get('access-control-allow-origin'), null);

  // Real requests: the header is on successes and errors alike, and the token header works.
  const login = await fetch(`${runtime.url}/api/authorize/auth`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ credentials: ADMIN }) });
  assert.equal(login.status, 200);
  assert.equal(login.headers.get('access-control-allow-origin'), ORIGIN);
  const token = ((await login.json()) as { access_token: string }).access_token;
  const list = await fetch(`${runtime.url}/api/folders`, { headers: { origin: 'http://localhost:3000', 'x-forensic-access-token': token } });
  assert.equal(list.status, 200);
  assert.equal(list.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  const denied = await fetch(`${runtime.url}/api/folders`, { headers: { origin: ORIGIN } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(denied.headers.get('access-control-expose-headers') ?? '', /retry-after/);
  const lite = await fetch(`${runtime.url}/version`, { headers: { origin: ORIGIN } });
  assert.equal(lite.headers.get('access-control-allow-origin'), ORIGIN);
  // Without an Origin (not a browser) nothing changes.
  const plain = await new OzClient(runtime.url).login(ADMIN.email, ADMIN.password);
  assert.equal(plain.status, 200);
});

test('OZ_CORS_ORIGINS is checked: origins only, "*" alone', () => {
  assert.equal(parseCorsOrigins(undefined), null);
  assert.equal(parseCorsOrigins(' '), null);
  assert.deepEqual(parseCorsOrigins('*'), ['*']);
  assert.throws(() => parseCorsOrigins('https://a.example/path'), /scheme:\/\/host/);
  assert.throws(() => parseCorsOrigins('a.example'), /not an origin/);
  assert.throws(() => parseCorsOrigins('*,https://a.example'), /alone/);
});
