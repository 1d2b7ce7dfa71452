// No analysis left behind, against the local runtime: a worker killed on every delivery (the last
// included), a poisoned analysis whose every attempt fails, an analysis whose message was lost
// (stuck), a worker that runs out of time, and a single request handed to the queue. Each ends
// FAILED (or finished by the queue) with its documented code within the documented bound, its
// webhook fires once, its usage counts once, and PI clearing and retention go on afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { ADMIN, OzClient, createLoggedInUser, queueDrained, setFunctionEnv, sharedFile, startRuntime } from '../support/local';
import { startReceiver } from '../support/receiver';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { toolPath } from '../../layers/vision/tools';
import type { LocalRuntime } from '../../infra/local/runtime';
import type { CoreDeps } from '../../layers/core/deps';
import type { Analysis } from '../../layers/core/entities';
import { ErrorCode } from '../../layers/core/errors';
import { runRetention } from '../../layers/core/privacy';

const FACE = 'faces/face_recognition/examples/obama.jpg';
const saved = { ...process.env };
let tmp: string;
let longClip: Buffer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-stranded-'));
  // A long clip with one keyframe: decoding it takes seconds, so kills and deadlines land mid-analysis.
  const clip = path.join(tmp, 'long.mp4');
  const face = sharedFile(FACE);
  const input = face ? ['-loop', '1', '-framerate', '30', '-i', face] : ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'];
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', ...input, '-t', '10', '-vf', 'scale=1280:720,noise=alls=3:allf=t', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-g', '1000', '-pix_fmt', 'yuv420p', clip]);
  longClip = fs.readFileSync(clip);
  const ok = () => ({ status: 200 });
  receiver = await startReceiver({ '/killed': ok, '/poisoned': ok, '/stuck': ok, '/timed-out': ok, '/handed-off': ok });
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true'; // the receiver is on loopback
  process.env.OZ_RETRY_BASE_SECONDS = '1';
});
after(async () => {
  await receiver?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.env = saved;
});

const aws = () => ({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
const month = () => new Date().toISOString().slice(0, 7);

/** A company with a CLIENT ADMIN, on a fresh runtime. */
async function tenant(runtime: LocalRuntime, name: string) {
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const companyId = (await admin.request('POST', '/api/companies', { json: { name } })).body.company_id as string;
  const { client } = await createLoggedInUser(runtime.url, admin, { email: `${name.toLowerCase().replace(/\W+/g, '-')}@e2e.test`, password: 'stranded-pass-1' }, { company_id: companyId, user_type: 'CLIENT_ADMIN' });
  return { admin, client, companyId };
}

async function upload(client: OzClient, bytes: Buffer, name: string, endpoint: string, extra: object = {}) {
  const res = await client.upload('/api/folders', [{ field: 'm', name, bytes }], { 'media:tags': { m: ['video_selfie', 'video_selfie_blank'] }, resolution_endpoint: endpoint, ...extra });
  assert.equal(res.status, 201, res.text);
  return res.body as { folder_id: string; company_id: string; media: { media_id: string }[]; analyses?: { analysis_id: string; state: string }[] };
}
const start = async (client: OzClient, folderId: string) => (await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }] } })).body[0].analysis_id as string;

/** The notifications a receiver path got, after waiting `settleMs` more for any duplicate. */
async function notifications(pathName: string, settleMs = 3000, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !receiver.received.some((r) => r.path === pathName)) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, settleMs));
  return receiver.received.filter((r) => r.path === pathName);
}

/** QUALITY analyses counted for the company this month, as GET /api/usage answers them. */
async function usage(admin: OzClient, companyId: string) {
  const res = await admin.request('GET', `/api/usage?month=${month()}&company_id=${companyId}`);
  assert.equal(res.status, 200, res.text);
  const q = res.body.items.find((i: { type: string }) => i.type === 'QUALITY') ?? { finished: 0, failed: 0 };
  return { finished: q.finished as number, failed: q.failed as number };
}

