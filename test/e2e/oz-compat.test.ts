// Oz compatibility to the letter of the documents (issue 13), against the real local runtime: the
// faults real Oz clients hit, each with the documented request and the documented answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeDiscovery } from '../../infra/local/discovery';
import { REPO_ROOT } from '../../infra/stack';
import { withTempFile } from '../../layers/vision/tools';
import { probeVideoFile } from '../../layers/vision/video';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { ADMIN, OzClient, createLoggedInUser, sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import type { CoreDeps } from '../../layers/core/deps';
import type { Analysis, Folder } from '../../layers/core/entities';
import { startReceiver } from '../support/receiver';
import { makeTestVideo } from '../unit/vision/helpers';

const FACE_PHOTO = 'faces/face_recognition/examples/obama.jpg';

let runtime: LocalRuntime;
let deps: CoreDeps;
let s3: S3Client;
let admin: OzClient;
let clientAdmin: OzClient;
let client: OzClient;
let outsider: OzClient;
let companyId: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const savedAllowPrivate = process.env.OZ_WEBHOOK_ALLOW_PRIVATE;

const png = (shade: number) => sharp({ create: { width: 96, height: 96, channels: 3, background: { r: shade, g: shade, b: shade } } }).png().toBuffer();

/** Files other than the thumbnails made at upload (those are counted by the final empty listings). */
const originals = (keys: string[]) => keys.filter((k) => !k.endsWith('.thumb.jpg'));

async function storedFiles(company: string, folderId: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: process.env.OZ_BUCKET_NAME!, Prefix: `${company}/${folderId}/` }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** An analysis recorded as PROCESSING but never queued: it stays so for as long as the test needs. */
function processingAnalysis(folder: Folder): Analysis {
  const now = Date.now() / 1000;
  return {
    analysis_id: deps.ids.uuid(), group_id: deps.ids.uuid(), folder_id: folder.folder_id, company_id: folder.company_id, folder_time_created: folder.time_created,
    type: 'QUALITY', state: 'PROCESSING', resolution: null, resolution_operator: null, source_media: [], params: {}, results_data: null, results_media: [],
    meta_data: {}, technical_meta_data: {}, error_code: null, error_message: null, time_created: now, time_updated: now, time_task_send_to_broker: now,
    time_task_received: null, time_task_finished: null, attempts: 0,
  };
}

before(async () => {
  // The webhook receiver runs on loopback: allowed only through the documented local-development switch.
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true';
  receiver = await startReceiver({ '/hook': () => ({ status: 200 }) });
  runtime = await startRuntime();
  const { coreDeps } = await import('../../functions/wiring');
  deps = coreDeps();
  s3 = new S3Client({ endpoint: process.env.OZ_S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  companyId = (await admin.request('POST', '/api/companies', { json: { name: 'Compat Co' } })).body.company_id;
  const other = (await admin.request('POST', '/api/companies', { json: { name: 'Other Compat Co' } })).body.company_id;
  const make = async (email: string, type: string, company: string) =>
    (await createLoggedInUser(runtime.url, admin, { email, password: 'compat-pass-1' }, { company_id: company, user_type: type })).client;
  clientAdmin = await make('ca@compat.test', 'CLIENT_ADMIN', companyId);
  client = await make('c@compat.test', 'CLIENT', companyId);
  outsider = await make('ca@other-compat.test', 'CLIENT_ADMIN', other);
});
after(async () => {
  s3?.destroy();
  await runtime?.stop();
  await receiver?.stop();
  if (savedAllowPrivate === undefined) delete process.env.OZ_WEBHOOK_ALLOW_PRIVATE;
  else process.env.OZ_WEBHOOK_ALLOW_PRIVATE = savedAllowPrivate;
});

describe('faults seen with real clients', () => {
  test('a documented route with the wrong method answers 405 / error_code 1 (PATCH /api/folders/{id}/analyses)', async () => {
    const folderId = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(20) }])).body.folder_id;
    for (const path of [`/api/folders/${folderId}/analyses`, `/api/folders/${folderId}/analyses/`]) {
      for (const method of ['PATCH', 'DELETE', 'PUT']) {
        const res = await client.request(method, path, { json: {} });
        assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
        assert.equal(res.body.error_code, 1);
        assert.ok(res.text.startsWith('{"error_code": 1, '), res.text);
      }
    }
    assert.equal((await client.request('PUT', '/api/folders/')).status, 405);
    assert.equal((await client.request('DELETE', '/api/authorize/auth')).status, 405);
    // A path that is not documented at all stays 404 / 10, whatever the method.
    const unknown = await client.request('PATCH', `/api/folders/${folderId}/no_such_thing`, { json: {} });
    assert.deepEqual([unknown.status, unknown.body.error_code], [404, 10]);
    const deeper = await client.request('GET', `/api/folders/${folderId}/analyses/x/y`);
    assert.deepEqual([deeper.status, deeper.body.error_code], [404, 10]);
    // What the compatibility table says of removed and unserved paths.
    assert.equal((await client.request('PATCH', '/api/collections/x', { json: { alias: 'y' } })).status, 405); // removed in 4.0.2
    // A snapshot of a media that does not exist is the missing media's 404 / 10.
    for (const path of [`/api/media/${randomUUID()}/snapshot/`, '/api/authorize/auth_restore']) {
      const res = await client.request(path.endsWith('auth_restore') ? 'POST' : 'GET', path);
      assert.deepEqual([res.status, res.body.error_code], [404, 10], path);
    }
  });

  test('a multipart Content-Type with two boundary= parameters parses with the one the body uses', async () => {
    const bytes = await png(30);
    for (const order of ['fake-first', 'real-first']) {
      const real = `----oz-real-${order}`;
      const body = Buffer.concat([
        Buffer.from(`--${real}\r\nContent-Disposition: form-data; name="video1"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`),
        bytes,
        Buffer.from(`\r\n--${real}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{"media:tags": {"video1": ["photo_selfie"]}}\r\n--${real}--\r\n`),
      ]);
      // What curl sends for the old documents' example: the hand-typed header keeps its boundary and curl appends its own.
      const contentType = order === 'fake-first' ? `multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW; boundary=${real}` : `multipart/form-data; boundary=${real}; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW`;
      const res = await client.request('POST', '/api/folders/', { body: new Uint8Array(body), headers: { 'content-type': contentType } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.media.length, 1);
      assert.deepEqual(res.body.media[0].tags, ['photo_selfie']);
      assert.equal(res.body.media[0].media_type, 'IMAGE_FOLDER');
    }
  });
});

