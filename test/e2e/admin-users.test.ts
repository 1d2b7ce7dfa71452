// Companies and users CRUD, passwords, sessions and GET /api/config against the real local runtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ADMIN, OzClient, startRuntime, createLoggedInUser } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

const PASSWORD = 'users-pass-1';
let runtime: LocalRuntime;
let admin: OzClient;
let companyA: string;
let companyB: string;
let caA: OzClient;
let caB: OzClient;
let n = 0;

async function newUser(type: string, company: string, by: OzClient = admin) {
  const email = `u${++n}-${type.toLowerCase()}@users.test`;
  return createLoggedInUser(runtime.url, by, { email, password: PASSWORD }, { company_id: company, user_type: type });
}

before(async () => {
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  companyA = (await admin.request('POST', '/api/companies', { json: { name: 'Users A' } })).body.company_id;
  companyB = (await admin.request('POST', '/api/companies', { json: { name: 'Users B' } })).body.company_id;
  caA = (await newUser('CLIENT_ADMIN', companyA)).client;
  caB = (await newUser('CLIENT_ADMIN', companyB)).client;
});
after(async () => {
  await runtime?.stop();
});

test('companies: PATCH name and meta_data within reach; other companies 404; read-only fields refused', async () => {
  const patched = await caA.request('PATCH', `/api/companies/${companyA}/`, { json: { name: 'Users A Ltd', meta_data: { region: 'eu', tier: 1 } } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.name, 'Users A Ltd');
  assert.deepEqual(patched.body.meta_data, { region: 'eu', tier: 1 });
  const merged = await caA.request('PATCH', `/api/companies/${companyA}`, { json: { meta_data: { tier: null, vip: true } } });
  assert.deepEqual(merged.body.meta_data, { region: 'eu', vip: true });
  // The object read back, sent back unchanged, is accepted.
  const echoed = await caA.request('PATCH', `/api/companies/${companyA}`, { json: { ...merged.body, name: 'Users A' } });
  assert.equal(echoed.status, 200, echoed.text);
  assert.equal(echoed.body.name, 'Users A');

  assert.equal((await caA.request('PATCH', `/api/companies/${companyA}`, { json: { technical_meta_data: { x: 1 } } })).status, 400);
  assert.equal((await caA.request('PATCH', `/api/companies/${companyA}`, { json: { in_deletion: true } })).status, 400);
  assert.equal((await caA.request('PATCH', `/api/companies/${companyA}`, { json: { colour: 'red' } })).status, 400);
  assert.equal((await caA.request('PATCH', `/api/companies/${companyA}`, { json: { name: '' } })).status, 400);
  assert.equal((await caA.request('GET', `/api/companies/${companyA}`)).body.name, 'Users A');

  const b = await caA.request('PATCH', `/api/companies/${companyB}`, { json: { name: 'taken over' } });
  assert.equal(b.status, 404);
  assert.equal(b.body.error_code, 10);
  assert.equal((await caA.request('DELETE', `/api/companies/${companyB}`)).status, 404);
  assert.equal((await admin.request('GET', `/api/companies/${companyB}`)).body.name, 'Users B');

  const client = await newUser('CLIENT', companyA);
  assert.equal((await client.client.request('PATCH', `/api/companies/${companyA}`, { json: { name: 'mine' } })).status, 403);
  assert.equal((await client.client.request('DELETE', `/api/companies/${companyA}`)).status, 403);
});

test('users: PATCH profile, flags under every spelling, roles within reach; self-edits limited; other companies 404', async () => {
  const user = await newUser('CLIENT', companyA, caA);
  const res = await caA.request('PATCH', `/api/users/${user.id}/`, {
    json: { first_name: 'Ann', last_name: 'Lee', email: `renamed-${user.email}`, can_start_analyse_quality: false, can_start_analyze_biometry: false, meta_data: { team: 'kyc' } },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.first_name, 'Ann');
  assert.equal(res.body.email, `renamed-${user.email}`);
  assert.equal(res.body.can_start_analysis_quality, false);
  assert.equal(res.body.can_start_analyse_quality, false);
  assert.equal(res.body.can_start_analysis_biometry, false);
  assert.equal(res.body.can_start_analysis_collection, true);
  assert.deepEqual(res.body.meta_data, { team: 'kyc' });
  assert.equal(res.text.includes('password'), false);
  assert.equal((await new OzClient(runtime.url).login(`renamed-${user.email}`, PASSWORD)).status, 200);
  assert.equal((await new OzClient(runtime.url).login(user.email, PASSWORD)).status, 401);

  // A CLIENT ADMIN hands out company roles only, and keeps users in their company.
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { user_type: 'ADMIN' } })).status, 403);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { user_type: 'OPERATOR' } })).status, 403);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { company_id: companyB } })).status, 403);
  const promoted = await caA.request('PATCH', `/api/users/${user.id}`, { json: { user_type: 'client operator' } });
  assert.equal(promoted.status, 200, promoted.text);
  assert.equal(promoted.body.user_type, 'CLIENT_OPERATOR');
  assert.equal((await admin.request('GET', `/api/users/${user.id}`)).body.company_id, companyA);

  // Bad values: a clear 400, nothing changed.
  const taken = await caA.request('PATCH', `/api/users/${user.id}`, { json: { email: (await admin.request('GET', '/api/users?limit=1')).body.items[0].email } });
  assert.equal(taken.status, 400);
  assert.match(taken.body.error_message, /already exists/);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { password: 'Another-pass-9' } })).status, 400);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { user_type: 'SUPERUSER' } })).status, 400);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { is_active: 'no' } })).status, 400);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { shoe_size: 42 } })).status, 400);
  assert.equal((await admin.request('GET', `/api/users/${user.id}`)).body.first_name, 'Ann');

  // Their own profile: names yes; role, activity, company and flags no.
  const self = await user.client.request('PATCH', `/api/users/${user.id}`, { json: { middle_name: 'M' } });
  assert.equal(self.status, 200, self.text);
  for (const change of [{ user_type: 'CLIENT_ADMIN' }, { is_active: false }, { can_start_analysis_quality: true }, { company_id: companyB }]) {
    const refused = await user.client.request('PATCH', `/api/users/${user.id}`, { json: change });
    assert.equal(refused.status, 403, JSON.stringify(change));
  }
  // Sending back the own profile unchanged is fine.
  const mine = (await user.client.request('GET', `/api/users/${user.id}`)).body;
  assert.equal((await user.client.request('PATCH', `/api/users/${user.id}`, { json: mine })).status, 200);

  // Other companies: 404 for read, patch, delete. A CLIENT OPERATOR reads colleagues but may not
  // change them (403); a CLIENT does not even see them (404).
  const other = await newUser('CLIENT', companyB);
  assert.equal((await caA.request('GET', `/api/users/${other.id}`)).status, 404);
  assert.equal((await caA.request('PATCH', `/api/users/${other.id}`, { json: { first_name: 'x' } })).status, 404);
  assert.equal((await caA.request('DELETE', `/api/users/${other.id}`)).status, 404);
  assert.equal((await caA.request('POST', `/api/users/${other.id}/change-password`, { json: { new_password: 'Hijack-pass-1' } })).status, 404);
  const colleague = await newUser('CLIENT', companyA);
  assert.equal((await user.client.request('PATCH', `/api/users/${colleague.id}`, { json: { first_name: 'x' } })).status, 403);
  assert.equal((await colleague.client.request('PATCH', `/api/users/${user.id}`, { json: { first_name: 'x' } })).status, 404);

  // ADMIN moves users between companies and grants OPERATOR (who then lives in the system company).
  const moved = await admin.request('PATCH', `/api/users/${colleague.id}`, { json: { company_id: companyB } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.company_id, companyB);
  assert.equal((await colleague.client.request('GET', '/api/users')).status, 401); // sessions ended by the move
  const operator = await admin.request('PATCH', `/api/users/${colleague.id}`, { json: { user_type: 'OPERATOR' } });
  assert.equal(operator.body.company_id, '00000000-0000-0000-0000-000000000000');
  assert.equal((await admin.request('PATCH', `/api/users/${colleague.id}`, { json: { user_type: 'CLIENT' } })).status, 400); // which company?
});

