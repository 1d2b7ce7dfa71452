// Face matching, best shot, gestures, DOCUMENTS and bad media over HTTP on the local runtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ADMIN, OzClient, sharedFile, startRuntime } from '../support/local';
import { toolPath } from '../../layers/vision/tools';
import { makeZip } from '../unit/vision/helpers';
import type { LocalRuntime } from '../../infra/local/runtime';

const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA2 = 'faces/face_recognition/examples/obama2.jpg';
const BIDEN = 'faces/face_recognition/examples/biden.jpg';
const VIDEO = 'faces/face_recognition/examples/short_hamilton_clip.mp4';
const missing = [OBAMA, OBAMA2, BIDEN, VIDEO].filter((f) => !sharedFile(f));
const skip = missing.length ? `../shared/data is absent (${missing[0]})` : false;

let runtime: LocalRuntime;
let client: OzClient;
let stillVideo: Buffer;
let tmp: string;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-match-'));
  // A "video" that is one still photo looped: no gesture can happen in it.
  const still = path.join(tmp, 'still.mp4');
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', '-loop', '1', '-framerate', '25', '-i', sharedFile(OBAMA)!, '-t', '4', '-vf', 'scale=640:-2', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', still]);
  stillVideo = fs.readFileSync(still);
  runtime = await startRuntime();
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Matching Co' } })).body.company_id;
  await admin.request('POST', '/api/users', { json: { credentials: { email: 'm@e2e.test', password: 'match-password-1' }, profile: { company_id: company, user_type: 'CLIENT' } } });
  client = new OzClient(runtime.url);
  await client.login('m@e2e.test', 'match-password-1');
});
after(async () => {
  await runtime?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const read = (f: string) => fs.readFileSync(sharedFile(f)!);

async function run(files: { field: string; bytes: Buffer; tags: string[] }[], analyses: unknown[]) {
  const upload = await client.upload('/api/folders', files.map((f) => ({ field: f.field, name: `${f.field}.bin`, bytes: f.bytes })), { 'media:tags': Object.fromEntries(files.map((f) => [f.field, f.tags])) });
  assert.equal(upload.status, 201, upload.text);
  const started = await client.request('POST', `/api/folders/${upload.body.folder_id}/analyses`, { json: { analyses } });
  assert.equal(started.status, 201, started.text);
  const done = await Promise.all(started.body.map((a: { analysis_id: string }) => client.waitForAnalysis(a.analysis_id, 120_000)));
  return { folder: upload.body, done };
}

test('BIOMETRY: two photos of one person SUCCESS, of two people DECLINED; per-media max/min and the least similar pair', { skip }, async () => {
  const same = await run([{ field: 'a', bytes: read(OBAMA), tags: ['photo_selfie'] }, { field: 'b', bytes: read(OBAMA2), tags: ['photo_selfie'] }], [{ type: 'biometry' }]);
  const s = same.done[0];
  assert.equal(s.state, 'FINISHED', JSON.stringify(s));
  assert.equal(s.resolution_status, 'SUCCESS');
  assert.ok(s.results_data.min_confidence >= 0.85, String(s.results_data.min_confidence));
  assert.equal(s.results_media.length, 2);
  assert.ok(s.results_media.every((r: any) => typeof r.results_data.max_confidence === 'number' && typeof r.results_data.min_confidence === 'number'));
  const diff = await run([{ field: 'a', bytes: read(OBAMA), tags: ['photo_selfie'] }, { field: 'b', bytes: read(BIDEN), tags: ['photo_selfie'] }], [{ type: 'biometry' }]);
  assert.equal(diff.done[0].resolution_status, 'DECLINED');
  assert.ok(diff.done[0].results_data.min_confidence < 0.85);
  const three = await run(
    [{ field: 'a', bytes: read(OBAMA), tags: ['photo_selfie'] }, { field: 'b', bytes: read(OBAMA2), tags: ['photo_selfie'] }, { field: 'c', bytes: read(BIDEN), tags: ['photo_selfie'] }],
    [{ type: 'biometry' }],
  );
  assert.equal(three.done[0].resolution_status, 'DECLINED', 'the least similar pair decides');
  const one = await run([{ field: 'a', bytes: read(OBAMA), tags: ['photo_selfie'] }, { field: 'b', bytes: read(OBAMA2), tags: ['photo_id', 'photo_id_back'] }], [{ type: 'biometry' }]);
  assert.equal(one.done[0].state, 'FAILED');
  assert.equal(one.done[0].error_message, 'Biometry. Analysis requires at least 2 media objects to process');
});

test('QUALITY with extract_best_shot returns a best-shot JPEG that downloads', { skip }, async () => {
  const { done } = await run([{ field: 'v', bytes: read(VIDEO), tags: ['video_selfie', 'video_selfie_blank'] }], [{ type: 'quality', params: { extract_best_shot: true } }]);
  const a = done[0];
  assert.equal(a.state, 'FINISHED', JSON.stringify(a));
  const shot = a.results_media[0].output_images[0];
  assert.equal(shot.media_type, 'IMAGE_RESULT_ANALYSIS_SINGLE');
  const res = await fetch(shot.original_url);
  assert.equal(res.status, 200);
  const jpeg = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
});

for (const gesture of ['video_selfie_eyes', 'video_selfie_left', 'video_selfie_right', 'video_selfie_smile']) {
  test(`a still photo looped into a video tagged ${gesture} is DECLINED and says which gesture is missing`, { skip }, async () => {
    const { done } = await run([{ field: 'v', bytes: stillVideo, tags: ['video_selfie', gesture] }], [{ type: 'quality' }]);
    const a = done[0];
    assert.equal(a.state, 'FINISHED', JSON.stringify(a));
    assert.equal(a.resolution_status, 'DECLINED');
    const g = a.results_media[0].results_data.gesture;
    assert.equal(g.tag, gesture);
    assert.equal(g.passed, false);
    assert.match(g.message, new RegExp(gesture));
  });
}

test('DOCUMENTS is accepted and FAILS with NOT REALIZED without holding up the rest of its group', { skip }, async () => {
  const { done, folder } = await run([{ field: 'p', bytes: read(OBAMA), tags: ['photo_selfie'] }], [{ type: 'documents', params: { capabilities: 492 } }, { type: 'quality' }]);
  assert.equal(done[0].state, 'FAILED');
  assert.equal(done[0].error_code, 2);
  assert.equal(done[1].state, 'FINISHED');
  const view = (await client.request('GET', `/api/folders/${folder.folder_id}?with_analyses=true`)).body;
  assert.equal(view.system_resolution, 'FAILED');
});

test('bad media: every listed kind is a clean 400 and the folder keeps what it had', { skip }, async () => {
  const upload = await client.upload('/api/folders', [{ field: 'p', name: 'p.jpg', bytes: read(OBAMA) }]);
  const folderId = upload.body.folder_id;
  const video = read(VIDEO);
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
  const jpeg = read(OBAMA);
  const audioOnly = path.join(tmp, 'audio.mp4');
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '1', '-c:a', 'aac', audioOnly]);
  const cases: [string, Buffer][] = [
    ['corrupt video', video.subarray(0, Math.floor(video.length / 3))],
    ['HEIC', heic],
    ['unknown bytes', Buffer.from('%PDF-1.4 not a media file at all')],
    ['a video with no frames', fs.readFileSync(audioOnly)],
    ['zip with path traversal', makeZip([{ name: '../evil.jpg', data: jpeg }])],
    ['zip with too many entries', makeZip(Array.from({ length: 60 }, (_, i) => ({ name: `f${i}.jpg`, data: jpeg.subarray(0, 100) })))],
    ['zip entry lying about its size', makeZip([{ name: 'a.jpg', data: jpeg, declaredSize: 1000 }])],
    ['zip bomb', makeZip([{ name: 'bomb.jpg', data: Buffer.alloc(200 * 1024 * 1024) }])],
    ['zip with no image', makeZip([{ name: 'notes.txt', data: Buffer.from('hello') }])],
  ];
  for (const [label, bytes] of cases) {
    const res = await client.upload(`/api/folders/${folderId}/media`, [{ field: 'bad', name: 'bad', bytes }]);
    assert.equal(res.status, 400, `${label}: ${res.text}`);
    assert.ok(res.body.error_message.length > 10, label);
  }
  const after = (await client.request('GET', `/api/folders/${folderId}`)).body;
  assert.equal(after.media.length, 1);
  assert.equal((await fetch(after.media[0].original_url)).status, 200);
});

