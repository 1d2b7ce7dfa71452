// Metering against the local runtime. The acceptance: "Metering counts match the analyses actually
// finished in an e2e run with injected retries": analyses run while a worker is killed mid-analysis,
// a media object vanishes (three failing attempts), a finished job is delivered again, and a process
// "dies" between the final write and its usage event; the usage counts must equal the final states,
// every analysis must reach the usage queue exactly once, and amounts follow OZ_PRICE_TABLE. Then
// the monthly quota: rejections that store nothing, and a concurrent burst that cannot overshoot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { ADMIN, OzClient, sharedFile, startRuntime } from '../support/local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { toolPath } from '../../layers/vision/tools';
import type { LocalRuntime } from '../../infra/local/runtime';

const FACE = 'faces/face_recognition/examples/obama.jpg';
const FACE2 = 'faces/face_recognition/examples/obama2.jpg';
let runtime: LocalRuntime;
let admin: OzClient;
const a = { client: null as unknown as OzClient, admin: null as unknown as OzClient, id: '' };
const b = { client: null as unknown as OzClient, admin: null as unknown as OzClient, id: '' };
let tmp: string;
let longClip: Buffer;
let gray: Buffer;
const saved = { ...process.env };
/** Every usage event read from the queue, in order (duplicates kept, to be caught). */
const events: { event_id: string; company_id: string; analysis_id: string; type: string; state: string; billable: boolean; month: string; time: number }[] = [];

before(async () => {
  process.env.OZ_RETRY_BASE_SECONDS = '1';
  process.env.OZ_PRICE_TABLE = '{"currency":"USD","QUALITY":0.01,"BIOMETRY":"0.025"}';
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-metering-'));
  const clip = path.join(tmp, 'long.mp4');
  const face = sharedFile(FACE);
  const input = face ? ['-loop', '1', '-framerate', '30', '-i', face] : ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'];
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', ...input, '-t', '6', '-vf', 'scale=1280:720,noise=alls=3:allf=t', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-g', '1000', '-pix_fmt', 'yuv420p', clip]);
  longClip = fs.readFileSync(clip);
  gray = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toBuffer();
  runtime = await startRuntime({ workerConcurrency: 2, visibilityTimeoutSeconds: 15 });
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  for (const [t, name] of [[a, 'acme'], [b, 'beta']] as const) {
    t.id = (await admin.request('POST', '/api/companies', { json: { name: `Meter ${name}` } })).body.company_id;
    for (const [role, key] of [['CLIENT', 'client'], ['CLIENT_ADMIN', 'admin']] as const) {
      const email = `${name}-${key}@e2e.test`;
      await admin.request('POST', '/api/users', { json: { credentials: { email, password: 'meter-pass-1' }, profile: { company_id: t.id, user_type: role } } });
      t[key] = new OzClient(runtime.url);
      assert.equal((await t[key].login(email, 'meter-pass-1')).status, 200);
    }
  }
});
after(async () => {
  await runtime?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.env = saved;
});

const aws = () => ({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
const queueUrl = (prefix: string) => Object.entries(runtime.resources.queues).find(([id]) => id.startsWith(prefix))![1].url;
const photo = (file: string) => fs.readFileSync(sharedFile(file) ?? '') as Buffer;
const hasFaces = () => sharedFile(FACE) !== null && sharedFile(FACE2) !== null;

async function upload(client: OzClient, files: { name: string; bytes: Buffer }[], tags: string[], extra: object = {}) {
  return client.upload('/api/folders', files.map((f, i) => ({ field: `m${i}`, name: f.name, bytes: f.bytes })), { 'media:tags': Object.fromEntries(files.map((_, i) => [`m${i}`, tags])), ...extra });
}
async function folder(client: OzClient, files: { name: string; bytes: Buffer }[], tags = ['photo_selfie']) {
  const res = await upload(client, files, tags);
  assert.equal(res.status, 201, res.text);
  return res.body as { folder_id: string; company_id: string; media: { media_id: string }[] };
}
async function start(client: OzClient, folderId: string, analyses: object[] = [{ type: 'quality' }]) {
  const res = await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses } });
  assert.equal(res.status, 201, res.text);
  return (res.body as { analysis_id: string }[]).map((x) => x.analysis_id);
}

