// The shared HTTP pipeline (functions/api/pipeline.ts) without a runtime: authentication before any
// operation, the routing answers, a bad configuration, and the deadline guard against a real socket
// that never answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler } from '../../functions/api/handler';
import { resetCoreDeps } from '../../functions/wiring';
import { liteEvent } from './lite/helpers';

const saved = { ...process.env };
let silent: net.Server;
const sockets: net.Socket[] = [];

before(async () => {
  // A "DynamoDB" that accepts connections and never answers: a request waiting on it can only end by the guard.
  silent = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  process.env = saved;
  resetCoreDeps();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

function event(method: string, path: string, headers: Record<string, string> = {}, body?: string, routeKey = `${method} ${path}`): APIGatewayProxyEventV2 {
  return { ...liteEvent(method, path, body ?? null, headers, routeKey), requestContext: { requestId: 'req-1', http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' } } as APIGatewayProxyEventV2['requestContext'] };
}

const call = async (e: APIGatewayProxyEventV2, remainingMs?: number) =>
  (await handler(e, remainingMs === undefined ? {} : { getRemainingTimeInMillis: () => remainingMs })) as APIGatewayProxyStructuredResultV2;
const bodyOf = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(String(r.body)) as { error_code: number; error_message: string; details?: unknown };

test('a route not marked open answers 401 before its operation, whatever the body', async () => {
  const res = await call(event('POST', '/api/folders/f1/analyses', {}, '{"analyses": "not even an array"}', 'POST /api/folders/{folder_id}/analyses'));
  assert.equal(res.statusCode, 401);
  assert.equal(bodyOf(res).error_code, 6);
});

test('open routes run without a token; unknown paths and wrong methods answer the documented errors', async () => {
  assert.equal((await call(event('GET', '/api/healthcheck'))).statusCode, 200);
  const missing = await call(event('GET', '/api/nothing-here', {}, undefined, '$default'));
  assert.equal(missing.statusCode, 404);
  assert.equal(bodyOf(missing).error_code, 10);
  const wrong = await call(event('PUT', '/api/healthcheck', {}, undefined, '$default'));
  assert.equal(wrong.statusCode, 405);
  assert.equal(bodyOf(wrong).error_code, 1);
});

test('a bad configuration answers the documented 500, and the next good one works again', async () => {
  process.env.OZ_SESSION_TTL = 'soon';
  resetCoreDeps();
  try {
    const res = await call(event('GET', '/api/healthcheck'));
    assert.equal(res.statusCode, 500);
    assert.equal(bodyOf(res).error_code, 0);
  } finally {
    delete process.env.OZ_SESSION_TTL;
    resetCoreDeps();
  }
  assert.equal((await call(event('GET', '/api/healthcheck'))).statusCode, 200);
});

test('the deadline guard answers 503 with the documented body before the function would time out', async () => {
  Object.assign(process.env, {
    OZ_TABLE_NAME: 'unit',
    OZ_BUCKET_NAME: 'unit',
    OZ_QUEUE_URL: 'http://127.0.0.1:1/queue',
    OZ_DYNAMODB_ENDPOINT: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
    OZ_DEADLINE_MARGIN_MS: '200',
  });
  resetCoreDeps();
  const login = event('POST', '/api/authorize/auth', {}, JSON.stringify({ credentials: { email: 'a@b.test', password: 'whatever-1' } }));
  const res = await call(login, 700);
  assert.equal(res.statusCode, 503);
  const body = bodyOf(res);
  assert.equal(body.error_code, 0);
  assert.deepEqual(body.details, { reason: 'deadline' });
});