test('blocked users: an existing session answers 401/1401 on every request, and so does login', async () => {
  const user = await newUser('CLIENT', companyA);
  assert.equal((await user.client.request('GET', '/api/folders')).status, 200);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { is_active: false } })).status, 200);
  for (const [method, path] of [['GET', '/api/folders'], ['GET', `/api/users/${user.id}`], ['GET', '/api/config'], ['POST', '/api/authorize/logout']] as const) {
    const res = await user.client.request(method, path);
    assert.equal(res.status, 401, `${method} ${path}`);
    assert.equal(res.body.error_code, 1401);
  }
  const login = await new OzClient(runtime.url).login(user.email, PASSWORD);
  assert.equal(login.status, 401);
  assert.equal(login.body.error_code, 1401);
  assert.equal((await caA.request('PATCH', `/api/users/${user.id}`, { json: { is_active: true } })).status, 200);
  assert.equal((await user.client.request('GET', '/api/folders')).status, 200);
});

test('DELETE user: gone with their sessions; not yourself; others 404', async () => {
  const user = await newUser('CLIENT_SERVICE', companyA);
  const del = await caA.request('DELETE', `/api/users/${user.id}/`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await caA.request('GET', `/api/users/${user.id}`)).status, 404);
  const stale = await user.client.request('GET', '/api/folders');
  assert.equal(stale.status, 401);
  assert.equal(stale.body.error_code, 7);
  assert.equal((await new OzClient(runtime.url).login(user.email, PASSWORD)).status, 401);
  assert.equal((await caA.request('DELETE', `/api/users/${user.id}`)).status, 404);
  // The email is free again.
  assert.equal((await caA.request('POST', '/api/users', { json: { credentials: { email: user.email, password: PASSWORD }, profile: { user_type: 'CLIENT' } } })).status, 201);
  const me = (await caA.request('GET', '/api/users')).body.items.find((u: any) => u.user_type === 'CLIENT_ADMIN');
  assert.equal((await caA.request('DELETE', `/api/users/${me.user_id}`)).status, 403);
});

