// Blacklist collections over HTTP: management, roles, the COLLECTION analysis, deletion rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ADMIN, OzClient, sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA_PROBE = 'faces/face_recognition/examples/obama2.jpg';
const BIDEN = 'faces/face_recognition/examples/biden.jpg';
const STRANGER = 'faces/face_recognition/examples/alex-lacamoire.png';
const missing = [OBAMA, OBAMA_PROBE, BIDEN, STRANGER].filter((f) => !sharedFile(f));
const skip = missing.length ? `../shared/data is absent (${missing[0]})` : false;

let runtime: LocalRuntime;
const users: Record<'admin' | 'clientAdmin' | 'service' | 'client', OzClient> = {} as never;
let companyId: string;

before(async () => {
  if (skip) return;
  runtime = await startRuntime();
  users.admin = new OzClient(runtime.url);
  await users.admin.login(ADMIN.email, ADMIN.password);
  companyId = (await users.admin.request('POST', '/api/companies', { json: { name: 'Blacklist Bank' } })).body.company_id;
  for (const [key, type] of [['clientAdmin', 'CLIENT_ADMIN'], ['service', 'CLIENT_SERVICE'], ['client', 'CLIENT']] as const) {
    await users.admin.request('POST', '/api/users', { json: { credentials: { email: `${key}@bl.test`, password: 'collection-pw-1' }, profile: { company_id: companyId, user_type: type } } });
    users[key] = new OzClient(runtime.url);
    await users[key].login(`${key}@bl.test`, 'collection-pw-1');
  }
});
after(async () => {
  await runtime?.stop();
});

const photo = (f: string) => ({ field: 'photo1', name: 'p.jpg', bytes: fs.readFileSync(sharedFile(f)!) });

async function search(client: OzClient, collectionId: string, probe: string) {
  const folder = await client.upload('/api/folders', [photo(probe)], { 'media:tags': { photo1: ['photo_selfie'] } });
  const [a] = (await client.request('POST', `/api/folders/${folder.body.folder_id}/analyses`, { json: { analyses: [{ type: 'collection', params: { collection_id: collectionId } }] } })).body;
  return client.waitForAnalysis(a.analysis_id, 60_000);
}

test('collections: roles, enrolment, a match, no match, and deletion rules', { skip }, async () => {
  const { clientAdmin, service, client } = users;
  // Only ADMIN and CLIENT ADMIN manage collections.
  assert.equal((await client.request('POST', '/api/collections/', { json: { alias: 'nope', company_id: companyId } })).status, 403);
  const created = await clientAdmin.request('POST', '/api/collections/', { json: { alias: 'blacklist', company_id: companyId } });
  assert.equal(created.status, 201);
  const collectionId = created.body.collection_id;
  const listed = await client.request('GET', '/api/collections');
  assert.ok(Array.isArray(listed.body) && listed.body.some((c: { alias: string }) => c.alias === 'blacklist'));

  // CLIENT SERVICE may enrol persons; CLIENT may not.
  assert.equal((await client.upload(`/api/collections/${collectionId}/persons/`, [photo(OBAMA)])).status, 403);
  const obama = await service.upload(`/api/collections/${collectionId}/persons/`, [photo(OBAMA)], { 'media:tags': { photo1: ['photo_selfie'] }, 'person:meta_data': { name: 'Barack' } });
  assert.equal(obama.status, 201, obama.text);
  const biden = await clientAdmin.upload(`/api/collections/${collectionId}/persons`, [photo(BIDEN)]);
  assert.equal(biden.status, 201, biden.text);
  assert.deepEqual(obama.body.meta_data, { name: 'Barack' });
  const images = await client.request('GET', `/api/collections/${collectionId}/persons/${obama.body.person_id}/images/`);
  assert.equal(images.body.length, 1);
  assert.ok(images.body[0].person_image_id);

  // An enrolled person is found (SUCCESS meaning found), with the right person_id.
  const hit = await search(client, collectionId, OBAMA_PROBE);
  assert.equal(hit.state, 'FINISHED', JSON.stringify(hit));
  assert.equal(hit.resolution_status, 'SUCCESS');
  assert.equal(hit.collection.alias, 'blacklist');
  const found = hit.results_media[0].collection_persons;
  assert.equal(found[0].person_id, obama.body.person_id);
  assert.ok(found[0].confidence >= 0.85);
  // Someone not enrolled is not.
  const miss = await search(client, collectionId, STRANGER);
  assert.equal(miss.resolution_status, 'DECLINED');
  assert.deepEqual(miss.results_media[0].collection_persons, []);

  // A person found by an analysis cannot be deleted until that analysis is; then they are gone for good.
  const refused = await clientAdmin.request('DELETE', `/api/collections/${collectionId}/persons/${obama.body.person_id}`);
  assert.equal(refused.status, 400);
  assert.match(refused.body.error_message, /related analyses/);
  assert.equal((await client.request('DELETE', `/api/analyses/${hit.analysis_id}`)).status, 403);
  assert.equal((await clientAdmin.request('DELETE', `/api/analyses/${hit.analysis_id}`)).status, 204);
  assert.equal((await clientAdmin.request('DELETE', `/api/collections/${collectionId}/persons/${obama.body.person_id}`)).status, 204);
  assert.equal((await client.request('GET', `/api/collections/${collectionId}/persons/${obama.body.person_id}`)).status, 404);
  const after = await search(client, collectionId, OBAMA_PROBE);
  assert.equal(after.resolution_status, 'DECLINED');

  // Deleting a photo; deleting the collection with the remaining person.
  const bidenImage = (await client.request('GET', `/api/collections/${collectionId}/persons/${biden.body.person_id}/images`)).body[0];
  assert.equal((await clientAdmin.request('DELETE', `/api/collections/${collectionId}/persons/${biden.body.person_id}/images/${bidenImage.media_id}/`)).status, 204);
  assert.equal((await clientAdmin.request('DELETE', `/api/collections/${collectionId}/`)).status, 204);
  assert.equal((await client.request('GET', `/api/collections/${collectionId}`)).status, 404);
});

