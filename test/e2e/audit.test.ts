// The audit log: written for companies, users and folders, read by ADMIN and CLIENT ADMIN only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ADMIN, OzClient, startRuntime, createLoggedInUser } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

const PASSWORD = 'audit-secret-7';
let runtime: LocalRuntime;
let admin: OzClient;
let adminId: string;
let companyA: string;
let companyB: string;
let caA: { client: OzClient; id: string; email: string };
let caB: { client: OzClient; id: string; email: string };

async function newUser(email: string, type: string, company: string, by: OzClient = admin) {
  return createLoggedInUser(runtime.url, by, { email, password: PASSWORD }, { company_id: company, user_type: type, first_name: 'F' });
}

const audit = (client: OzClient, query = '') => client.request('GET', `/api/audit${query}`);

before(async () => {
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  adminId = (await admin.login(ADMIN.email, ADMIN.password)).body.user.user_id;
  companyA = (await admin.request('POST', '/api/companies', { json: { name: 'Audit A' } })).body.company_id;
  companyB = (await admin.request('POST', '/api/companies', { json: { name: 'Audit B' } })).body.company_id;
  caA = await newUser('ca@audit-a.test', 'CLIENT_ADMIN', companyA);
  caB = await newUser('ca@audit-b.test', 'CLIENT_ADMIN', companyB);
});
after(async () => {
  await runtime?.stop();
});

test('company and user changes are logged with the actor, newest first, and never a password', async () => {
  const user = await newUser('u@audit-a.test', 'CLIENT', companyA, caA.client);
  assert.equal((await caA.client.request('PATCH', `/api/users/${user.id}`, { json: { first_name: 'Grace', can_start_analyse_quality: false } })).status, 200);
  assert.equal((await caA.client.request('POST', `/api/users/${user.id}/change-password`, { json: { new_password: 'Other-secret-8' } })).status, 200);
  assert.equal((await user.client.login(user.email, 'Other-secret-8')).status, 200); // that ended their sessions
  assert.equal((await user.client.request('POST', `/api/users/${user.id}/change-password`, { json: { credentials: { old_password: 'Other-secret-8', new_password: 'Third-secret-9' } } })).status, 200);
  assert.equal((await caA.client.request('PATCH', `/api/companies/${companyA}`, { json: { name: 'Audit A2' } })).status, 200);

  const history = await audit(caA.client, `?object_type=USER&object_id=${user.id}`);
  assert.equal(history.status, 200, history.text);
  assert.deepEqual(
    history.body.items.map((e: any) => [e.action, e.email]),
    [
      ['change-password', user.email],
      ['change-password', caA.email],
      ['update', caA.email],
      ['create', caA.email],
    ],
  );
  const [selfChange, , update, create] = history.body.items;
  assert.equal(selfChange.user_id, user.id);
  assert.deepEqual(update.changes.first_name, { from: 'F', to: 'Grace' });
  assert.deepEqual(update.changes.can_start_analysis_quality, { from: true, to: false });
  assert.equal(create.changes.email, user.email);
  assert.ok(history.body.items.every((e: any) => e.company_id === companyA && e.object_type === 'USER' && e.object_id === user.id));
  const times = history.body.items.map((e: any) => e.time_created);
  assert.deepEqual(times, [...times].sort((a, b) => b - a));

  // No password, hash or token anywhere in the log.
  const everything = await audit(admin, '?limit=1000');
  for (const secret of [PASSWORD, 'Other-secret-8', 'Third-secret-9', 'scrypt$', 'password_hash', admin.token!]) {
    assert.equal(everything.text.includes(secret), false, secret);
  }

  const company = await audit(caA.client, `?object_type=company&object_id=${companyA}`);
  assert.deepEqual(
    company.body.items.map((e: any) => [e.action, e.user_id]),
    [
      ['update', caA.id],
      ['create', adminId],
    ],
  );
  assert.deepEqual(company.body.items[0].changes, { name: { from: 'Audit A', to: 'Audit A2' } });
});