/** Reads (and deletes) usage events until `done` holds or the time is up. */
async function readEvents(done: () => boolean, timeoutMs: number) {
  const sqs = new SQSClient({ ...aws(), endpoint: process.env.OZ_SQS_ENDPOINT });
  const url = queueUrl('UsageEventQueue');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !done()) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const messages = got.Messages ?? [];
    for (const m of messages) events.push(JSON.parse(m.Body!));
    if (messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

const month = () => new Date().toISOString().slice(0, 7);
const cents = (n: number) => (n / 100).toFixed(2);

test('usage counts equal the analyses that ended FINISHED/FAILED under kills, retries and redeliveries; each event once', async () => {
  const ids: string[] = [];
  // Plain analyses: photos with a face (FINISHED), gray images without one (FAILED, 202), biometry.
  const faces = hasFaces() ? [photo(FACE), photo(FACE2)] : [gray, gray];
  for (let i = 0; i < 3; i++) ids.push(...(await start(a.client, (await folder(a.client, [{ name: 'f.jpg', bytes: faces[i % 2]! }])).folder_id, [{ type: 'quality' }, { type: 'quality' }])));
  for (let i = 0; i < 2; i++) ids.push(...(await start(a.client, (await folder(a.client, [{ name: 'g.png', bytes: gray }])).folder_id)));
  const pair = await folder(a.client, [{ name: 'p1.jpg', bytes: faces[0]! }, { name: 'p2.jpg', bytes: faces[1]! }]);
  ids.push(...(await start(a.client, pair.folder_id, [{ type: 'biometry' }])));

  // Fault 1: a worker killed mid-analysis; the message comes back after its visibility timeout.
  const clip = await folder(a.client, [{ name: 'long.mp4', bytes: longClip }], ['video_selfie', 'video_selfie_blank']);
  const [killedId] = await start(a.client, clip.folder_id);
  ids.push(killedId!);
  let killed = 0;
  for (let i = 0; i < 400 && killed === 0; i++) {
    const x = (await a.client.request('GET', `/api/analyses/${killedId}`)).body;
    if (x.time_task_received) killed = runtime.workers[0]!.killBusy();
    else await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(killed >= 1, 'a worker was killed while busy');

  // Fault 2: storage loses the media: three failing attempts, then FAILED once.
  const lost = await folder(a.client, [{ name: 'lost.png', bytes: gray }]);
  await new S3Client({ ...aws(), endpoint: process.env.OZ_S3_ENDPOINT, forcePathStyle: true }).send(
    new DeleteObjectCommand({ Bucket: Object.values(runtime.resources.buckets)[0]!, Key: `${lost.company_id}/${lost.folder_id}/${lost.media[0]!.media_id}` }),
  );
  const [lostId] = await start(a.client, lost.folder_id);
  ids.push(lostId!);

  // Fault 3: a process dies right after the final write, before publishing the usage event; the
  // job is then delivered again. The write is the store's own, made here in the test process.
  const { coreDeps } = await import('../../functions/wiring');
  const { authenticate } = await import('../../layers/core/auth');
  const { createAnalyses } = await import('../../layers/core/analyses');
  const deps = coreDeps();
  const crashed = await folder(a.client, [{ name: 'c.png', bytes: gray }]);
  const created = await createAnalyses(deps, await authenticate(deps, a.client.token!), crashed.folder_id, [{ type: 'QUALITY', source_media: null, params: {}, meta_data: {} }], { enqueue: false });
  const orphan = created.analyses[0]!;
  const now = Date.now() / 1000;
  assert.equal(await deps.analyses.finishAnalysis({ ...orphan, state: 'FAILED', error_code: 0, error_message: 'the worker died after this write', time_updated: now, time_task_finished: now }, []), true);
  ids.push(orphan.analysis_id);

  const results = new Map<string, { state: string; type: string }>();
  for (const id of ids) results.set(id, await a.client.waitForAnalysis(id, 120_000, 300));
  // Fault 4: redeliveries of finished jobs (and of the orphan, whose event is still in the outbox).
  const sqs = new SQSClient({ ...aws(), endpoint: process.env.OZ_SQS_ENDPOINT });
  for (const id of [ids[0]!, killedId!, lostId!, orphan.analysis_id]) {
    const job = { company_id: a.id, folder_id: (await a.client.request('GET', `/api/analyses/${id}`)).body.folder_id, analysis_id: id, group_id: '' };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl('AnalysisQueue'), MessageBody: JSON.stringify(job) }));
  }

  // An Instant API analysis is metered too (counters and an event, nothing else stored).
  const instant = await a.client.upload('/api/instant/folders', [{ field: 'm', name: 'i.jpg', bytes: faces[0]! }], { 'media:tags': { m: ['photo_selfie'] }, analyses: [{ type: 'quality' }] });
  assert.equal(instant.status, 200, instant.text);
  const instantAnalysis = instant.body.analyses[0];

  const expected = new Map<string, { finished: number; failed: number }>();
  const all = [...[...results.values()], { state: instantAnalysis.state, type: instantAnalysis.type }];
  for (const r of all) {
    const line = expected.get(r.type) ?? { finished: 0, failed: 0 };
    line[r.state === 'FINISHED' ? 'finished' : 'failed']++;
    expected.set(r.type, line);
  }
  assert.equal(results.get(lostId!)!.state, 'FAILED');
  assert.equal(results.get(orphan.analysis_id)!.state, 'FAILED');
  if (hasFaces()) assert.equal(results.get(killedId!)!.state, 'FINISHED');

  const allIds = new Set([...ids, instantAnalysis.analysis_id]);
  await readEvents(() => allIds.size === new Set(events.filter((e) => allIds.has(e.event_id)).map((e) => e.event_id)).size, 60_000);
  await new Promise((r) => setTimeout(r, 4000)); // the redeliveries above have been handled by now
  await readEvents(() => false, 2000);

  // Counts: exactly the final states, whatever the retries.
  const usage = await a.admin.request('GET', `/api/usage?month=${month()}`);
  assert.equal(usage.status, 200, usage.text);
  const got = Object.fromEntries(usage.body.items.map((i: { type: string; finished: number; failed: number }) => [i.type, { finished: i.finished, failed: i.failed }]));
  assert.deepEqual(got, Object.fromEntries(expected));
  assert.ok(usage.body.items.every((i: { company_id: string }) => i.company_id === a.id));
  // Amounts: FINISHED only, at the table's prices, exact.
  const q = expected.get('QUALITY') ?? { finished: 0, failed: 0 };
  const bio = expected.get('BIOMETRY') ?? { finished: 0, failed: 0 };
  assert.equal(usage.body.currency, 'USD');
  const quality = usage.body.items.find((i: { type: string }) => i.type === 'QUALITY');
  assert.equal(quality.unit_price, '0.01');
  assert.equal(quality.amount, cents(q.finished));
  const thousandths = q.finished * 10 + bio.finished * 25; // 0.01 and 0.025 in thousandths, exact
  assert.equal(usage.body.totals.amount, `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`.replace(/(\.\d\d)0$/, '$1'));
  assert.equal(usage.body.totals.finished + usage.body.totals.failed, allIds.size);

  // Events: one per analysis, no duplicates, with the final state.
  const mine = events.filter((e) => e.company_id === a.id);
  assert.deepEqual(mine.map((e) => e.event_id).sort(), [...allIds].sort(), 'each analysis exactly once');
  for (const e of mine) {
    const final = results.get(e.analysis_id) ?? { state: instantAnalysis.state, type: instantAnalysis.type };
    assert.equal(e.state, final.state);
    assert.equal(e.type, final.type);
    assert.equal(e.billable, final.state === 'FINISHED');
    assert.equal(e.month, month());
  }
});