test('password policy: minimum length, a letter, a digit, not the email; each a 400 naming the rule', async () => {
  const create = (email: string, password: string) =>
    caA.request('POST', '/api/users', { json: { credentials: { email, password }, profile: { user_type: 'CLIENT' } } });
  const cases: [string, string, string][] = [
    ['short1', 'min_length', 'at least 8 characters'],
    ['onlyletters', 'require_digit', 'digit'],
    ['1234567890', 'require_letter', 'letter'],
    ['policy9@users.test', 'differs_from_email', 'email'],
  ];
  for (const [password, rule, words] of cases) {
    const res = await create('policy9@users.test', password);
    assert.equal(res.status, 400, password);
    assert.equal(res.body.error_code, 4);
    assert.equal(res.body.details.rule, rule);
    assert.match(res.body.error_message, new RegExp(words));
  }
  assert.equal((await caA.request('GET', '/api/users')).body.items.some((u: any) => u.email === 'policy9@users.test'), false);
  assert.equal((await create('policy9@users.test', 'Good-pass-9')).status, 201);
});

test('change-password: yourself with the old password; admins for users in reach; other sessions end', async () => {
  const user = await newUser('CLIENT', companyA);
  const second = new OzClient(runtime.url);
  await second.login(user.email, PASSWORD);
  const url = `/api/users/${user.id}/change-password`;
  assert.equal((await user.client.request('POST', url, { json: { credentials: { new_password: 'Fresh-pass-2' } } })).status, 400);
  const wrong = await user.client.request('POST', url, { json: { credentials: { old_password: 'not-it-1', new_password: 'Fresh-pass-2' } } });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.error_message, /old_password/);
  const weak = await user.client.request('POST', url, { json: { credentials: { old_password: PASSWORD, new_password: 'weak' } } });
  assert.equal(weak.body.details.rule, 'min_length');

  const done = await user.client.request('POST', url, { json: { credentials: { old_password: PASSWORD, new_password: 'Fresh-pass-2' } } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.sessions_ended, 1);
  assert.equal((await user.client.request('GET', '/api/folders')).status, 200); // the caller's session stays
  assert.equal((await second.request('GET', '/api/folders')).status, 401); // the other one ended
  assert.equal((await new OzClient(runtime.url).login(user.email, PASSWORD)).status, 401);
  assert.equal((await new OzClient(runtime.url).login(user.email, 'Fresh-pass-2')).status, 200);

  // Their CLIENT ADMIN sets it without the old one (flat body); every session of the user ends.
  const reset = await caA.request('POST', url, { json: { new_password: 'Reset-pass-3' } });
  assert.equal(reset.status, 200, reset.text);
  assert.equal(reset.body.sessions_ended, 2);
  assert.equal((await user.client.request('GET', '/api/folders')).status, 401);
  assert.equal((await new OzClient(runtime.url).login(user.email, 'Reset-pass-3')).status, 200);

  // Not for a colleague, not across companies.
  const colleague = await newUser('CLIENT_OPERATOR', companyA);
  assert.equal((await colleague.client.request('POST', url, { json: { new_password: 'Hijack-pass-1' } })).status, 403);
  assert.equal((await caB.request('POST', url, { json: { new_password: 'Hijack-pass-1' } })).status, 404);
});