test('another company cannot see or search the collection', { skip }, async () => {
  const mine = (await users.clientAdmin.request('POST', '/api/collections', { json: { alias: 'private', company_id: companyId } })).body;
  const other = (await users.admin.request('POST', '/api/companies', { json: { name: 'Elsewhere' } })).body.company_id;
  await users.admin.request('POST', '/api/users', { json: { credentials: { email: 'x@else.test', password: 'elsewhere-pw-1' }, profile: { company_id: other, user_type: 'CLIENT_ADMIN' } } });
  const outsider = new OzClient(runtime.url);
  await outsider.login('x@else.test', 'elsewhere-pw-1');
  assert.equal((await outsider.request('GET', `/api/collections/${mine.collection_id}`)).status, 404);
  assert.deepEqual((await outsider.request('GET', '/api/collections')).body, []);
  const folder = await outsider.upload('/api/folders', [photo(OBAMA)]);
  const res = await outsider.request('POST', `/api/folders/${folder.body.folder_id}/analyses`, { json: { analyses: [{ type: 'collection', params: { collection_id: mine.collection_id } }] } });
  assert.equal(res.status, 400);
});

test('a search over two collections links each person under their own collection; deletion rules hold for both', { skip }, async () => {
  // A company of its own, so the search over "all the company's collections" sees exactly these two.
  const company = (await users.admin.request('POST', '/api/companies', { json: { name: 'Two Lists' } })).body.company_id;
  await users.admin.request('POST', '/api/users', { json: { credentials: { email: 'ca@two.test', password: 'two-lists-pw-1' }, profile: { company_id: company, user_type: 'CLIENT_ADMIN' } } });
  const ca = new OzClient(runtime.url);
  await ca.login('ca@two.test', 'two-lists-pw-1');
  const first = (await ca.request('POST', '/api/collections', { json: { alias: 'first', company_id: company } })).body.collection_id;
  const second = (await ca.request('POST', '/api/collections', { json: { alias: 'second', company_id: company } })).body.collection_id;
  const obama = (await ca.upload(`/api/collections/${first}/persons`, [photo(OBAMA)])).body.person_id;
  const biden = (await ca.upload(`/api/collections/${second}/persons`, [photo(BIDEN)])).body.person_id;

  const folder = await ca.upload('/api/folders', [
    { field: 'photo1', name: 'o.jpg', bytes: fs.readFileSync(sharedFile(OBAMA_PROBE)!) },
    { field: 'photo2', name: 'b.jpg', bytes: fs.readFileSync(sharedFile(BIDEN)!) },
  ]);
  const [started] = (await ca.request('POST', `/api/folders/${folder.body.folder_id}/analyses`, { json: { analyses: [{ type: 'collection' }] } })).body;
  const done = await ca.waitForAnalysis(started.analysis_id, 90_000);
  assert.equal(done.resolution_status, 'SUCCESS', JSON.stringify(done));
  const found = done.results_media.flatMap((r: { collection_persons: { person_id: string; collection_id: string }[] }) => r.collection_persons);
  assert.deepEqual(new Set(found.map((p: { person_id: string; collection_id: string }) => `${p.collection_id}/${p.person_id}`)), new Set([`${first}/${obama}`, `${second}/${biden}`]));

  // Both persons are held by the analysis (the second collection's one used to be deletable), and so are both collections.
  for (const [collection, person] of [[first, obama], [second, biden]] as const) {
    const refused = await ca.request('DELETE', `/api/collections/${collection}/persons/${person}`);
    assert.equal(refused.status, 400, `person of ${collection === first ? 'the first' : 'the second'} collection: ${refused.text}`);
    assert.equal((await ca.request('DELETE', `/api/collections/${collection}`)).status, 400);
  }
  // Once the analysis is deleted, both collections can go (the first one used to keep a stray link forever).
  assert.equal((await ca.request('DELETE', `/api/analyses/${started.analysis_id}`)).status, 204);
  assert.equal((await ca.request('DELETE', `/api/collections/${first}`)).status, 204);
  assert.equal((await ca.request('DELETE', `/api/collections/${second}`)).status, 204);
});
