// PATCH of meta_data at the documented paths: merged, null removes a key, scoped like the objects.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ADMIN, OzClient, startRuntime, createLoggedInUser } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
let admin: OzClient;
let clientAdmin: OzClient;
let client: OzClient;
let outsider: OzClient;
let companyId: string;

async function user(email: string, type: string, company: string) {
  return (await createLoggedInUser(runtime.url, admin, { email, password: 'meta-password-1' }, { company_id: company, user_type: type })).client;
}

before(async () => {
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  companyId = (await admin.request('POST', '/api/companies', { json: { name: 'Meta Co' } })).body.company_id;
  const other = (await admin.request('POST', '/api/companies', { json: { name: 'Other Meta' } })).body.company_id;
  clientAdmin = await user('ca@meta.test', 'CLIENT_ADMIN', companyId);
  client = await user('c@meta.test', 'CLIENT', companyId);
  outsider = await user('o@meta.test', 'CLIENT_ADMIN', other);
});
after(async () => {
  await runtime?.stop();
});

test('folder, media and analysis meta_data: merged, null removes, the folder filter sees it, other companies get 404', async () => {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 1, g: 1, b: 1 } } }).png().toBuffer();
  const folder = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: png }], { 'folder:meta_data': { a: 1, b: 2 } })).body;
  const patched = await client.request('PATCH', `/api/folders/${folder.folder_id}/meta_data/`, { json: { b: null, iin: '123' } });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual((await client.request('GET', `/api/folders/${folder.folder_id}`)).body.meta_data, { a: 1, iin: '123' });
  assert.equal((await client.request('GET', '/api/folders/?meta_data=iin==123')).body.total, 1);

  const mediaId = folder.media[0].media_id;
  assert.equal((await client.request('PATCH', `/api/media/${mediaId}/meta_data`, { json: { side: 'front' } })).status, 200);
  assert.deepEqual((await client.request('GET', `/api/media/${mediaId}`)).body.meta_data, { side: 'front' });

  const [analysis] = (await client.request('POST', `/api/folders/${folder.folder_id}/analyses`, { json: { analyses: [{ type: 'quality', meta_data: { k: 'v' } }] } })).body;
  await client.waitForAnalysis(analysis.analysis_id);
  // The matrix gives CLIENT no update right on analyses; their company's admin has it.
  assert.equal((await client.request('PATCH', `/api/analyses/${analysis.analysis_id}/meta_data`, { json: { reviewed: true } })).status, 403);
  assert.equal((await clientAdmin.request('PATCH', `/api/analyses/${analysis.analysis_id}/meta_data`, { json: { k: null, reviewed: true } })).status, 200);
  assert.deepEqual((await client.request('GET', `/api/analyses/${analysis.analysis_id}`)).body.meta_data, { reviewed: true });

  assert.equal((await outsider.request('PATCH', `/api/folders/${folder.folder_id}/meta_data`, { json: { x: 1 } })).status, 404);
  assert.equal((await outsider.request('PATCH', `/api/media/${mediaId}/meta_data`, { json: { x: 1 } })).status, 404);
  assert.equal((await client.request('PATCH', `/api/folders/${folder.folder_id}/meta_data`, { json: ['not', 'an', 'object'] })).status, 400);
});

test('collection meta_data by ADMIN and CLIENT ADMIN only; user meta_data by the user or their admins', async () => {
  const collection = (await clientAdmin.request('POST', '/api/collections', { json: { alias: 'meta', company_id: companyId } })).body;
  assert.equal((await client.request('PATCH', `/api/collections/${collection.collection_id}/meta_data`, { json: { x: 1 } })).status, 403);
  assert.equal((await clientAdmin.request('PATCH', `/api/collections/${collection.collection_id}/meta_data/`, { json: { region: 'eu' } })).status, 200);
  assert.deepEqual((await client.request('GET', `/api/collections/${collection.collection_id}`)).body.meta_data, { region: 'eu' });

  const me = (await client.request('GET', '/api/users')).body.items[0];
  assert.equal((await client.request('PATCH', `/api/users/${me.user_id}`, { json: { meta_data: { team: 'kyc' } } })).status, 200);
  assert.deepEqual((await clientAdmin.request('GET', `/api/users/${me.user_id}`)).body.meta_data, { team: 'kyc' });
  assert.equal((await outsider.request('PATCH', `/api/users/${me.user_id}`, { json: { meta_data: { x: 1 } } })).status, 404);
});
