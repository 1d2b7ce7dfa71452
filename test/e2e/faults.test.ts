// The analysis pipeline under faults, against the local runtime: a worker killed mid-analysis,
// retries that run out (FAILED, the message through the DLQ and its consumer), a poison message,
// and 50 analyses started at once. test/e2e/stranded.test.ts covers what the DLQ consumer and the
// sweeper end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { ADMIN, OzClient, queueDrained, sharedFile, startRuntime } from '../support/local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { toolPath } from '../../layers/vision/tools';
import type { LocalRuntime } from '../../infra/local/runtime';

const FACE = 'faces/face_recognition/examples/obama.jpg';
let runtime: LocalRuntime;
let client: OzClient;
let tmp: string;
let longClip: Buffer;
const saved = { ...process.env };

before(async () => {
  process.env.OZ_RETRY_BASE_SECONDS = '1'; // jittered retry delays of 0.5..1.5 s, 1..3 s
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-faults-'));
  // A long clip with one keyframe, so decoding takes a while and a kill lands mid-analysis.
  const clip = path.join(tmp, 'long.mp4');
  const face = sharedFile(FACE);
  const input = face ? ['-loop', '1', '-framerate', '30', '-i', face] : ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'];
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', ...input, '-t', '10', '-vf', 'scale=1280:720,noise=alls=3:allf=t', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-g', '1000', '-pix_fmt', 'yuv420p', clip]);
  longClip = fs.readFileSync(clip);
  runtime = await startRuntime({ workerConcurrency: 2, visibilityTimeoutSeconds: 20 });
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Faults Ltd' } })).body.company_id;
  await admin.request('POST', '/api/users', { json: { credentials: { email: 'faults@e2e.test', password: 'faults-password-1' }, profile: { company_id: company, user_type: 'CLIENT' } } });
  client = new OzClient(runtime.url);
  await client.login('faults@e2e.test', 'faults-password-1');
});
after(async () => {
  await runtime?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.env = saved;
});

const common = () => ({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
const queueOf = (suffix: 'AnalysisQueue' | 'AnalysisDeadLetterQueue') => Object.entries(runtime.resources.queues).find(([id]) => id.startsWith(suffix) && (suffix !== 'AnalysisQueue' || !id.startsWith('AnalysisDeadLetter')))![1];

async function upload(bytes: Buffer, name: string) {
  const res = await client.upload('/api/folders', [{ field: 'm', name, bytes }], { 'media:tags': { m: ['video_selfie', 'video_selfie_blank'] } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}
const start = async (folderId: string) => (await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }] } })).body[0].analysis_id as string;

test('a worker killed mid-analysis: the message comes back, the analysis finishes once, with one result', async () => {
  const face = sharedFile(FACE);
  const folder = await upload(longClip, 'long.mp4');
  const analysisId = await start(folder.folder_id);
  let killed = 0;
  for (let i = 0; i < 400 && killed === 0; i++) {
    const a = (await client.request('GET', `/api/analyses/${analysisId}`)).body;
    if (a.time_task_received) killed = runtime.workers[0]!.killBusy();
    else await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(killed, 1, 'a worker was busy with the analysis and was killed');
  const done = await client.waitForAnalysis(analysisId, 90_000);
  assert.notEqual(done.state, 'PROCESSING');
  if (face) assert.equal(done.state, 'FINISHED', JSON.stringify(done));
  assert.ok(done.state === 'FINISHED' ? done.results_media.length === 1 : done.error_code === 202);
  const folderAfter = (await client.request('GET', `/api/folders/${folder.folder_id}?with_analyses=true`)).body;
  assert.equal(folderAfter.analyses.length, 1);
  assert.notEqual(folderAfter.resolution_status, 'PROCESSING');
});

test('retries that run out: FAILED with an error code and message; the message goes through the DLQ, whose consumer leaves the analysis as it is', async () => {
  const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
  const folder = await upload(png, 'lost.png');
  // A storage fault: the media object is gone, so every attempt fails transiently.
  const bucket = Object.values(runtime.resources.buckets)[0]!;
  await new S3Client({ ...common(), endpoint: process.env.OZ_S3_ENDPOINT, forcePathStyle: true }).send(new DeleteObjectCommand({ Bucket: bucket, Key: `${folder.company_id}/${folder.folder_id}/${folder.media[0].media_id}` }));
  const analysisId = await start(folder.folder_id);
  const done = await client.waitForAnalysis(analysisId, 60_000);
  assert.equal(done.state, 'FAILED');
  assert.equal(done.error_code, 0);
  assert.match(done.error_message, /after 3 attempts/);
  // The dead-letter consumer takes the message off the DLQ and changes nothing of a final analysis.
  assert.ok(await queueDrained(runtime, 'AnalysisQueue'), 'nothing left in the analysis queue');
  assert.ok(await queueDrained(runtime, 'AnalysisDeadLetterQueue'), 'the dead letter was consumed');
  const again = (await client.request('GET', `/api/analyses/${analysisId}`)).body;
  assert.equal(again.error_code, 0);
  assert.equal(again.error_message, done.error_message);
});

test('a poison message does not block the queue: others finish, it goes through the DLQ and is dropped', async () => {
  const sqs = new SQSClient({ ...common(), endpoint: process.env.OZ_SQS_ENDPOINT });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueOf('AnalysisQueue').url, MessageBody: '{"this is": "not a job"' }));
  const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 50, g: 50, b: 50 } } }).png().toBuffer();
  const folder = await upload(png, 'fine.png');
  const done = await client.waitForAnalysis(await start(folder.folder_id), 30_000);
  assert.notEqual(done.state, 'PROCESSING');
  assert.ok(await queueDrained(runtime, 'AnalysisQueue'), 'the poison message left the analysis queue');
  assert.ok(await queueDrained(runtime, 'AnalysisDeadLetterQueue'), 'and the dead-letter consumer dropped it');
});

test('50 analyses started at once across 10 folders: every one ends, nothing lost or duplicated, folder statuses right', async () => {
  const face = sharedFile(FACE);
  const bytes = face ? fs.readFileSync(face) : await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
  const folders = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(bytes, `f${i}.jpg`)));
  const ids = await Promise.all(folders.flatMap((f) => Array.from({ length: 5 }, () => start(f.folder_id))));
  assert.equal(new Set(ids).size, 50);
  const results = await Promise.all(ids.map((id) => client.waitForAnalysis(id, 120_000, 500)));
  for (const r of results) {
    if (face) assert.equal(r.state, 'FINISHED', JSON.stringify(r));
    else assert.equal(r.error_code, 202);
    if (r.state === 'FINISHED') assert.equal(r.results_media.length, 1);
  }
  for (const f of folders) {
    const view = (await client.request('GET', `/api/folders/${f.folder_id}?with_analyses=true`)).body;
    assert.equal(view.analyses.length, 5);
    assert.equal(view.resolution_status, face ? 'FINISHED' : 'FAILED');
    assert.equal(new Set(view.analyses.map((a: { group_id: string }) => a.group_id)).size, 5);
  }
});