describe('DELETE /api/folders/{folder_id} and DELETE /api/media/{media_id}', () => {
  test('ADMIN and CLIENT ADMIN only; files, best shots, records and pointers go; other companies see 404', async (t) => {
    const photo = sharedFile(FACE_PHOTO);
    if (!photo) return t.skip(`../shared/data/${FACE_PHOTO} is absent`);
    const upload = await client.upload('/api/folders', [
      { field: 'selfie', name: 'selfie.jpg', bytes: fs.readFileSync(photo) },
      { field: 'extra', name: 'extra.png', bytes: await png(60) },
    ], { 'media:tags': { selfie: ['photo_selfie'], extra: ['photo_selfie'] } });
    assert.equal(upload.status, 201, upload.text);
    const folderId = upload.body.folder_id;
    const selfieId = upload.body.media.find((m: { original_name: string }) => m.original_name === 'selfie.jpg').media_id;
    const extraId = upload.body.media.find((m: { original_name: string }) => m.original_name === 'extra.png').media_id;
    const [started] = (await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality', source_media: [selfieId] }] } })).body;
    const finished = await client.waitForAnalysis(started.analysis_id);
    assert.equal(finished.state, 'FINISHED', JSON.stringify(finished));
    const bestShotId = finished.results_media[0].output_images[0].media_id;
    assert.equal(originals(await storedFiles(companyId, folderId)).length, 3); // two uploads and a best shot

    // CLIENT may read the folder but not delete it or its media (changelog 3.8.0 / 3.10.0): 403 / 9.
    for (const path of [`/api/folders/${folderId}`, `/api/folders/${folderId}/`, `/api/media/${extraId}`]) {
      const refused = await client.request('DELETE', path);
      assert.deepEqual([refused.status, refused.body.error_code], [403, 9], `${path}: ${refused.text}`);
    }
    // Another company's CLIENT ADMIN does not learn that it exists.
    const hidden = await outsider.request('DELETE', `/api/folders/${folderId}`);
    assert.deepEqual([hidden.status, hidden.body.error_code], [404, 10]);
    assert.equal((await outsider.request('DELETE', `/api/media/${extraId}`)).status, 404);
    assert.equal(originals(await storedFiles(companyId, folderId)).length, 3);

    // One media: its file goes, the folder and the analysis stay.
    assert.equal((await clientAdmin.request('DELETE', `/api/media/${extraId}/`)).status, 204);
    assert.equal((await client.request('GET', `/api/media/${extraId}`)).status, 404);
    const folder = (await client.request('GET', `/api/folders/${folderId}?with_analyses=true`)).body;
    assert.deepEqual(folder.media.map((m: { media_id: string }) => m.media_id), [selfieId]);
    assert.equal(folder.analyses.length, 1);
    assert.equal(originals(await storedFiles(companyId, folderId)).length, 2);
    assert.equal(await deps.folders.locate('MEDIA', extraId), null);

    // The whole folder: every file, record and pointer.
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${folderId}`)).status, 204);
    assert.deepEqual(await storedFiles(companyId, folderId), []);
    assert.equal(await deps.folders.getFolder(companyId, folderId), null);
    for (const [kind, id] of [['FOLDER', folderId], ['MEDIA', selfieId], ['MEDIA', bestShotId], ['ANALYSIS', started.analysis_id]] as const) {
      assert.equal(await deps.folders.locate(kind, id), null, `${kind} ${id} pointer`);
    }
    for (const path of [`/api/folders/${folderId}`, `/api/media/${selfieId}`, `/api/analyses/${started.analysis_id}`]) {
      assert.deepEqual((await client.request('GET', path)).status, 404, path);
    }
    const list = (await clientAdmin.request('GET', '/api/folders')).body;
    assert.ok(!list.items.some((f: { folder_id: string }) => f.folder_id === folderId));
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${folderId}`)).status, 404);
    // The audit log keeps the deletion.
    const audit = (await clientAdmin.request('GET', `/api/audit?object_type=FOLDER&object_id=${folderId}`)).body;
    assert.ok(audit.items.some((e: { action: string; email: string }) => e.action === 'delete' && e.email === 'ca@compat.test'));
  });

  test('refused with 409 while an analysis runs, and nothing is deleted', async () => {
    const upload = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(90) }]);
    const folderId = upload.body.folder_id;
    const mediaId = upload.body.media[0].media_id;
    const agg = (await deps.folders.getFolder(companyId, folderId))!;
    const pending = processingAnalysis(agg.folder);
    await deps.analyses.createAnalyses(agg.folder, [pending]);
    for (const path of [`/api/folders/${folderId}`, `/api/media/${mediaId}`]) {
      const refused = await admin.request('DELETE', path);
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.body.error_code, 4);
      assert.deepEqual(refused.body.details.processing_analyses, [pending.analysis_id]);
    }
    assert.equal(originals(await storedFiles(companyId, folderId)).length, 1);
    assert.equal((await client.request('GET', `/api/media/${mediaId}`)).status, 200);
    // Once it has ended, ADMIN may delete.
    await deps.analyses.finishAnalysis({ ...pending, state: 'FAILED', error_code: 0, error_message: 'test', time_task_finished: Date.now() / 1000 }, []);
    assert.equal((await admin.request('DELETE', `/api/folders/${folderId}`)).status, 204);
    assert.deepEqual(await storedFiles(companyId, folderId), []);
  });
});