test('tag rules: QUALITY over document photos only is error 5', { skip }, async () => {
  const { done } = await run([{ field: 'p', bytes: read(OBAMA), tags: ['photo_id', 'photo_id_front'] }], [{ type: 'quality' }]);
  assert.equal(done[0].state, 'FAILED');
  assert.equal(done[0].error_code, 5);
  assert.equal(done[0].error_message, 'Invalid/missed tag values to process quality check');
});

// Measured, never tuned on: the acceptance split of ../shared/data/pad with MiniFASNet.
const ACCEPTANCE = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'pad', 'acceptance');
const miniFas = process.env.OZ_MODEL_DIR && fs.existsSync(path.join(process.env.OZ_MODEL_DIR, 'MiniFASNetV2.onnx'));
test('the 12 acceptance videos over HTTP: real ones SUCCESS, replays DECLINED, at most one mistake', { skip: skip || (!miniFas ? 'OZ_MODEL_DIR has no MiniFASNetV2' : false) || (!fs.existsSync(ACCEPTANCE) ? 'no acceptance data' : false) }, async () => {
  const rows = fs.readFileSync(path.join(ACCEPTANCE, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((c) => c[3] === 'video');
  assert.equal(rows.length, 12);
  let mistakes = 0;
  const outcomes: string[] = [];
  for (const [rel, label] of rows) {
    const { done } = await run([{ field: 'v', bytes: fs.readFileSync(path.join(ACCEPTANCE, rel!)), tags: ['video_selfie', 'video_selfie_blank'] }], [{ type: 'quality' }]);
    const expected = label === 'real' ? 'SUCCESS' : 'DECLINED';
    if (done[0].resolution_status !== expected) mistakes++;
    outcomes.push(`${path.basename(rel!)}: ${done[0].resolution_status} (${label})`);
  }
  assert.ok(mistakes <= 1, outcomes.join('; '));
});
