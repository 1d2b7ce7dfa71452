// The typed client (clients/node) against the real local runtime: the folder flow with progress,
// large media through presigned uploads, webhook waiting, collections, token renewal, errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ADMIN, sharedFile, startRuntime } from '../support/local';
import { toolPath } from '../../layers/vision/tools';
import type { LocalRuntime } from '../../infra/local/runtime';
import { createWebhookReceiver, DIRECT_UPLOAD_LIMIT, OzApiError, OzClient, OzTimeoutError, type FlowEvent } from '../../clients/node/src';

const VIDEO = 'faces/face_recognition/examples/short_hamilton_clip.mp4';
const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA2 = 'faces/face_recognition/examples/obama2.jpg';
const missing = [VIDEO, OBAMA, OBAMA2].filter((f) => !sharedFile(f));
const skip = missing.length ? `../shared/data is absent (${missing[0]})` : false;
const SESSION_TTL = 6;

let runtime: LocalRuntime;
let admin: OzClient;
let client: OzClient;
let companyId: string;
let tmp: string;
const saved = { ...process.env };

before(async () => {
  if (skip) return;
  // Short sessions, so renewal on expiry is exercised for real; loopback webhooks for the receiver.
  process.env.OZ_SESSION_TTL = String(SESSION_TTL);
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true';
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-client-'));
  runtime = await startRuntime();
  admin = new OzClient({ baseUrl: runtime.url, refreshMarginSeconds: 0 });
  await admin.login(ADMIN.email, ADMIN.password);
  companyId = (await admin.createCompany({ name: 'Client Co' })).company_id;
  await admin.createUser({ credentials: { email: 'sdk@client.test', password: 'client-sdk-pw-1' }, profile: { company_id: companyId, user_type: 'CLIENT_ADMIN' } });
  client = new OzClient({ baseUrl: runtime.url, credentials: { email: 'sdk@client.test', password: 'client-sdk-pw-1' }, refreshMarginSeconds: 0 });
});
after(async () => {
  await runtime?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.env = saved;
});

test('runFolderFlow: a real video through upload, QUALITY analysis and polling, with every progress event', { skip }, async () => {
  const events: FlowEvent[] = [];
  const size = fs.statSync(sharedFile(VIDEO)!).size;
  const result = await client.runFolderFlow({
    media: [{ path: sharedFile(VIDEO)!, tags: ['video_selfie', 'video_selfie_blank', 'orientation_portrait'] }],
    analyses: [{ type: 'quality' }],
    meta_data: { transaction_id: 'sdk-1' },
    wait: { poll: { intervalMs: 100, maxIntervalMs: 1000 } },
    onProgress: (e) => events.push(e),
  });
  const [analysis] = result.analyses;
  assert.equal(analysis!.state, 'FINISHED', JSON.stringify(analysis));
  assert.equal(analysis!.type, 'QUALITY');
  const score = analysis!.results_media[0]!.results_data!['confidence_spoofing'];
  assert.ok(typeof score === 'number' && score >= 0 && score <= 1);
  assert.equal(result.folder.resolution_status, 'FINISHED');
  assert.equal(result.resolution, analysis!.resolution_status);
  assert.deepEqual(result.folder.meta_data, { transaction_id: 'sdk-1' });
  assert.equal(result.folder.media[0]!.media_type, 'VIDEO_FOLDER');

  const uploads = events.filter((e): e is Extract<FlowEvent, { type: 'upload' }> => e.type === 'upload');
  assert.ok(uploads.length >= 2, `${uploads.length} upload events`);
  assert.deepEqual([uploads[0]!.loaded, uploads.at(-1)!.loaded, uploads.at(-1)!.total], [0, size, size]);
  for (let i = 1; i < uploads.length; i++) assert.ok(uploads[i]!.loaded >= uploads[i - 1]!.loaded);
  const order = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
  assert.deepEqual(order, ['upload', 'upload-complete', 'analysis-started', 'state', 'done']);
  const states = events.filter((e) => e.type === 'state');
  assert.equal(states.at(-1)!.type === 'state' && states.at(-1)!.state, 'FINISHED');
});

test('runFolderFlow: media over the direct limit go through a presigned upload; BIOMETRY of a video and a photo', { skip }, async () => {
  // The clip re-encoded at a high bitrate: larger than one API request may carry.
  const big = path.join(tmp, 'big.mp4');
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', '-i', sharedFile(VIDEO)!, '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-an', big]);
  const size = fs.statSync(big).size;
  assert.ok(size > DIRECT_UPLOAD_LIMIT, `fixture is ${size} bytes`);
  const photo = fs.readFileSync(sharedFile(OBAMA)!);
  let last = { loaded: 0, total: 0 };
  const result = await client.runFolderFlow({
    media: [
      { path: big, field: 'video1', tags: ['video_selfie', 'video_selfie_blank'] },
      { bytes: photo, name: 'obama.jpg', field: 'photo1', tags: ['photo_selfie'] },
    ],
    analyses: [{ type: 'biometry' }],
    onProgress: (e) => {
      if (e.type === 'upload') last = { loaded: e.loaded, total: e.total };
    },
  });
  assert.deepEqual(last, { loaded: size + photo.length, total: size + photo.length });
  assert.equal(result.folder.media.length, 2);
  const video = result.folder.media.find((m) => m.media_type === 'VIDEO_FOLDER')!;
  assert.equal(video.info.video!.size, size);
  assert.deepEqual(video.tags, ['video_selfie', 'video_selfie_blank']);
  assert.equal(result.analyses[0]!.type, 'BIOMETRY');
  assert.ok(['FINISHED', 'FAILED'].includes(result.analyses[0]!.state));
});