describe('GET /api/folders filters (changelog 3.32.0 and 4.0.2)', () => {
  const FACE2 = 'faces/face_recognition/examples/obama2.jpg';
  const list = (query: string) => clientAdmin.request('GET', `/api/folders/?${query}&limit=1000`);
  const ids = (res: { body: { items: { folder_id: string }[] } }) => res.body.items.map((f) => f.folder_id);

  test('with_results_media_filter: analyse.time_created, results_data (BIOMETRY), results_media_results_data (QUALITY), analyse.results_data (DOCUMENTS)', async (t) => {
    const [a, b] = [sharedFile(FACE_PHOTO), sharedFile(FACE2)];
    if (!a || !b) return t.skip('../shared/data faces are absent');
    const folderId = (await client.upload('/api/folders', [{ field: 'a', name: 'a.jpg', bytes: fs.readFileSync(a) }, { field: 'b', name: 'b.jpg', bytes: fs.readFileSync(b) }])).body.folder_id;
    const plain = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(50) }])).body.folder_id;
    const started = (await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }, { type: 'biometry' }] } })).body;
    const [quality, biometry] = await Promise.all(started.map((s: { analysis_id: string }) => client.waitForAnalysis(s.analysis_id)));
    assert.equal(biometry.state, 'FINISHED', JSON.stringify(biometry));
    assert.equal(quality.state, 'FINISHED', JSON.stringify(quality));
    const minConfidence: number = biometry.results_data.min_confidence;
    const spoofing: number = Math.max(...quality.results_media.map((r: { results_data: { confidence_spoofing: number } }) => r.results_data.confidence_spoofing));
    const q = (name: string, value: string | number) => `with_results_media_filter=true&${name}=${encodeURIComponent(String(value))}`;

    const cases: [string, boolean][] = [
      [q('results_data', `min_confidence>=${minConfidence}`), true],
      [q('results_data', `min_confidence>${minConfidence}`), false],
      [q('results_data', `min_confidence==${minConfidence},max_confidence>=${minConfidence}`), true],
      [q('results_media_results_data', `confidence_spoofing<=${spoofing}`), true],
      [q('results_media_results_data', 'confidence_spoofing>1'), false],
      [q('analyse.time_created.min', Math.floor(biometry.time_created) - 1), true],
      [q('analyse.time_created.max', Math.floor(biometry.time_created) - 3600), false],
      [q('analyse.time_created.min', Math.floor(Date.now() / 1000) + 3600), false],
      [q('analyse.results_data', 'document_type==passport'), false], // DOCUMENTS is not realized: never any results
    ];
    for (const [query, included] of cases) {
      const res = await list(query);
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      assert.equal(ids(res).includes(folderId), included, query);
      assert.ok(!ids(res).includes(plain), `${query}: a folder without analyses never matches a results filter`);
    }
  });

  test('results filters without with_results_media_filter, unknown filters and malformed ones answer 400 / 4 naming them', async () => {
    const without = await list('results_data=min_confidence%3E%3D0.5');
    assert.deepEqual([without.status, without.body.error_code], [400, 4]);
    assert.match(without.body.error_message, /results_data.*with_results_media_filter=true/);
    for (const name of ['analysis_type', 'sort', 'folder_id']) {
      const res = await list(`${name}=x`);
      assert.deepEqual([res.status, res.body.error_code], [400, 4], res.text);
      assert.ok(res.text.includes(name), res.text);
    }
    const malformed = await list('with_results_media_filter=true&results_data=nonsense');
    assert.deepEqual([malformed.status, malformed.body.error_code], [400, 4]);
    const notNumber = await list(`with_results_media_filter=true&results_media_results_data=${encodeURIComponent('confidence_spoofing>high')}`);
    assert.deepEqual([notNumber.status, notNumber.body.error_code], [400, 4]);
    // The documented ones still work alone (and the bare "?" of real clients).
    assert.equal((await clientAdmin.request('GET', '/api/folders/?')).status, 200);
    assert.equal((await list('analyse.type=QUALITY&analyse.resolution_status=SUCCESS&with_analyses=true')).status, 200);
  });
});