test('GET /api/usage: CLIENT ADMIN sees their company only, ADMIN every company or one, other roles 403', async () => {
  assert.equal((await a.client.request('GET', '/api/usage')).status, 403);
  const foreign = await a.admin.request('GET', `/api/usage?company_id=${b.id}`);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error_code, 10);
  const bad = await a.admin.request('GET', '/api/usage?month=2025-13');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 4);
  const yearAgo = new Date();
  yearAgo.setUTCDate(1);
  yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
  const range = await a.admin.request('GET', `/api/usage?from=${yearAgo.toISOString().slice(0, 7)}&to=${month()}`);
  assert.equal(range.status, 200, range.text);
  assert.equal(range.body.months.length, 13);
  assert.equal(range.body.months.at(-1), month());
  assert.equal((await a.admin.request('GET', '/api/usage?from=2000-01&to=2009-12')).status, 400, 'at most 24 months');
  const everyone = await admin.request('GET', `/api/usage?month=${month()}`);
  assert.equal(everyone.status, 200);
  assert.ok(everyone.body.items.some((i: { company_id: string }) => i.company_id === a.id));
  const one = await admin.request('GET', `/api/usage?month=${month()}&company_id=${a.id}`);
  assert.deepEqual(one.body.items, (await a.admin.request('GET', `/api/usage?month=${month()}`)).body.items);
});