test('sessions: list (no tokens), end one, logout; refresh retires the old pair on first use', async () => {
  const user = await newUser('CLIENT', companyA);
  const other = new OzClient(runtime.url);
  const login = await other.login(user.email, PASSWORD);
  const url = `/api/users/${user.id}/sessions`;
  const list = await user.client.request('GET', url);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.total, 2);
  assert.deepEqual(Object.keys(list.body.items[0]).sort(), ['expire_date', 'is_current', 'long_lived', 'session_id', 'time_created', 'token_id', 'user_id']);
  assert.equal(list.text.includes(other.token!), false);
  assert.equal(list.text.includes(login.body.expire_token), false);
  assert.equal(list.body.items[0].session_id, login.body.session_id); // newest first
  assert.equal(list.body.items.filter((s: any) => s.is_current).length, 1);

  // Their CLIENT ADMIN ends one; other companies cannot even see them.
  assert.equal((await caB.request('GET', url)).status, 404);
  assert.equal((await caB.request('DELETE', `${url}/${login.body.session_id}`)).status, 404);
  assert.equal((await caA.request('DELETE', `${url}/${login.body.session_id}`)).status, 204);
  assert.equal((await other.request('GET', '/api/folders')).status, 401);
  assert.equal((await caA.request('DELETE', `${url}/${login.body.session_id}`)).status, 404);

  // Refresh: both pairs listed until the new one is used, then only the new one.
  const refreshed = await user.client.request('POST', '/api/authorize/refresh', { json: { expire_token: (await new OzClient(runtime.url).login(user.email, PASSWORD)).body.expire_token } });
  assert.equal(refreshed.status, 200, refreshed.text);
  const before = (await user.client.request('GET', url)).body.total;
  assert.equal((await user.client.request('GET', '/api/folders', { token: refreshed.body.access_token })).status, 200);
  const afterUse = (await user.client.request('GET', url)).body;
  assert.equal(afterUse.total, before - 1);
  assert.ok(afterUse.items.some((s: any) => s.session_id === refreshed.body.session_id));

  // Logout ends the caller's session only.
  const logout = await user.client.request('POST', '/api/authorize/logout/');
  assert.equal(logout.status, 204, logout.text);
  const gone = await user.client.request('GET', '/api/folders');
  assert.equal(gone.status, 401);
  assert.equal(gone.body.error_code, 7);
  assert.equal((await user.client.request('GET', '/api/folders', { token: refreshed.body.access_token })).status, 200);
});

test('GET /api/config: timezone, session lifetimes, API version and the password policy', async () => {
  const res = await caA.request('GET', '/api/config/');
  assert.equal(res.status, 200, res.text);
  assert.equal(typeof res.body.timezone, 'string');
  assert.ok(res.body.timezone.length > 0);
  assert.equal(res.body.session_ttl, 900);
  assert.equal(res.body.session_longlive_ttl, 5 * 365 * 24 * 3600);
  assert.match(res.body.api_version, /^\d+\.\d+/);
  assert.deepEqual(res.body.password_policy, { min_length: 8, max_length: 256, require_letter: true, require_digit: true, differs_from_email: true });
  assert.equal((await caA.request('GET', '/api/config', { token: null })).status, 401);
});

test('DELETE company: marked in_deletion, its users blocked at once, its folders kept for ADMIN only', async () => {
  const companyC = (await admin.request('POST', '/api/companies', { json: { name: 'Users C' } })).body.company_id;
  const caC = await newUser('CLIENT_ADMIN', companyC);
  const clientC = await newUser('CLIENT', companyC);
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
  const folder = await clientC.client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: png }], { 'media:tags': { p: ['photo_selfie'] } });
  assert.equal(folder.status, 201, folder.text);

  assert.equal((await caC.client.request('DELETE', `/api/companies/${companyC}/`)).status, 204);
  for (const user of [caC, clientC]) {
    const res = await user.client.request('GET', '/api/folders');
    assert.equal(res.status, 401);
    assert.equal(res.body.error_code, 1401);
    const login = await new OzClient(runtime.url).login(user.email, PASSWORD);
    assert.equal(login.status, 401);
    assert.equal(login.body.error_code, 1401);
  }
  const company = await admin.request('GET', `/api/companies/${companyC}`);
  assert.equal(company.body.in_deletion, true);
  assert.equal((await admin.request('GET', `/api/folders/${folder.body.folder_id}`)).status, 200);
  const blocked = await admin.request('POST', '/api/users', { json: { credentials: { email: 'late@users.test', password: PASSWORD }, profile: { company_id: companyC, user_type: 'CLIENT' } } });
  assert.equal(blocked.status, 400);
  assert.equal((await admin.request('PATCH', `/api/companies/${companyC}`, { json: { name: 'back' } })).status, 400);
  assert.equal((await admin.request('DELETE', `/api/companies/${companyC}`)).status, 204); // repeatable
  // Other companies carry on.
  assert.equal((await caA.request('GET', '/api/folders')).status, 200);
});