describe('folders: the webhook given when starting analyses, and changing the owner', () => {
  test('resolution_endpoint beside "analyses" becomes the folder\'s webhook and is notified when the group finishes', async () => {
    const folderId = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(110) }], { 'media:tags': { p: ['photo_selfie'] } })).body.folder_id;
    assert.equal((await client.request('GET', `/api/folders/${folderId}`)).body.resolution_endpoint, null);
    const url = `${receiver.base}/hook`;
    const started = await client.request('POST', `/api/folders/${folderId}/analyses/`, { json: { analyses: [{ type: 'quality' }], resolution_endpoint: url } });
    assert.equal(started.status, 201, started.text);
    assert.equal((await client.request('GET', `/api/folders/${folderId}`)).body.resolution_endpoint, url);
    await client.waitForAnalysis(started.body[0].analysis_id);
    let delivered;
    for (let i = 0; i < 200 && !delivered; i++) {
      delivered = receiver.received.find((r) => r.path === '/hook' && r.body.includes(folderId));
      if (!delivered) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(delivered, 'the receiver was notified');
    assert.equal(JSON.parse(delivered.body).folder_id, folderId);
    // A bad value is refused before anything is stored or started.
    const bad = await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }], resolution_endpoint: 42 } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal((await client.request('GET', `/api/folders/${folderId}/analyses`)).body.length, 1);
    // PATCH removes it.
    const removed = await client.request('PATCH', `/api/folders/${folderId}`, { json: { resolution_endpoint: null } });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.resolution_endpoint, null);
  });

  test('PATCH /api/folders/{id} {"user_id"} changes the owner within permissions (changelog 3.18.0)', async () => {
    const other = await createLoggedInUser(runtime.url, admin, { email: 'c2@compat.test', password: 'compat-pass-1' }, { company_id: companyId, user_type: 'CLIENT' });
    const stranger = await createLoggedInUser(runtime.url, admin, { email: 'c3@other.compat.test', password: 'compat-pass-1' }, { company_id: (await admin.request('POST', '/api/companies', { json: { name: 'Third Co' } })).body.company_id, user_type: 'CLIENT' });
    const folderId = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(120) }])).body.folder_id;
    assert.equal((await other.client.request('GET', `/api/folders/${folderId}`)).status, 404);
    // A CLIENT cannot see other users, so cannot hand a folder over.
    const refused = await client.request('PATCH', `/api/folders/${folderId}`, { json: { user_id: other.id } });
    assert.deepEqual([refused.status, refused.body.error_code], [400, 4], refused.text);
    // Nor can anyone give it to a user of another company.
    const foreign = await clientAdmin.request('PATCH', `/api/folders/${folderId}`, { json: { user_id: stranger.id } });
    assert.deepEqual([foreign.status, foreign.body.error_code], [400, 4], foreign.text);
    // The company's CLIENT ADMIN can.
    const moved = await clientAdmin.request('PATCH', `/api/folders/${folderId}/`, { json: { user_id: other.id } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.user_id, other.id);
    assert.equal((await other.client.request('GET', `/api/folders/${folderId}`)).status, 200);
    assert.equal((await client.request('GET', `/api/folders/${folderId}`)).status, 404);
    const audit = (await clientAdmin.request('GET', `/api/audit?object_type=FOLDER&object_id=${folderId}`)).body;
    assert.ok(audit.items.some((e: { action: string }) => e.action === 'owner_changed'));
    const unknown = await clientAdmin.request('PATCH', `/api/folders/${folderId}`, { json: { owner: other.id } });
    assert.deepEqual([unknown.status, unknown.body.error_code], [400, 4]);
  });
});