describe('killed, poisoned and stuck analyses', () => {
  const STUCK_AFTER = 60;
  const SWEEP_MS = 1000;
  let runtime: LocalRuntime;
  let deps: CoreDeps;
  let t: Awaited<ReturnType<typeof tenant>>;

  before(async () => {
    process.env.OZ_STUCK_AFTER_SECONDS = String(STUCK_AFTER); // read at synth: the sweeper's environment
    runtime = await startRuntime({ workerConcurrency: 1, visibilityTimeoutSeconds: 3, scheduleIntervalMs: SWEEP_MS, stepFunctionsRetryIntervalMs: 50 });
    deps = (await import('../../functions/wiring')).coreDeps();
    t = await tenant(runtime, 'Stranded Ltd');
  });
  after(async () => {
    await runtime?.stop();
    delete process.env.OZ_STUCK_AFTER_SECONDS;
  });

  test('a worker killed on every delivery, the last included: the dead-letter consumer ends it FAILED (1500); webhook once, usage once', async () => {
    const before = await usage(t.admin, t.companyId);
    const folder = await upload(t.client, longClip, 'long.mp4', `${receiver.base}/killed`);
    const analysisId = await start(t.client, folder.folder_id);
    const began = Date.now();
    // Kill the worker process each time an attempt has started processing this analysis.
    let killed = 0;
    let lastReceived: number | null = null;
    while (killed < 3 && Date.now() - began < 90_000) {
      const a = (await t.client.request('GET', `/api/analyses/${analysisId}`)).body;
      if (a.time_task_received && a.time_task_received !== lastReceived) {
        const n = runtime.workers[0]!.killBusy();
        if (n) {
          killed += n;
          lastReceived = a.time_task_received;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(killed, 3, 'every one of the 3 deliveries was killed mid-analysis');
    const done = await t.client.waitForAnalysis(analysisId, 60_000);
    assert.equal(done.state, 'FAILED', JSON.stringify(done));
    assert.equal(done.error_code, ErrorCode.ANALYSIS_WORKER_LOST);
    assert.match(done.error_message, /last attempt ended without a result/);
    const view = (await t.client.request('GET', `/api/folders/${folder.folder_id}?with_analyses=true`)).body;
    assert.equal(view.resolution_status, 'FAILED');
    assert.equal((await notifications('/killed')).length, 1, 'the webhook fired once');
    const afterUsage = await usage(t.admin, t.companyId);
    assert.equal(afterUsage.failed - before.failed, 1, 'counted once');
    assert.ok(await queueDrained(runtime, 'AnalysisDeadLetterQueue'), 'the dead letter was consumed');
    // PI clearing goes on.
    assert.equal((await t.client.request('DELETE', `/api/folders/${folder.folder_id}/pi`)).status, 200);
  });

  test('a poisoned analysis (every attempt fails): FAILED after its 3 attempts, webhook once, usage once; a poison message is dropped', async () => {
    const before = await usage(t.admin, t.companyId);
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
    const folder = await upload(t.client, png, 'lost.png', `${receiver.base}/poisoned`);
    const bucket = Object.values(runtime.resources.buckets)[0]!;
    await new S3Client({ ...aws(), endpoint: process.env.OZ_S3_ENDPOINT, forcePathStyle: true }).send(new DeleteObjectCommand({ Bucket: bucket, Key: `${folder.company_id}/${folder.folder_id}/${folder.media[0]!.media_id}` }));
    const sqs = new SQSClient({ ...aws(), endpoint: process.env.OZ_SQS_ENDPOINT });
    const queue = Object.entries(runtime.resources.queues).find(([id]) => id.startsWith('AnalysisQueue'))![1].url;
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: '{"not": "a job"' }));
    const analysisId = await start(t.client, folder.folder_id);
    const done = await t.client.waitForAnalysis(analysisId, 60_000);
    assert.equal(done.state, 'FAILED');
    assert.equal(done.error_code, ErrorCode.UNKNOWN);
    assert.match(done.error_message, /after 3 attempts/);
    assert.equal((await notifications('/poisoned')).length, 1);
    assert.equal((await usage(t.admin, t.companyId)).failed - before.failed, 1);
    // Both dead letters (the analysis' and the poison message) are consumed; nothing is left queued.
    assert.ok(await queueDrained(runtime, 'AnalysisQueue'), 'the analysis queue is empty');
    assert.ok(await queueDrained(runtime, 'AnalysisDeadLetterQueue'), 'the dead-letter queue is empty');
    const again = await t.client.request('GET', `/api/analyses/${analysisId}`);
    assert.equal(again.body.error_code, ErrorCode.UNKNOWN, 'the dead-letter consumer left the final analysis as it was');
  });

  test('a stuck analysis (its message lost): the sweeper ends it FAILED (1408) within one sweep; webhook once, usage once; PI clearing and retention go on', async () => {
    const before = await usage(t.admin, t.companyId);
    const png = await sharp({ create: { width: 120, height: 120, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
    const folder = await upload(t.client, png, 'stuck.png', `${receiver.base}/stuck`);
    const agg = (await deps.folders.getFolder(t.companyId, folder.folder_id))!;
    // Recorded PROCESSING longer ago than the bound, and never queued: nothing else would end it.
    const old = Date.now() / 1000 - STUCK_AFTER - 5;
    const stuck: Analysis = {
      analysis_id: deps.ids.uuid(), group_id: deps.ids.uuid(), folder_id: folder.folder_id, company_id: t.companyId, folder_time_created: agg.folder.time_created,
      type: 'QUALITY', state: 'PROCESSING', resolution: null, resolution_operator: null, source_media: [agg.media[0]!.media_id], params: {}, results_data: null, results_media: [],
      meta_data: {}, technical_meta_data: {}, error_code: null, error_message: null, time_created: old, time_updated: old, time_task_send_to_broker: old,
      time_task_received: null, time_task_finished: null, attempts: 0,
    };
    // And one that is PROCESSING but young: the sweeper leaves it alone.
    const young: Analysis = { ...stuck, analysis_id: deps.ids.uuid(), group_id: deps.ids.uuid(), time_created: Date.now() / 1000 };
    await deps.analyses.createAnalyses(agg.folder, [stuck, young]);
    // Retention is blocked by it meanwhile, and skips it.
    const blocked = await runRetention({ ...deps, clock: { now: () => Date.now() / 1000 + 40 * 86400 } }, { days: 30, maxFolders: 1000, pageSize: 25 }, { deadline: Date.now() + 60_000, log: () => {} });
    assert.ok(blocked.deferred >= 1);
    const began = Date.now();
    const done = await t.client.waitForAnalysis(stuck.analysis_id, 30_000, 100);
    const took = Date.now() - began;
    assert.equal(done.state, 'FAILED');
    assert.equal(done.error_code, ErrorCode.ANALYSIS_STUCK);
    assert.match(done.error_message, new RegExp(`PROCESSING after ${STUCK_AFTER} s`));
    assert.ok(took < SWEEP_MS + 10_000, `ended by the next sweep (${took} ms)`);
    assert.equal((await t.client.request('GET', `/api/analyses/${young.analysis_id}`)).body.state, 'PROCESSING');
    assert.equal((await notifications('/stuck')).length, 1, 'its group notified once');
    assert.equal((await usage(t.admin, t.companyId)).failed - before.failed, 1);
    // The young one ends too once it is old enough (here: by hand), then PI clearing works.
    await deps.analyses.finishAnalysis({ ...young, state: 'FAILED', error_code: 0, error_message: 'test' }, []);
    const cleared = await t.client.request('DELETE', `/api/folders/${folder.folder_id}/pi`);
    assert.equal(cleared.status, 200, cleared.text);
  });

  test('a single request that cannot finish before its deadline hands its analyses to the queue; they finish there, webhook once', async () => {
    setFunctionEnv('OZ_SYNC_MARGIN_MS', '60000'); // more than the media function's 29 s: the deadline has passed at once
    let res;
    try {
      const png = await sharp({ create: { width: 120, height: 120, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toBuffer();
      res = await upload(t.client, png, 'single.png', `${receiver.base}/handed-off`, { analyses: [{ type: 'quality' }, { type: 'quality' }] });
    } finally {
      setFunctionEnv('OZ_SYNC_MARGIN_MS', undefined);
    }
    assert.equal(res.analyses!.length, 2);
    assert.ok(res.analyses!.every((a) => a.state === 'PROCESSING'), 'answered with the analyses PROCESSING');
    for (const a of res.analyses!) {
      const done = await t.client.waitForAnalysis(a.analysis_id, 60_000);
      // A plain gray image: the queue's worker ends it as it would any other (no face: 202).
      assert.ok(done.state === 'FINISHED' || done.error_code === 202, JSON.stringify(done));
      assert.ok(done.time_task_received, 'processed by the worker');
    }
    assert.equal((await notifications('/handed-off')).length, 1);
  });
});

describe('a worker that runs out of time', () => {
  let runtime: LocalRuntime;
  let t: Awaited<ReturnType<typeof tenant>>;

  before(async () => {
    // A 6 s function timeout and a 5.7 s margin: each attempt has 0.3 s, too little for the long
    // clip (about 1.5 s even in a warm process).
    process.env.OZ_WORKER_DEADLINE_MARGIN_MS = '5700';
    runtime = await startRuntime({ workerConcurrency: 1, visibilityTimeoutSeconds: 8, consumerTimeoutSeconds: 6, scheduleIntervalMs: 0, stepFunctionsRetryIntervalMs: 50 });
    t = await tenant(runtime, 'Slow Ltd');
  });
  after(async () => {
    await runtime?.stop();
    delete process.env.OZ_WORKER_DEADLINE_MARGIN_MS;
  });

  test('each attempt stops at its deadline, before the function timeout; the last ends FAILED (1504); webhook once, usage once', async () => {
    const folder = await upload(t.client, longClip, 'long.mp4', `${receiver.base}/timed-out`);
    const analysisId = await start(t.client, folder.folder_id);
    const done = await t.client.waitForAnalysis(analysisId, 90_000);
    assert.equal(done.state, 'FAILED', JSON.stringify(done));
    assert.equal(done.error_code, ErrorCode.ANALYSIS_TIMED_OUT);
    assert.match(done.error_message, /timed out after 3 attempts/);
    assert.equal(runtime.workers[0]!.timedOut, 0, 'the worker gave up by itself: the function timeout never had to stop it');
    assert.equal((await notifications('/timed-out')).length, 1);
    assert.equal((await usage(t.admin, t.companyId)).failed, 1);
    assert.equal((await t.client.request('DELETE', `/api/folders/${folder.folder_id}/pi`)).status, 200);
  });
});
