// The documented liveness flow over HTTP against the local runtime, and its error cases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import sharp from 'sharp';
import { ADMIN, OzClient, sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

const VIDEO = 'faces/face_recognition/examples/short_hamilton_clip.mp4';
const FACE_PHOTO = 'faces/face_recognition/examples/obama.jpg';

let runtime: LocalRuntime;
let admin: OzClient;
let client: OzClient;
let companyId: string;

const grayPng = () => sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();

before(async () => {
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  client = new OzClient(runtime.url);
});
after(async () => {
  await runtime?.stop();
});

describe('authentication and errors of the flow', () => {
  test('health check answers without a token', async () => {
    const res = await admin.request('GET', '/api/healthcheck');
    assert.equal(res.status, 200);
  });

  test('the admin authenticates; the answer matches what Oz health checks look for', async () => {
    const res = await admin.login(ADMIN.email, ADMIN.password);
    assert.equal(res.status, 200);
    assert.match(res.text, /"access_token": "[a-z0-9]+"/);
    assert.equal(res.body.user.user_type, 'ADMIN');
    assert.equal(typeof res.body.expire_token, 'string');
    assert.ok(res.body.expire_date > Date.now() / 1000 + 14 * 60);
    assert.equal(res.body.user.password_hash, undefined);
  });

  test('wrong password, no token, unknown token: documented codes, body starting with error_code', async () => {
    const wrong = await new OzClient(runtime.url).login(ADMIN.email, 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.ok(wrong.text.startsWith('{"error_code": '));
    const none = await admin.request('GET', '/api/folders/', { token: null });
    assert.deepEqual([none.status, none.body.error_code], [401, 6]);
    const unknown = await admin.request('GET', '/api/folders/', { token: 'deadbeef' });
    assert.deepEqual([unknown.status, unknown.body.error_code], [401, 7]);
    const garbage = await admin.request('POST', '/api/authorize/auth', { body: 'not json', headers: { 'content-type': 'text/plain' }, token: null });
    assert.deepEqual([garbage.status, garbage.body.error_code], [400, 3]);
  });

  test('refresh gives a new pair; it needs the expire_token', async () => {
    const session = new OzClient(runtime.url);
    const login = await session.login(ADMIN.email, ADMIN.password);
    const missing = await session.request('POST', '/api/authorize/refresh/', { json: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error_message, /expire_token/);
    const refreshed = await session.request('POST', '/api/authorize/refresh/', { json: { expire_token: login.body.expire_token } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, login.body.access_token);
    // The old pair keeps working until the new one is first used, then it is gone.
    assert.equal((await session.request('GET', '/api/folders')).status, 200);
    assert.equal((await session.request('GET', '/api/folders', { token: refreshed.body.access_token })).status, 200);
    assert.equal((await session.request('GET', '/api/folders')).status, 401);
  });
});

describe('companies, users and the liveness flow', () => {
  test('ADMIN creates a company, finds it by search_text, and creates a CLIENT in it', async () => {
    const created = await admin.request('POST', '/api/companies/', { json: { name: 'E2E Bank' }, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(created.status, 201);
    companyId = created.body.company_id;
    assert.equal(created.body.in_deletion, false);
    const found = await admin.request('GET', '/api/companies/?search_text=e2e');
    assert.ok(found.body.items.some((c: { company_id: string }) => c.company_id === companyId));
    const user = await admin.request('POST', '/api/users/', {
      json: { credentials: { email: 'client@e2e.test', password: 'client-password-1' }, profile: { company_id: companyId, user_type: 'CLIENT', first_name: 'C', last_name: 'L', can_start_analyse_quality: true } },
    });
    assert.equal(user.status, 201);
    assert.equal(user.body.user_type, 'CLIENT');
    assert.equal(user.body.can_start_analysis_quality, true);
    assert.equal(user.body.can_start_analyse_quality, true);
    const dup = await admin.request('POST', '/api/users/', { json: { credentials: { email: 'CLIENT@e2e.test', password: 'client-password-1' }, profile: { company_id: companyId, user_type: 'CLIENT' } } });
    assert.equal(dup.status, 400);
    const forbidden = await new OzClient(runtime.url).login('client@e2e.test', 'client-password-1').then(async (r) => {
      assert.equal(r.status, 200);
      client.token = r.body.access_token;
      return client.request('POST', '/api/companies/', { json: { name: 'Nope' } });
    });
    assert.deepEqual([forbidden.status, forbidden.body.error_code], [403, 9]);
  });

  test('a real face video: upload, quality analysis through the queue, poll to FINISHED with confidence_spoofing', async (t) => {
    const video = sharedFile(VIDEO);
    if (!video) return t.skip(`../shared/data/${VIDEO} is absent`);
    const upload = await client.upload('/api/folders/', [{ field: 'video1', name: 'selfie.mp4', bytes: fs.readFileSync(video) }], {
      'media:tags': { video1: ['video_selfie', 'video_selfie_blank', 'orientation_portrait'] },
      'folder:meta_data': { transaction_id: 'tx-1' },
    });
    assert.equal(upload.status, 201, upload.text);
    const folder = upload.body;
    assert.equal(folder.resolution_status, 'INITIAL');
    assert.deepEqual(folder.meta_data, { transaction_id: 'tx-1' });
    const media = folder.media[0];
    assert.equal(media.media_type, 'VIDEO_FOLDER');
    assert.equal(media.video_id, media.media_id);
    assert.deepEqual(media.tags, ['video_selfie', 'video_selfie_blank', 'orientation_portrait']);
    assert.equal(media.info.video['mime-type'], 'video/mp4');
    assert.ok(media.info.video.duration > 5 && media.info.video.duration < 15, `duration ${media.info.video.duration}`);
    assert.ok(media.info.video.FPS > 10);
    assert.equal(media.info.video.width, 640);
    assert.match(media.info.video.md5, /^[0-9a-f]{32}$/);
    const original = await fetch(media.original_url);
    assert.equal(original.status, 200);
    assert.equal(Buffer.from(await original.arrayBuffer()).length, fs.statSync(video).size);

    const started = await client.request('POST', `/api/folders/${folder.folder_id}/analyses/`, { json: { analyses: [{ type: 'quality' }] } });
    assert.equal(started.status, 201, started.text);
    assert.ok(Array.isArray(started.body));
    assert.equal(started.body.length, 1);
    const [analysis] = started.body;
    assert.equal(analysis.analyse_id, analysis.analysis_id);
    assert.equal(analysis.state, 'PROCESSING');
    assert.equal(analysis.type, 'QUALITY');

    const done = await client.waitForAnalysis(analysis.analysis_id);
    assert.equal(done.state, 'FINISHED', JSON.stringify(done));
    const score = done.results_media[0].results_data.confidence_spoofing;
    assert.equal(typeof score, 'number');
    assert.ok(score >= 0 && score <= 1);
    assert.equal(done.results_media[0].source_video_id, media.media_id);
    assert.equal(done.resolution_status, score >= 0.5 ? 'DECLINED' : 'SUCCESS');
    assert.equal(done.resolution, done.resolution_status);

    const withAnalyses = await client.request('GET', `/api/folders/${folder.folder_id}/?with_analyses=true`);
    assert.equal(withAnalyses.body.resolution_status, 'FINISHED');
    assert.equal(withAnalyses.body.system_resolution, done.resolution_status);
    assert.equal(withAnalyses.body.analyses.length, 1);
    const listed = await client.request('GET', `/api/folders/?analyse.type=QUALITY&with_analyses=true&time_created.min=${Math.floor(Date.now() - 3600_000)}`);
    assert.ok(listed.body.items.some((f: { folder_id: string }) => f.folder_id === folder.folder_id));
    const byMeta = await client.request('GET', '/api/folders/?meta_data=transaction_id==tx-1&with_analyses=true');
    assert.deepEqual(byMeta.body.items.map((f: { folder_id: string }) => f.folder_id), [folder.folder_id]);
    assert.equal((await client.request('GET', '/api/folders/?meta_data=transaction_id==tx-2')).body.total, 0);
    const none = await client.request('GET', '/api/folders?analyse.type=BIOMETRY');
    assert.ok(!none.body.items.some((f: { folder_id: string }) => f.folder_id === folder.folder_id));
    const analyses = await client.request('GET', `/api/folders/${folder.folder_id}/analyses`);
    assert.ok(Array.isArray(analyses.body));
    assert.equal((await client.request('GET', `/api/media/${media.media_id}`)).body.media_id, media.media_id);
  });

  test('a photo with no face: the analysis FAILS with the documented message, and the folder says FAILED', async () => {
    const upload = await client.upload('/api/folders', [{ field: 'photo1', name: 'wall.png', bytes: await grayPng() }], { 'media:tags': { photo1: ['photo_selfie'] } });
    assert.equal(upload.status, 201, upload.text);
    assert.equal(upload.body.media[0].media_type, 'IMAGE_FOLDER');
    const mediaId = upload.body.media[0].media_id;
    const [analysis] = (await client.request('POST', `/api/folders/${upload.body.folder_id}/analyses`, { json: { analyses: [{ type: 'QUALITY' }] } })).body;
    const done = await client.waitForAnalysis(analysis.analysis_id);
    assert.equal(done.state, 'FAILED');
    assert.equal(done.error_code, 202);
    assert.equal(done.error_message, `Could not locate face on source media [${mediaId}]`);
    const folder = await client.request('GET', `/api/folders/${upload.body.folder_id}?with_analyses=true`);
    assert.equal(folder.body.resolution_status, 'FAILED');
  });

  test('media type comes from the bytes: a JPEG named .mp4 is an IMAGE_FOLDER; added media answers an array', async (t) => {
    const photo = sharedFile(FACE_PHOTO);
    if (!photo) return t.skip(`../shared/data/${FACE_PHOTO} is absent`);
    const upload = await client.upload('/api/folders', [{ field: 'video_0', name: 'clip.mp4', bytes: fs.readFileSync(photo), type: 'video/mp4' }]);
    assert.equal(upload.status, 201);
    assert.equal(upload.body.media[0].media_type, 'IMAGE_FOLDER');
    assert.deepEqual(upload.body.media[0].tags, []);
    const added = await client.upload(`/api/folders/${upload.body.folder_id}/media/`, [{ field: 'photo_1', name: 'x', bytes: fs.readFileSync(photo) }], { 'media:tags': { photo_1: ['photo_selfie'], nofile: ['photo_selfie'] } });
    assert.equal(added.status, 201);
    assert.ok(Array.isArray(added.body));
    assert.deepEqual(added.body[0].tags, ['photo_selfie']);
    const [analysis] = (await client.request('POST', `/api/folders/${upload.body.folder_id}/analyses`, { json: { analyses: [{ type: 'quality', source_media: [added.body[0].media_id], params: { threshold_spoofing: 0.99 } }] } })).body;
    const done = await client.waitForAnalysis(analysis.analysis_id);
    assert.equal(done.state, 'FINISHED', JSON.stringify(done));
    assert.equal(done.results_media.length, 1);
  });

  test('bad input gets clean 4xx answers and stores nothing', async () => {
    const before = (await client.request('GET', '/api/folders')).body.total;
    const noFiles = await client.request('POST', '/api/folders/', { json: { 'media:tags': {} } });
    assert.deepEqual([noFiles.status, noFiles.body.error_code], [400, 3]);
    const junk = await client.upload('/api/folders', [{ field: 'v', name: 'v.mp4', bytes: Buffer.from('this is not a video at all, just text') }]);
    assert.equal(junk.status, 400);
    assert.match(junk.body.error_message, /rejected/);
    const badPayload = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await grayPng() }], 'not-json');
    assert.equal(badPayload.status, 400);
    assert.equal((await client.request('GET', '/api/folders')).body.total, before);
    const unknownFolder = await client.request('POST', '/api/folders/00000000-0000-0000-0000-00000000abcd/analyses', { json: { analyses: [{ type: 'quality' }] } });
    assert.deepEqual([unknownFolder.status, unknownFolder.body.error_code], [404, 10]);
    const huge = await client.upload('/api/folders', [{ field: 'v', name: 'big.mp4', bytes: Buffer.alloc(5 * 1024 * 1024, 7) }]);
    assert.deepEqual([huge.status, huge.body.error_code], [413, 4]);
    const wrongMethod = await client.request('DELETE', '/api/companies');
    assert.equal(wrongMethod.status, 405);
    const nowhere = await client.request('GET', '/api/nowhere');
    assert.deepEqual([nowhere.status, nowhere.body.error_code], [404, 10]);
  });

  test('another company cannot see, list or use the folder (404, not 403)', async () => {
    const other = await admin.request('POST', '/api/companies', { json: { name: 'Other Co' } });
    await admin.request('POST', '/api/users', { json: { credentials: { email: 'spy@other.test', password: 'spy-password-1' }, profile: { company_id: other.body.company_id, user_type: 'CLIENT_ADMIN' } } });
    const spy = new OzClient(runtime.url);
    assert.equal((await spy.login('spy@other.test', 'spy-password-1')).status, 200);
    const mine = (await client.request('GET', '/api/folders?with_analyses=true')).body.items;
    assert.ok(mine.length > 0);
    const target = mine[0];
    assert.equal((await spy.request('GET', `/api/folders/${target.folder_id}`)).status, 404);
    assert.equal((await spy.request('GET', `/api/media/${target.media[0].media_id}`)).status, 404);
    assert.equal((await spy.request('POST', `/api/folders/${target.folder_id}/analyses`, { json: { analyses: [{ type: 'quality' }] } })).status, 404);
    if (target.analyses?.[0]) assert.equal((await spy.request('GET', `/api/analyses/${target.analyses[0].analysis_id}`)).status, 404);
    assert.equal((await spy.request('GET', '/api/folders')).body.total, 0);
  });
});