describe('users', () => {
  test('OPERATOR edits their own profile and password and lists their own sessions ("their data"), nobody else\'s', async () => {
    const op = await createLoggedInUser(runtime.url, admin, { email: 'op@compat.test', password: 'compat-pass-1' }, { company_id: companyId, user_type: 'OPERATOR', first_name: 'Old' });
    const patched = await op.client.request('PATCH', `/api/users/${op.id}`, { json: { first_name: 'New', last_name: 'Operator' } });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual([patched.body.first_name, patched.body.last_name, patched.body.user_type], ['New', 'Operator', 'OPERATOR']);
    // Not their own role or activity, and not other users.
    assert.equal((await op.client.request('PATCH', `/api/users/${op.id}`, { json: { user_type: 'ADMIN' } })).status, 403);
    const clientUser = (await clientAdmin.request('GET', '/api/users')).body.items.find((u: { email: string }) => u.email === 'c@compat.test');
    const other = await op.client.request('PATCH', `/api/users/${clientUser.user_id}`, { json: { first_name: 'X' } });
    assert.deepEqual([other.status, other.body.error_code], [403, 9]);
    assert.equal((await op.client.request('GET', `/api/users/${clientUser.user_id}`)).status, 200); // reads every user
    assert.equal((await op.client.request('GET', `/api/users/${clientUser.user_id}/sessions`)).status, 403);

    const sessions = await op.client.request('GET', `/api/users/${op.id}/sessions`);
    assert.equal(sessions.status, 200, sessions.text);
    assert.ok(sessions.body.items.some((s: { is_current: boolean }) => s.is_current));
    const changed = await op.client.request('POST', `/api/users/${op.id}/change-password`, { json: { credentials: { old_password: 'compat-pass-1', new_password: 'compat-pass-2' } } });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await new OzClient(runtime.url).login('op@compat.test', 'compat-pass-2')).status, 200);
    // Service tokens stay with ADMIN and CLIENT ADMIN.
    assert.equal((await op.client.request('POST', `/api/authorize/service_token/${op.id}`)).status, 403);
  });
});

describe('analyses', () => {
  test('system_resolution (4.0.2) and confs with the thresholds in force, defaults included', async () => {
    const folderId = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(70) }], { 'media:tags': { p: ['photo_selfie'] } })).body.folder_id;
    const started = await client.request('POST', `/api/folders/${folderId}/analyses`, {
      json: { analyses: [{ type: 'quality' }, { type: 'quality', params: { threshold_spoofing: 0.42, extract_best_shot: false } }, { type: 'biometry', params: { threshold: 0.9 } }] },
    });
    assert.equal(started.status, 201, started.text);
    const [q1, q2, bio] = started.body;
    assert.deepEqual(q1.confs, { threshold_spoofing: 0.5, extract_best_shot: true, extract_action_shots: false });
    assert.deepEqual(q2.confs, { threshold_spoofing: 0.42, extract_best_shot: false, extract_action_shots: false });
    assert.deepEqual(bio.confs, { threshold: 0.9, threshold_min: 0.9, threshold_max: 0.9 });
    for (const a of started.body) assert.equal(a.system_resolution, 'PROCESSING');
    const done = await client.waitForAnalysis(q1.analysis_id);
    // A gray square has no face: FAILED, and the system's verdict says so too.
    assert.deepEqual([done.state, done.system_resolution, done.resolution_status], ['FAILED', 'FAILED', 'FAILED']);
    assert.deepEqual(done.confs, q1.confs);
    for (const a of [q2, bio]) await client.waitForAnalysis(a.analysis_id);
    // "FAILED – any of the analyses failed" (Statuses in API): the folder says FAILED.
    const folder = (await client.request('GET', `/api/folders/${folderId}?with_analyses=true`)).body;
    assert.equal(folder.resolution_status, 'FAILED');
    assert.ok(folder.analyses.every((a: { system_resolution: string }) => typeof a.system_resolution === 'string'));
  });
});

describe('media', () => {
  test('media[] in upload order; original_info (md5, size, mime-type) and original_local_path (3.30.0)', async () => {
    const files = await Promise.all(Array.from({ length: 8 }, async (_, i) => ({ field: `photo_${i}`, name: `p${i}.png`, bytes: await png(10 + i * 20) })));
    const created = await client.upload('/api/folders', files);
    assert.equal(created.status, 201, created.text);
    const names = (media: { original_name: string }[]) => media.map((m) => m.original_name);
    assert.deepEqual(names(created.body.media), files.map((f) => f.name));
    const read = (await client.request('GET', `/api/folders/${created.body.folder_id}`)).body;
    assert.deepEqual(names(read.media), files.map((f) => f.name));
    const added = await client.upload(`/api/folders/${created.body.folder_id}/media`, files.slice(0, 3).reverse().map((f) => ({ ...f, name: `again-${f.name}` })));
    assert.deepEqual(names(added.body), ['again-p2.png', 'again-p1.png', 'again-p0.png']);
    const m = created.body.media[3];
    const { createHash } = await import('node:crypto');
    assert.deepEqual(m.original_info, { md5: createHash('md5').update(files[3]!.bytes).digest('hex'), size: files[3]!.bytes.length, 'mime-type': 'image/png' });
    assert.equal(m.original_local_path, null);
    assert.deepEqual((await client.request('GET', `/api/media/${m.media_id}`)).body.original_info, m.original_info);
  });
});