test('runFolderFlow waits on the folder webhook, verifying its signature', { skip }, async () => {
  const { webhook_secret } = await client.getWebhookSecret(companyId);
  const receiver = await createWebhookReceiver({ secret: webhook_secret });
  try {
    const events: FlowEvent[] = [];
    const result = await client.runFolderFlow({
      media: [{ path: sharedFile(OBAMA)!, tags: ['photo_selfie'] }, { path: sharedFile(OBAMA2)!, tags: ['photo_selfie'] }],
      analyses: [{ type: 'biometry' }, { type: 'quality' }],
      wait: { webhook: receiver },
      timeoutMs: 60_000,
      onProgress: (e) => events.push(e),
    });
    assert.equal(result.folder.resolution_endpoint, receiver.url);
    assert.deepEqual(result.analyses.map((a) => a.type), ['BIOMETRY', 'QUALITY']);
    assert.equal(result.analyses[0]!.state, 'FINISHED');
    assert.equal(result.analyses[0]!.resolution_status, 'SUCCESS');
    assert.equal(events.filter((e) => e.type === 'state').length, 2);
    const deliveries = await client.listWebhookDeliveries(result.folder.folder_id);
    assert.equal(deliveries[0]!.outcome, 'DELIVERED');
  } finally {
    await receiver.close();
  }
  // A receiver with the wrong secret refuses the delivery, and the wait times out.
  const wrong = await createWebhookReceiver({ secret: 'not-the-secret' });
  try {
    await assert.rejects(
      client.runFolderFlow({ media: [{ path: sharedFile(OBAMA)!, tags: ['photo_selfie'] }], analyses: [{ type: 'quality' }], wait: { webhook: wrong }, timeoutMs: 4000 }),
      (err: unknown) => err instanceof OzTimeoutError && err.pending.length === 1,
    );
  } finally {
    await wrong.close();
  }
});

test('collections and persons: create, enrol with meta_data, search finds the person', { skip }, async () => {
  const collection = await client.createCollection('sdk-list');
  assert.equal(collection.company_id, companyId);
  const person = await client.addPerson(collection.collection_id, [{ path: sharedFile(OBAMA)!, tags: ['photo_selfie'] }], { meta_data: { name: 'Barack' } });
  assert.deepEqual(person.meta_data, { name: 'Barack' });
  const images = await client.listPersonImages(collection.collection_id, person.person_id);
  assert.equal(images.length, 1);
  assert.ok((await client.listCollections()).some((c) => c.collection_id === collection.collection_id));
  const found = await client.runFolderFlow({ media: [{ path: sharedFile(OBAMA2)!, tags: ['photo_selfie'] }], analyses: [{ type: 'collection', params: { collection_id: collection.collection_id } }] });
  const hit = found.analyses[0]!;
  assert.equal(hit.resolution_status, 'SUCCESS', JSON.stringify(hit));
  assert.equal(hit.results_media[0]!.collection_persons[0]!.person_id, person.person_id);
});

test('report templates and reports: a CLIENT ADMIN uploads a logo, makes a template and downloads a correct PDF', { skip }, async () => {
  const logoFile = path.join(tmp, 'logo.png');
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=navy:s=320x96', '-frames:v', '1', logoFile]);
  const template = await client.createReportTemplate({ name: 'SDK template', sections: ['summary', 'analyses'], labels: { folder_id: 'Case' } });
  assert.equal(template.company_id, companyId);
  const logo = await client.addReportTemplateAttachment(template.report_template_id, { path: logoFile }, 'logo');
  assert.deepEqual([logo.kind, logo.width, logo.height], ['logo', 320, 96]);
  assert.equal((await client.getReportTemplate(template.report_template_id)).logo_attachment_id, logo.attachment_id);
  assert.equal((await client.listReportTemplateAttachments(template.report_template_id)).length, 1);
  const renamed = await client.updateReportTemplate(template.report_template_id, { name: 'SDK template v2' });
  assert.equal(renamed.name, 'SDK template v2');
  assert.ok((await client.listReportTemplates()).some((t) => t.report_template_id === template.report_template_id));

  const flow = await client.runFolderFlow({ media: [{ path: sharedFile(OBAMA)!, tags: ['photo_selfie'] }, { path: sharedFile(OBAMA2)!, tags: ['photo_selfie'] }], analyses: [{ type: 'biometry' }] });
  const report = await client.createReport(flow.folder.folder_id, template.report_template_id);
  assert.ok(report.file_name.includes(flow.folder.folder_id));
  const pdf = await client.downloadReport(report);
  assert.equal(pdf.length, report.size);
  assert.equal(createHash('sha256').update(pdf).digest('hex'), report.file_sha256);
  assert.deepEqual((await client.listReports(flow.folder.folder_id)).map((r) => r.report_id), [report.report_id]);
  assert.equal((await client.getReport(report.report_id)).content_sha256, report.content_sha256);
  await client.deleteReport(report.report_id);
  await assert.rejects(client.getReport(report.report_id), (err: unknown) => err instanceof OzApiError && err.status === 404);
  await client.deleteReportTemplateAttachment(template.report_template_id, logo.attachment_id);
  await client.deleteReportTemplate(template.report_template_id);
  await assert.rejects(client.getReportTemplate(template.report_template_id), (err: unknown) => err instanceof OzApiError && err.status === 404);
});

