// POST /api/authorize/refresh after the access token has expired (what refresh is for), against the
// local runtime with 2-second sessions: the expire_token is the credential, the header optional.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, OzClient, createLoggedInUser, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
const saved = process.env.OZ_SESSION_TTL;

before(async () => {
  process.env.OZ_SESSION_TTL = '2'; // the function processes inherit it
  runtime = await startRuntime();
});
after(async () => {
  await runtime?.stop();
  if (saved === undefined) delete process.env.OZ_SESSION_TTL;
  else process.env.OZ_SESSION_TTL = saved;
});

const expire = () => new Promise((r) => setTimeout(r, 2600));

test('an expired access token is refused with 401/8, and its expire_token still refreshes the pair, with or without the header', async () => {
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Refresh Co' } })).body.company_id;
  const other = (await createLoggedInUser(runtime.url, admin, { email: 'other@refresh.test', password: 'refresh-pass-1' }, { company_id: company, user_type: 'CLIENT' })).client.token!;
  const { client } = await createLoggedInUser(runtime.url, admin, { email: 'r@refresh.test', password: 'refresh-pass-1' }, { company_id: company, user_type: 'CLIENT' });
  const first = (await client.login('r@refresh.test', 'refresh-pass-1')).body;
  await expire();
  const expired = await client.request('GET', '/api/folders');
  assert.deepEqual([expired.status, expired.body.error_code], [401, 8]);

  // The documents' request: expire_token in the body and the (expired) token in the header.
  const withHeader = await client.request('POST', '/api/authorize/refresh', { json: { expire_token: first.expire_token } });
  assert.equal(withHeader.status, 200, withHeader.text);
  assert.match(withHeader.text, /"access_token": "[a-z0-9]+"/);
  assert.ok(withHeader.body.expire_date > Date.now() / 1000);
  assert.equal((await client.request('GET', '/api/folders', { token: withHeader.body.access_token })).status, 200);

  await expire();
  // Without the header (it is optional).
  const bare = await client.request('POST', '/api/authorize/refresh/', { json: { expire_token: withHeader.body.expire_token }, token: null });
  assert.equal(bare.status, 200, bare.text);
  assert.equal((await client.request('GET', '/api/folders', { token: bare.body.access_token })).status, 200);

  // Someone else's token in the header: 403, as the documents' message says.
  const foreign = await client.request('POST', '/api/authorize/refresh', { json: { expire_token: bare.body.expire_token }, token: other });
  assert.deepEqual([foreign.status, foreign.body.error_code], [403, 9], foreign.text);
  assert.match(foreign.body.error_message, /You have not access to refresh this session/);
  // An unknown expire_token, or none.
  const unknown = await client.request('POST', '/api/authorize/refresh', { json: { expire_token: 'f'.repeat(64) }, token: null });
  assert.deepEqual([unknown.status, unknown.body.error_code], [401, 7]);
  const missing = await client.request('POST', '/api/authorize/refresh', { json: {}, token: null });
  assert.deepEqual([missing.status, missing.body.error_code], [400, 3]);
});