describe('users and tokens', () => {
  test("a user's meta_data and technical_meta_data at creation", async () => {
    const made = await clientAdmin.request('POST', '/api/users/', {
      json: { credentials: { email: 'meta@compat.test', password: 'compat-pass-1' }, profile: { user_type: 'CLIENT', meta_data: { employee: 'E-7' }, technical_meta_data: { source: 'hr-sync' } } },
    });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual([made.body.meta_data, made.body.technical_meta_data], [{ employee: 'E-7' }, { source: 'hr-sync' }]);
    const read = (await clientAdmin.request('GET', `/api/users/${made.body.user_id}`)).body;
    assert.deepEqual([read.meta_data, read.technical_meta_data], [{ employee: 'E-7' }, { source: 'hr-sync' }]);
    const patched = await clientAdmin.request('PATCH', `/api/users/${made.body.user_id}`, { json: { technical_meta_data: { synced: true } } });
    assert.deepEqual(patched.body.technical_meta_data, { source: 'hr-sync', synced: true });
    const bad = await clientAdmin.request('POST', '/api/users', { json: { credentials: { email: 'meta2@compat.test', password: 'compat-pass-1' }, profile: { meta_data: 'x' } } });
    assert.deepEqual([bad.status, bad.body.error_code], [400, 4]);
  });

  test('/api/authorize/service_token without a user id: a CLIENT SERVICE user\'s own token; 403 for other roles', async () => {
    const svc = await createLoggedInUser(runtime.url, admin, { email: 'svc@compat.test', password: 'compat-pass-1' }, { company_id: companyId, user_type: 'CLIENT_SERVICE' });
    for (const [method, path] of [['POST', '/api/authorize/service_token/'], ['GET', '/api/authorize/service_token']] as const) {
      const res = await svc.client.request(method, path);
      assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.user_id, svc.id);
      assert.ok(res.body.expire_date - Date.now() / 1000 > 4 * 365 * 24 * 3600);
      assert.equal((await svc.client.request('GET', '/api/folders', { token: res.body.access_token })).status, 200);
    }
    const refused = await client.request('POST', '/api/authorize/service_token');
    assert.deepEqual([refused.status, refused.body.error_code], [403, 9]);
  });
});

describe('command line', () => {
  test('`npm run delete-user -- --email E` (changelog 4.0.8) deletes the user and their sessions, and logs it', async () => {
    const gone = await createLoggedInUser(runtime.url, admin, { email: 'gone@compat.test', password: 'compat-pass-1' }, { company_id: companyId, user_type: 'CLIENT' });
    const folderId = (await gone.client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(33) }])).body.folder_id;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-delete-user-'));
    const file = path.join(dir, 'runtime.json');
    writeDiscovery(file, runtime.url);
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = { ...process.env, OZ_RUNTIME_FILE: file };
        delete env.OZ_TABLE_NAME; // found through the running runtime, as from a second terminal
        execFile(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/delete-user.ts'), ...args], { cwd: REPO_ROOT, env, timeout: 120_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    try {
      const done = await run(['--email', 'gone@compat.test']);
      assert.equal(done.code, 0, done.stderr);
      assert.equal(JSON.parse(done.stdout.trim().split('\n').pop()!).deleted.user_id, gone.id);
      const again = await run(['--email', 'gone@compat.test']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /no user gone@compat.test/);
      assert.equal((await run([])).code, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual((await gone.client.request('GET', '/api/folders')).status, 401);
    assert.equal((await new OzClient(runtime.url).login('gone@compat.test', 'compat-pass-1')).status, 401);
    assert.equal((await clientAdmin.request('GET', `/api/users/${gone.id}`)).status, 404);
    assert.equal((await clientAdmin.request('GET', `/api/folders/${folderId}`)).status, 200); // folders stay with the company
    const audit = (await clientAdmin.request('GET', `/api/audit?object_type=USER&object_id=${gone.id}`)).body;
    assert.ok(audit.items.some((e: { action: string; user_id: string | null; changes: { by?: string } }) => e.action === 'delete' && e.user_id === null && e.changes.by === 'cli'), JSON.stringify(audit));
  });
});