test('the monthly quota: documented 402 with nothing stored, for every way of starting; a burst cannot overshoot', async () => {
  const quota = (client: OzClient, body?: object) => client.request(body ? 'PUT' : 'GET', `/api/companies/${b.id}/usage_quota`, body ? { json: body } : {});
  assert.equal((await quota(b.admin, { monthly_analyses: 5 })).status, 403, 'only ADMIN sets it');
  assert.equal((await quota(a.admin)).status, 404, "another company's quota is not found");
  assert.equal((await quota(b.client)).status, 403);
  assert.equal((await quota(admin, { monthly_analyses: -1 })).status, 400);
  assert.equal((await quota(admin, { limit: 1 })).status, 400);
  const set = await quota(admin, { monthly_analyses: 2 });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.body, { company_id: b.id, monthly_analyses: 2, month: month(), started: 0, remaining: 2 });

  const f = await folder(b.client, [{ name: 'g.png', bytes: gray }]);
  await start(b.client, f.folder_id, [{ type: 'quality' }, { type: 'quality' }]);
  const refused = await b.client.request('POST', `/api/folders/${f.folder_id}/analyses`, { json: { analyses: [{ type: 'quality' }] } });
  assert.equal(refused.status, 402, refused.text);
  assert.equal(refused.body.error_code, 1402);
  assert.deepEqual(refused.body.details, { company_id: b.id, month: month(), monthly_analyses: 2, started: 2, requested: 1 });
  assert.equal((await b.client.request('GET', `/api/folders/${f.folder_id}/analyses`)).body.length, 2, 'nothing stored');

  const foldersBefore = (await b.client.request('GET', '/api/folders')).body.total;
  const single = await upload(b.client, [{ name: 'g.png', bytes: gray }], ['photo_selfie'], { analyses: [{ type: 'quality' }] });
  assert.equal(single.status, 402, single.text);
  assert.equal((await b.client.request('GET', '/api/folders')).body.total, foldersBefore, 'the single request stored no folder');
  const instant = await b.client.upload('/api/instant/folders', [{ field: 'm', name: 'g.png', bytes: gray }], { 'media:tags': { m: ['photo_selfie'] }, analyses: [{ type: 'quality' }] });
  assert.equal(instant.status, 402, instant.text);
  assert.deepEqual((await quota(b.admin)).body, { company_id: b.id, monthly_analyses: 2, month: month(), started: 2, remaining: 0 });

  // A burst of 8 one-analysis requests against 3 left: exactly 3 start.
  await quota(admin, { monthly_analyses: 5 });
  const burst = await Promise.all(Array.from({ length: 8 }, () => b.client.request('POST', `/api/folders/${f.folder_id}/analyses`, { json: { analyses: [{ type: 'quality' }] } })));
  assert.deepEqual(burst.map((r) => r.status).sort(), [201, 201, 201, 402, 402, 402, 402, 402]);
  assert.equal((await b.client.request('GET', `/api/folders/${f.folder_id}/analyses`)).body.length, 5);

  const removed = await quota(admin, { monthly_analyses: null });
  assert.equal(removed.body.monthly_analyses, null);
  assert.equal(removed.body.remaining, null);
  await start(b.client, f.folder_id);
});
