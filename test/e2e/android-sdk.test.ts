// The Android SDK 2.0.2 option (OZ_INTEGER_TIMESTAMPS=true): it parses time_created, expire_date and
// session_id as integers, so with the option on they are answered so (the documents show
// "session_id": 0), and token_id keeps the UUID.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, OzClient, createLoggedInUser, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
let admin: OzClient;
const saved = process.env.OZ_INTEGER_TIMESTAMPS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

before(async () => {
  process.env.OZ_INTEGER_TIMESTAMPS = 'true'; // the function processes inherit it
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
});
after(async () => {
  await runtime?.stop();
  if (saved === undefined) delete process.env.OZ_INTEGER_TIMESTAMPS;
  else process.env.OZ_INTEGER_TIMESTAMPS = saved;
});

test('auth, refresh, service tokens and sessions answer session_id as an integer; token_id stays a UUID', async () => {
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Android Co' } })).body.company_id;
  const { client, id } = await createLoggedInUser(runtime.url, admin, { email: 'android@sdk.test', password: 'android-pass-1' }, { company_id: company, user_type: 'CLIENT' });

  const auth = await client.request('POST', '/api/authorize/auth', { json: { credentials: { email: 'android@sdk.test', password: 'android-pass-1' } }, token: null });
  assert.equal(auth.status, 200, auth.text);
  assert.ok(Number.isSafeInteger(auth.body.session_id) && auth.body.session_id >= 0, auth.text);
  assert.match(auth.text, /"session_id": \d+[,}]/); // a JSON integer, as the SDK's parser wants
  assert.match(auth.body.token_id, UUID);
  assert.ok(Number.isInteger(auth.body.expire_date));
  assert.ok(Number.isInteger(auth.body.user.time_created));

  client.token = auth.body.access_token;
  const refreshed = await client.request('POST', '/api/authorize/refresh', { json: { expire_token: auth.body.expire_token } });
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.ok(Number.isSafeInteger(refreshed.body.session_id));
  assert.notEqual(refreshed.body.session_id, auth.body.session_id);
  assert.match(refreshed.body.token_id, UUID);
  client.token = refreshed.body.access_token;

  // The sessions list answers the same integers, and DELETE takes one.
  const sessions = await client.request('GET', `/api/users/${id}/sessions`);
  assert.equal(sessions.status, 200, sessions.text);
  const ids = sessions.body.items.map((s: { session_id: number }) => s.session_id);
  assert.ok(ids.every(Number.isSafeInteger), sessions.text);
  assert.ok(ids.includes(refreshed.body.session_id));
  const other = (await new OzClient(runtime.url).login('android@sdk.test', 'android-pass-1')).body;
  assert.equal((await client.request('DELETE', `/api/users/${id}/sessions/${other.session_id}`)).status, 204);
  assert.equal((await client.request('GET', '/api/folders', { token: other.access_token })).status, 401);

  // Service tokens of the documents' example ("session_id": 0 there).
  const service = (await createLoggedInUser(runtime.url, admin, { email: 'svc@sdk.test', password: 'android-pass-1' }, { company_id: company, user_type: 'CLIENT_SERVICE' })).id;
  const token = await admin.request('POST', `/api/authorize/service_token/${service}`);
  assert.equal(token.status, 200, token.text);
  assert.ok(Number.isSafeInteger(token.body.session_id));
  assert.match(token.body.token_id, UUID);
});