describe('shot sets as application/x-gzip (changelog 3.20.1)', () => {
  /** A ustar archive, as `tar czf` makes before gzip. */
  const tar = (entries: { name: string; data: Buffer }[]) =>
    Buffer.concat([
      ...entries.flatMap((e) => {
        const h = Buffer.alloc(512);
        h.write(e.name, 0, 100, 'utf8');
        h.write(e.data.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
        h.write('0', 156, 1, 'latin1');
        h.write('ustar\0' + '00', 257, 8, 'latin1');
        return [h, e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512)];
      }),
      Buffer.alloc(1024),
    ]);

  test('a tar.gz of photos is a SHOTS_SET, analysed like a ZIP one; a gzip bomb is refused with 400', async (t) => {
    const photo = sharedFile(FACE_PHOTO);
    if (!photo) return t.skip(`../shared/data/${FACE_PHOTO} is absent`);
    const archive = gzipSync(tar([{ name: 'shots/1.jpg', data: fs.readFileSync(photo) }, { name: 'shots/2.png', data: await png(77) }]));
    const created = await client.upload('/api/folders', [{ field: 'shots', name: 'shots.tar.gz', bytes: archive, type: 'application/x-gzip' }], { 'media:tags': { shots: ['video_selfie', 'video_selfie_blank'] } });
    assert.equal(created.status, 201, created.text);
    const media = created.body.media[0];
    assert.equal(media.media_type, 'SHOTS_SET');
    assert.equal(media.original_info['mime-type'], 'application/x-gzip');
    // 5.2.0: a shot set's video_url is a video made from its frames, not the archive.
    assert.notEqual(media.video_url, media.original_url);
    const video = Buffer.from(await (await fetch(media.video_url)).arrayBuffer());
    assert.equal(video.toString('latin1', 4, 8), 'ftyp');
    const probed = await withTempFile(video, (file) => probeVideoFile(file));
    assert.deepEqual([probed.codec, probed.frames], ['h264', 2]);
    assert.deepEqual(originals(await storedFiles(companyId, created.body.folder_id)).length, 2); // the archive and its video
    const [started] = (await client.request('POST', `/api/folders/${created.body.folder_id}/analyses`, { json: { analyses: [{ type: 'quality', params: { extract_best_shot: false } }] } })).body;
    const done = await client.waitForAnalysis(started.analysis_id);
    assert.equal(done.state, 'FINISHED', JSON.stringify(done));
    assert.equal(typeof done.results_media[0].results_data.confidence_spoofing, 'number');
    // Clearing personal information takes the video too.
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${created.body.folder_id}/pi`)).status, 200);
    assert.deepEqual(await storedFiles(companyId, created.body.folder_id), []);
    const cleared = (await client.request('GET', `/api/media/${media.media_id}`)).body;
    assert.deepEqual([cleared.original_url, cleared.video_url], [null, null]);
    const bomb = await client.upload('/api/folders', [{ field: 'shots', name: 'bomb.gz', bytes: gzipSync(Buffer.alloc(120 * 1024 * 1024)) }]);
    assert.deepEqual([bomb.status, bomb.body.error_code], [400, 4], bomb.text);
  });
});

describe('media snapshots: GET and POST /api/media/{media_id}/snapshot/ (4.0.2)', () => {
  const getJpeg = async (who: OzClient, mediaId: string) => {
    const res = await fetch(`${runtime.url}/api/media/${mediaId}/snapshot/`, { headers: { 'X-Forensic-Access-Token': who.token! } });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  };

  test('a photo is its own snapshot; a video is snapshotted at its middle, then at the second POST asks for', async () => {
    const photo = await sharp({ create: { width: 2400, height: 1200, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
    const video = makeTestVideo({ seconds: 4, size: '640x360' });
    const created = await client.upload('/api/folders', [
      { field: 'photo1', name: 'p.jpg', bytes: photo },
      { field: 'video1', name: 'v.mp4', bytes: video, type: 'video/mp4' },
    ]);
    assert.equal(created.status, 201, created.text);
    const [image, clip] = created.body.media;

    // GET before any POST makes it: the photo, scaled to the snapshot's longest side (1920).
    const got = await getJpeg(client, image.media_id);
    assert.deepEqual([got.status, got.type], [200, 'image/jpeg']);
    const meta = await sharp(got.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1920, 960]);
    const { dominant } = await sharp(got.bytes).stats();
    assert.ok(dominant.r > 150 && dominant.g < 100, JSON.stringify(dominant));
    // A time on a photo is refused: it names nothing.
    const timed = await client.request('POST', `/api/media/${image.media_id}/snapshot/`, { json: { time: 1 } });
    assert.deepEqual([timed.status, timed.body.error_code], [400, 4], timed.text);

    // A video: the default is its middle; POST {time} picks another frame, clamped into the video.
    const first = await getJpeg(client, clip.media_id);
    assert.equal(first.status, 200);
    assert.deepEqual([(await sharp(first.bytes).metadata()).width, (await sharp(first.bytes).metadata()).height], [640, 360]);
    const made = await client.request('POST', `/api/media/${clip.media_id}/snapshot/`, { json: { time: 0.5 } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual({ ...made.body, snapshot_url: undefined, size: undefined }, { media_id: clip.media_id, folder_id: created.body.folder_id, time: 0.5, width: 640, height: 360, 'mime-type': 'image/jpeg', snapshot_url: undefined, size: undefined });
    const linked = Buffer.from(await (await fetch(made.body.snapshot_url)).arrayBuffer());
    assert.equal(linked.length, made.body.size);
    const again = await getJpeg(client, clip.media_id);
    assert.ok(again.bytes.equals(linked), 'GET answers the snapshot POST made');
    assert.ok(!again.bytes.equals(first.bytes), 'the frame at 0.5 s is not the middle one (the test source moves)');
    const late = await client.request('POST', `/api/media/${clip.media_id}/snapshot?time=99`);
    assert.equal(late.status, 201, late.text);
    assert.ok(late.body.time > 3.5 && late.body.time < 4, String(late.body.time));
    const bad = await client.request('POST', `/api/media/${clip.media_id}/snapshot/`, { json: { time: -1 } });
    assert.deepEqual([bad.status, bad.body.error_code], [400, 4], bad.text);

    // The snapshot is the media's file: other companies see 404 / 10, and clearing personal information takes it.
    assert.deepEqual((await getJpeg(outsider, clip.media_id)).status, 404);
    assert.equal((await outsider.request('POST', `/api/media/${clip.media_id}/snapshot/`)).status, 404);
    assert.ok((await storedFiles(companyId, created.body.folder_id)).some((k) => k.endsWith('.snapshot.jpg')));
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${created.body.folder_id}/pi`)).status, 200);
    assert.deepEqual(await storedFiles(companyId, created.body.folder_id), []);
    const cleared = await client.request('GET', `/api/media/${clip.media_id}/snapshot/`);
    assert.deepEqual([cleared.status, cleared.body.error_code], [400, 4], cleared.text);
  });
});

