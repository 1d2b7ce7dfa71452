// OZ_THROTTLING_RATES against the local runtime: off (and writing nothing) when unset; auth,
// rest_unauthorized and rps_with_token limits answered 429 with the documented body and
// Retry-After; the counters live in DynamoDB, so two functions (api and media) share them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ADMIN, OzClient, startRuntime, setFunctionEnv } from '../support/local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
const users: OzClient[] = [];
const saved = { ...process.env };

before(async () => {
  delete process.env.OZ_THROTTLING_RATES;
  runtime = await startRuntime();
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Throttle Co' } })).body.company_id;
  for (const n of [1, 2]) {
    const email = `t${n}@e2e.test`;
    await admin.request('POST', '/api/users', { json: { credentials: { email, password: 'throttle-pass-1' }, profile: { company_id: company, user_type: 'CLIENT' } } });
    const c = new OzClient(runtime.url);
    assert.equal((await c.login(email, 'throttle-pass-1')).status, 200);
    users.push(c);
  }
});
after(async () => {
  await runtime?.stop();
  process.env = saved;
});

async function throttleItems(): Promise<number> {
  const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: process.env.OZ_DYNAMODB_ENDPOINT });
  const out = await ddb.send(new ScanCommand({ TableName: Object.values(runtime.resources.tables)[0]!, FilterExpression: 'begins_with(pk, :t)', ExpressionAttributeValues: { ':t': { S: 'THROTTLE#' } } }));
  return out.Items?.length ?? 0;
}

const anonymous = () => new OzClient(runtime.url);

test('unset: no request is ever throttled and no counter is written', async () => {
  const statuses = await Promise.all([
    ...Array.from({ length: 15 }, () => anonymous().request('GET', '/api/healthcheck')),
    ...Array.from({ length: 15 }, () => users[0]!.request('GET', '/api/folders')),
    ...Array.from({ length: 5 }, () => anonymous().login('t1@e2e.test', 'wrong-password')),
  ]);
  assert.ok(statuses.every((r) => r.status !== 429));
  assert.equal(await throttleItems(), 0);
});

test('auth, rest_unauthorized and rps_with_token: 429 with the documented body and Retry-After once over', async () => {
  // Hour windows keep the counts exact; stay clear of the top of the hour.
  const left = 3600 - ((Date.now() / 1000) % 3600);
  if (left < 30) await new Promise((r) => setTimeout(r, left * 1000 + 500));
  setFunctionEnv('OZ_THROTTLING_RATES', 'auth=3/h, rest_unauthorized=4/h, rps_with_token=5/hour');
  try {
    const check429 = (res: { status: number; body: any }, limit: string, headers: Headers | null = null) => {
      assert.equal(res.status, 429, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['error_code', 'error_message', 'details']);
      assert.equal(res.body.error_code, 1429);
      assert.equal(res.body.details.limit, limit);
      assert.ok(res.body.details.retry_after >= 1 && res.body.details.retry_after <= 3600);
      if (headers) assert.equal(headers.get('retry-after'), String(res.body.details.retry_after));
    };
    // auth: per source IP, whatever the credentials.
    for (let i = 0; i < 3; i++) assert.equal((await anonymous().login('t1@e2e.test', 'wrong-password')).status, 401);
    const raw = await fetch(`${runtime.url}/api/authorize/auth`, { method: 'POST', body: JSON.stringify({ credentials: { email: 't1@e2e.test', password: 'throttle-pass-1' } }) });
    check429({ status: raw.status, body: await raw.json() }, 'auth', raw.headers);

    // rest_unauthorized: requests without a token, per source IP; an invalid token counts here too.
    for (let i = 0; i < 4; i++) assert.equal((await anonymous().request('GET', '/api/healthcheck')).status, 200);
    check429(await anonymous().request('GET', '/api/healthcheck'), 'rest_unauthorized');
    check429(await anonymous().request('GET', '/api/folders', { token: 'not-a-real-token' }), 'rest_unauthorized');

    // rps_with_token: per token, counted in DynamoDB across the api and media functions.
    const [u1, u2] = users as [OzClient, OzClient];
    for (let i = 0; i < 5; i++) {
      const res = i % 2 === 0 ? await u1.request('GET', '/api/folders') : await u1.request('POST', '/api/folders', { json: {} });
      assert.ok(res.status === 200 || res.status === 400, res.text);
    }
    check429(await u1.request('GET', '/api/folders'), 'rps_with_token');
    check429(await u1.request('POST', '/api/folders', { json: {} }), 'rps_with_token');
    assert.equal((await u2.request('GET', '/api/folders')).status, 200, 'another token has its own budget');
    assert.ok((await throttleItems()) >= 4);
  } finally {
    setFunctionEnv('OZ_THROTTLING_RATES', undefined);
  }
  assert.equal((await users[0]!.request('GET', '/api/folders')).status, 200, 'unset again: off');
});

test('a malformed OZ_THROTTLING_RATES is a logged 500 with the documented body, not silently off', async () => {
  setFunctionEnv('OZ_THROTTLING_RATES', 'auth=ten/min');
  try {
    const res = await anonymous().request('GET', '/api/healthcheck');
    assert.equal(res.status, 500);
    assert.equal(res.body.error_code, 0);
  } finally {
    setFunctionEnv('OZ_THROTTLING_RATES', undefined);
  }
});