test('folder create, media added and meta_data PATCH are logged by keys, not personal values', async () => {
  const user = await newUser('f@audit-a.test', 'CLIENT', companyA);
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 3, g: 3, b: 3 } } }).png().toBuffer();
  const folder = await user.client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: png }], { 'folder:meta_data': { iin: '880101300123' } });
  assert.equal(folder.status, 201, folder.text);
  const id = folder.body.folder_id;
  assert.equal((await user.client.upload(`/api/folders/${id}/media`, [{ field: 'q', name: 'q.png', bytes: png }])).status, 201);
  assert.equal((await user.client.request('PATCH', `/api/folders/${id}/meta_data`, { json: { iin: null, name: 'John Smith' } })).status, 200);

  const log = await audit(caA.client, `?object_type=FOLDER&object_id=${id}`);
  assert.deepEqual(log.body.items.map((e: any) => [e.action, e.email]), [
    ['meta_data', user.email],
    ['media-added', user.email],
    ['create', user.email],
  ]);
  assert.deepEqual(log.body.items[0].changes, { set: ['name'], removed: ['iin'] });
  assert.deepEqual(log.body.items[2].changes.meta_data_keys, ['iin']);
  assert.equal(log.body.items[2].changes.media_ids[0], folder.body.media[0].media_id);
  assert.equal(log.text.includes('880101300123'), false);
  assert.equal(log.text.includes('John Smith'), false);

  // The folder feed of the company, by type.
  const folders = await audit(caA.client, '?object_type=FOLDER');
  assert.ok(folders.body.items.length >= 3);
  assert.ok(folders.body.items.every((e: any) => e.object_type === 'FOLDER'));
});

test('who reads it: ADMIN everything, CLIENT ADMIN their company only, everyone else 403', async () => {
  await caB.client.request('PATCH', `/api/companies/${companyB}`, { json: { meta_data: { b: 1 } } });
  const a = await audit(caA.client, '?limit=1000');
  assert.ok(a.body.items.length > 0);
  assert.ok(a.body.items.every((e: any) => e.company_id === companyA));
  const b = await audit(caB.client, '?limit=1000');
  assert.ok(b.body.items.every((e: any) => e.company_id === companyB));
  assert.ok(b.body.items.some((e: any) => e.action === 'update' && e.object_id === companyB));
  // A foreign object's history is simply empty: it is never revealed.
  const foreign = await audit(caB.client, `?object_type=COMPANY&object_id=${companyA}`);
  assert.equal(foreign.status, 200);
  assert.deepEqual(foreign.body.items, []);

  const all = await audit(admin, '?limit=1000');
  const companies = new Set(all.body.items.map((e: any) => e.company_id));
  assert.ok(companies.has(companyA) && companies.has(companyB));
  const adminView = await audit(admin, `?object_type=COMPANY&object_id=${companyA}`);
  assert.equal(adminView.body.items.length, 2);

  // Paging: newest first, has_more says there is more.
  const first = await audit(admin, '?limit=2');
  const second = await audit(admin, '?limit=2&offset=2');
  assert.equal(first.body.items.length, 2);
  assert.equal(first.body.has_more, true);
  assert.deepEqual(second.body.items[0], all.body.items[2]);

  for (const type of ['CLIENT', 'CLIENT_OPERATOR', 'CLIENT_SERVICE']) {
    const user = await newUser(`${type.toLowerCase()}@audit-a.test`, type, companyA);
    const res = await audit(user.client);
    assert.equal(res.status, 403, type);
    assert.equal(res.body.error_code, 9);
  }
  const operator = await newUser('op@audit.test', 'OPERATOR', companyA);
  assert.equal((await audit(operator.client)).status, 403);
  assert.equal((await audit(admin, '?object_type=ANALYSIS')).status, 400);
  assert.equal((await audit(admin, `?object_id=${companyA}`)).status, 400);
  assert.equal((await audit(admin)).status, 200);
  assert.equal((await admin.request('GET', '/api/audit', { token: null })).status, 401);
});

test('company deletion and user deletion are logged', async () => {
  const companyC = (await admin.request('POST', '/api/companies', { json: { name: 'Audit C' } })).body.company_id;
  const user = await newUser('gone@audit-c.test', 'CLIENT', companyC);
  assert.equal((await admin.request('DELETE', `/api/users/${user.id}`)).status, 204);
  assert.equal((await admin.request('DELETE', `/api/companies/${companyC}`)).status, 204);
  const userLog = await audit(admin, `?object_type=USER&object_id=${user.id}`);
  assert.deepEqual(userLog.body.items.map((e: any) => e.action), ['delete', 'create']);
  assert.equal(userLog.body.items[0].changes.email, user.email);
  const companyLog = await audit(admin, `?object_type=COMPANY&object_id=${companyC}`);
  assert.deepEqual(companyLog.body.items.map((e: any) => [e.action, e.user_id]), [
    ['delete', adminId],
    ['create', adminId],
  ]);
});