describe('event sessions: GET /api/event_sessions with its 12 parameters (5.2.0)', () => {
  test('sessions recorded with POST are listed by time windows, ids, sorting and paging; tenants see only theirs', async () => {
    const post = (who: OzClient, body: unknown) => who.request('POST', '/api/event_sessions', { json: body });
    const tag = randomUUID().slice(0, 8);
    const before = Date.now() / 1000 - 1;
    const s1 = await post(client, { session_id: `s1-${tag}`, events: [{ event: 'liveness_started', time: Date.now() }], meta_data: { sdk: 'android 8.8.0' } });
    assert.equal(s1.status, 201, s1.text);
    assert.deepEqual([s1.body.session_id, s1.body.events_count, s1.body.meta_data.sdk, s1.body.events[0].event], [`s1-${tag}`, 1, 'android 8.8.0', 'liveness_started']);
    await new Promise((r) => setTimeout(r, 1100));
    const s2 = (await post(clientAdmin, { session_id: `s2-${tag}`, events: [{ type: 'video_recorded', data: { seconds: 3 } }] })).body;
    await new Promise((r) => setTimeout(r, 1100));
    // More events for s1: its time_updated moves, its time_created does not.
    const appended = (await post(client, { session_id: `s1-${tag}`, events: [{ event: 'liveness_finished' }, { event: 'upload_done' }] })).body;
    assert.deepEqual([appended.events_count, appended.time_created, appended.events.map((e: { event: string }) => e.event)], [3, s1.body.time_created, ['liveness_started', 'liveness_finished', 'upload_done']]);
    assert.ok(appended.time_updated > s2.time_updated);
    const foreign = (await post(outsider, { session_id: `s1-${tag}`, events: [{ event: 'other company' }] })).body;
    assert.equal(foreign.events_count, 1, 'the same session id in another company is another session');

    const list = async (who: OzClient, query: string) => {
      const res = await who.request('GET', `/api/event_sessions/?time_created.min=${before}&${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body as { total?: number; items: { session_id: string; events_count: number }[] };
    };
    const ids = (page: { items: { session_id: string }[] }) => page.items.map((i) => i.session_id);
    // Default: newest created first, with a total.
    assert.deepEqual(await list(clientAdmin, '').then((p) => [p.total, ids(p)]), [2, [`s2-${tag}`, `s1-${tag}`]]);
    assert.deepEqual(ids(await list(clientAdmin, 'sorting=time_created')), [`s1-${tag}`, `s2-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, 'sorting=-time_updated')), [`s1-${tag}`, `s2-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `time_updated.min=${appended.time_updated}`)), [`s1-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `time_updated.max=${s2.time_updated}`)), [`s2-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `time_created.max=${s1.body.time_created}`)), [`s1-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `time_created=${Math.floor(s2.time_created)}`)), [`s2-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `time_updated=${Math.floor(appended.time_updated)}`)), [`s1-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `session_id=s2-${tag}`)), [`s2-${tag}`]);
    assert.deepEqual(ids(await list(clientAdmin, `session_id.exclude=s2-${tag}`)), [`s1-${tag}`]);
    const paged = await list(clientAdmin, 'offset=1&limit=1&total_omit=true');
    assert.deepEqual([paged.total, ids(paged)], [undefined, [`s1-${tag}`]]);
    assert.deepEqual(await list(clientAdmin, 'offset=1&limit=1').then((p) => [p.total, ids(p)]), [2, [`s1-${tag}`]]);
    // The access matrix's FOLDER row: CLIENT sees their own sessions, the other company none of these.
    assert.deepEqual(ids(await list(client, '')), [`s1-${tag}`]);
    const outside = await list(outsider, '');
    assert.deepEqual(ids(outside), [`s1-${tag}`]);
    assert.equal(outside.items[0]!.events_count, 1);
    // ADMIN sees every company's.
    assert.deepEqual(ids(await list(admin, `session_id=s1-${tag},s2-${tag}&sorting=time_created`)), [`s1-${tag}`, `s2-${tag}`, `s1-${tag}`]);
    // Bad input: a clear 400 naming it, and nothing stored changes.
    for (const query of ['sorting=name', 'time_created.min=2&time_created.max=1', 'limit=-1', 'color=blue']) {
      const res = await clientAdmin.request('GET', `/api/event_sessions?${query}`);
      assert.deepEqual([res.status, res.body.error_code], [400, 4], `${query}: ${res.text}`);
    }
    for (const body of [{ events: [] }, { session_id: 'has space', events: [{ event: 'x' }] }, { events: [{ event: 'x', data: 'text' }] }]) {
      const res = await post(client, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await list(clientAdmin, `session_id=s1-${tag}`)).items[0]!.events_count, 3);
  });
});