test('errors are OzApiError with the documented status, error_code and error_message', { skip }, async () => {
  await assert.rejects(client.getFolder('00000000-0000-0000-0000-00000000abcd'), (err: unknown) => err instanceof OzApiError && err.status === 404 && err.error_code === 10 && /not found/.test(err.error_message));
  await assert.rejects(new OzClient({ baseUrl: runtime.url }).login(ADMIN.email, 'wrong'), (err: unknown) => err instanceof OzApiError && err.status === 401 && err.error_code === 7);
  await assert.rejects(client.startAnalyses('00000000-0000-0000-0000-00000000abcd', [{ type: 'quality' }]), (err: unknown) => err instanceof OzApiError && err.error_code === 10);
  // Bad media is refused by the server and reported the same way; a missing file before any request.
  const text = path.join(tmp, 'notes.txt');
  fs.writeFileSync(text, 'not a photo at all');
  await assert.rejects(client.createFolder([{ path: text, tags: ['photo_selfie'] }]), (err: unknown) => err instanceof OzApiError && err.status === 400);
  await assert.rejects(client.createFolder([{ path: path.join(tmp, 'absent.jpg') }]), /Cannot read .*absent\.jpg: no such file/);
});

test('tokens: an expired session is renewed by logging in again; refresh ahead of expiry; service tokens', { skip }, async () => {
  const session = new OzClient({ baseUrl: runtime.url, credentials: { email: 'sdk@client.test', password: 'client-sdk-pw-1' }, refreshMarginSeconds: 0 });
  await session.login('sdk@client.test', 'client-sdk-pw-1');
  const first = session.token!;
  await new Promise((r) => setTimeout(r, (SESSION_TTL + 1) * 1000));
  // The server says 401/8 for the old token: the same call is made again after a new login.
  const stale = new OzClient({ baseUrl: runtime.url, token: first });
  await assert.rejects(stale.listFolders(), (err: unknown) => err instanceof OzApiError && err.status === 401 && err.error_code === 8);
  assert.equal(typeof (await session.listFolders()).total, 'number');
  assert.notEqual(session.token, first);

  // A margin larger than the session's life: the next request refreshes first (the expire_token).
  const eager = new OzClient({ baseUrl: runtime.url, refreshMarginSeconds: SESSION_TTL * 2 });
  await eager.login('sdk@client.test', 'client-sdk-pw-1');
  const before = eager.session;
  await eager.listCollections();
  assert.notEqual(eager.token, before.access_token);
  assert.notEqual(eager.session.expire_token, before.expire_token);

  // A CLIENT SERVICE user's long-lived token issued by the CLIENT ADMIN works on its own.
  const service = await client.createUser({ credentials: { email: 'svc@client.test', password: 'service-pw-123' }, profile: { company_id: companyId, user_type: 'CLIENT_SERVICE' } });
  const issued = await client.serviceToken(service.user_id);
  const bot = new OzClient({ baseUrl: runtime.url, token: issued.access_token });
  assert.ok(Array.isArray(await bot.listCollections()));
});

test('media snapshots and SDK event sessions through the typed client', { skip }, async () => {
  const folder = await client.createFolder([{ path: sharedFile(VIDEO)!, tags: ['video_selfie', 'video_selfie_blank'] }]);
  const mediaId = folder.media[0]!.media_id;
  const made = await client.createMediaSnapshot(mediaId, { time: 0.2 });
  assert.deepEqual([made.media_id, made.time, made['mime-type']], [mediaId, 0.2, 'image/jpeg']);
  const jpeg = await client.getMediaSnapshot(mediaId);
  assert.equal(jpeg.length, made.size);
  assert.deepEqual([jpeg[0], jpeg[1]], [0xff, 0xd8]); // a JPEG's start-of-image marker
  await assert.rejects(client.getMediaSnapshot('no-such-media'), (e: unknown) => e instanceof OzApiError && e.status === 404 && e.error_code === 10);

  const recorded = await client.recordEventSession({ session_id: `client-${folder.folder_id}`, events: [{ event: 'liveness_started' }], meta_data: { sdk: 'node' } });
  assert.equal(recorded.events_count, 1);
  const page = await client.listEventSessions({ session_id: recorded.session_id, total_omit: 'true' });
  assert.deepEqual([page.total, page.items.map((s) => s.session_id)], [undefined, [recorded.session_id]]);
});
