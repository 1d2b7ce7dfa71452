// Personal-information clearing (DELETE /api/folders/{id}/pi) and the retention job, against the
// real local runtime: files checked in the S3 emulator itself, records in DynamoDB Local.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { ADMIN, OzClient, sharedFile, startRuntime, createLoggedInUser } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import { writeDiscovery } from '../../infra/local/discovery';
import { REPO_ROOT } from '../../infra/stack';
import type { CoreDeps } from '../../layers/core/deps';
import type { Analysis, Folder, Media } from '../../layers/core/entities';
import { runRetention, type RetentionReport } from '../../layers/core/privacy';

const FACE_PHOTO = 'faces/face_recognition/examples/obama.jpg';
const DAY = 86400;

let runtime: LocalRuntime;
let deps: CoreDeps;
let s3: S3Client;
let admin: OzClient;
let clientAdmin: OzClient;
let client: OzClient;
let outsider: OzClient;
let companyId: string;

async function user(email: string, type: string, company: string) {
  return (await createLoggedInUser(runtime.url, admin, { email, password: 'privacy-pass-1' }, { company_id: company, user_type: type })).client;
}

const png = (shade: number) => sharp({ create: { width: 96, height: 96, channels: 3, background: { r: shade, g: shade, b: shade } } }).png().toBuffer();

/** What the S3 emulator holds under a folder's prefix: the bytes themselves, not the records. */
async function storedFiles(company: string, folderId: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: process.env.OZ_BUCKET_NAME!, Prefix: `${company}/${folderId}/` }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

const quietLog = () => {};
const retention = (days: number, maxFolders = 1000, clockShift = 0): Promise<RetentionReport> =>
  runRetention({ ...deps, clock: { now: () => Date.now() / 1000 + clockShift } }, { days, maxFolders, pageSize: 25 }, { deadline: Date.now() + 60_000, log: quietLog });

/** A folder created `ageDays` ago, written through the store with one stored file (as an upload would). */
async function oldFolder(company: string, ageDays: number, meta: Record<string, string>) {
  const t = Date.now() / 1000 - ageDays * DAY;
  const folderId = deps.ids.uuid();
  const mediaId = deps.ids.uuid();
  const folder: Folder = {
    folder_id: folderId, company_id: company, user_id: 'retention-test', time_created: t, time_updated: t, resolution_endpoint: null, resolution_comment: '[]',
    resolution_time: null, resolution_author_id: null, resolution_state_hash: null, operator_comment: 'looks like J. Doe', operator_status: null, is_cleared: null,
    meta_data: meta, technical_meta_data: {},
  };
  const bytes = await png(40);
  const media: Media = {
    media_id: mediaId, folder_id: folderId, company_id: company, folder_time_created: t, media_type: 'IMAGE_FOLDER', original_name: 'jane-doe.png', tags: ['photo_selfie'],
    info: { thumb: null, original: { md5: 'abc', width: 96, height: 96, size: bytes.length, 'mime-type': 'image/png' } }, meta_data: { name: 'Jane' }, technical_meta_data: {},
    time_created: t, time_updated: t, blob_key: `${company}/${folderId}/${mediaId}`,
  };
  await deps.blobs.put(media.blob_key, bytes, 'image/png');
  await deps.folders.createFolder(folder, [media]);
  return folderId;
}

before(async () => {
  runtime = await startRuntime();
  const { coreDeps } = await import('../../functions/wiring');
  deps = coreDeps();
  s3 = new S3Client({ endpoint: process.env.OZ_S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  companyId = (await admin.request('POST', '/api/companies', { json: { name: 'Privacy Co' } })).body.company_id;
  const otherCompany = (await admin.request('POST', '/api/companies', { json: { name: 'Other Privacy Co' } })).body.company_id;
  clientAdmin = await user('ca@privacy.test', 'CLIENT_ADMIN', companyId);
  client = await user('c@privacy.test', 'CLIENT', companyId);
  outsider = await user('ca@other-privacy.test', 'CLIENT_ADMIN', otherCompany);
});
after(async () => {
  s3?.destroy();
  await runtime?.stop();
});

describe('DELETE /api/folders/{folder_id}/pi', () => {
  test('clears files, meta_data and identifying results; keeps statuses and scores; idempotent; permissions', async (t) => {
    const photo = sharedFile(FACE_PHOTO);
    if (!photo) return t.skip(`../shared/data/${FACE_PHOTO} is absent`);
    const upload = await client.upload('/api/folders', [{ field: 'selfie', name: 'john-smith.jpg', bytes: fs.readFileSync(photo) }], {
      'media:tags': { selfie: ['photo_selfie'] },
      'media:meta_data': { selfie: { passport: 'AB123' } },
      'folder:meta_data': { iin: '870101300123', name: 'John Smith' },
    });
    assert.equal(upload.status, 201, upload.text);
    const folderId = upload.body.folder_id;
    const [started] = (await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality', meta_data: { ticket: 'T-1' } }] } })).body;
    const finished = await client.waitForAnalysis(started.analysis_id);
    assert.equal(finished.state, 'FINISHED');
    const bestShots = finished.results_media[0].output_images;
    assert.ok(bestShots.length >= 1, 'the quality analysis made a best shot');
    assert.ok((await storedFiles(companyId, folderId)).length >= 2, 'the upload and the best shot are in S3');

    // Only ADMIN and CLIENT ADMIN: the CLIENT who owns the folder gets 403, another company 404.
    const byClient = await client.request('DELETE', `/api/folders/${folderId}/pi`);
    assert.deepEqual([byClient.status, byClient.body.error_code], [403, 9]);
    assert.equal((await outsider.request('DELETE', `/api/folders/${folderId}/pi`)).status, 404);
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${deps.ids.uuid()}/pi`)).status, 404);
    assert.equal((await storedFiles(companyId, folderId)).length >= 2, true, 'refused calls delete nothing');

    const cleared = await clientAdmin.request('DELETE', `/api/folders/${folderId}/pi/`);
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.folder_id, folderId);
    assert.equal(cleared.body.is_cleared, true);
    assert.deepEqual(cleared.body.meta_data, {});
    assert.equal(cleared.body.media.length, 1);
    assert.equal(cleared.body.media[0].original_url, null);
    assert.deepEqual(cleared.body.media[0].meta_data, {});
    assert.equal(cleared.body.media[0].original_name, '');
    assert.deepEqual(await storedFiles(companyId, folderId), [], 'no file of the folder is left in S3');

    // Reading still works; results keep resolution and scores, the best shot record has no bytes.
    const read = await client.request('GET', `/api/folders/${folderId}?with_analyses=true`);
    assert.equal(read.status, 200);
    const analysis = read.body.analyses[0];
    assert.equal(analysis.resolution_status, finished.resolution_status);
    assert.deepEqual(analysis.meta_data, {});
    assert.equal(analysis.results_media[0].results_data.confidence_spoofing, finished.results_media[0].results_data.confidence_spoofing);
    assert.equal(analysis.results_media[0].output_images[0].original_url, null);
    assert.equal((await client.request('GET', `/api/media/${bestShots[0].media_id}`)).body.original_url, null);

    // Idempotent: a second call (the old POST .../delete_pi too) succeeds and writes nothing.
    const before2 = await deps.folders.getFolder(companyId, folderId);
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${folderId}/pi`)).status, 200);
    assert.equal((await admin.request('POST', `/api/folders/${folderId}/delete_pi`)).status, 200);
    assert.deepEqual(await deps.folders.getFolder(companyId, folderId), before2);

    // A cleared folder takes no new media and no new analyses.
    const more = await client.upload(`/api/folders/${folderId}/media`, [{ field: 'p', name: 'p.png', bytes: await png(10) }]);
    assert.deepEqual([more.status, more.body.error_code], [400, 4]);
    assert.match(more.body.error_message, /cleared/);
    const again = await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }] } });
    assert.deepEqual([again.status, again.body.error_code], [400, 4]);
    // Nor personal data by the side doors: meta_data and operator notes.
    const meta = await clientAdmin.request('PATCH', `/api/folders/${folderId}/meta_data`, { json: { iin: '990101300000' } });
    assert.deepEqual([meta.status, meta.body.error_code], [400, 4]);
    const notes = await clientAdmin.request('PATCH', `/api/folders/${folderId}`, { json: { operator_comment: 'Jane Doe called' } });
    assert.deepEqual([notes.status, notes.body.error_code], [400, 4]);
    assert.deepEqual(await storedFiles(companyId, folderId), []);

    // One audit entry, by the CLIENT ADMIN, for the call that cleared it.
    const audit = await clientAdmin.request('GET', `/api/audit?object_type=FOLDER&object_id=${folderId}`);
    assert.equal(audit.status, 200, audit.text);
    const entries = audit.body.items.filter((e: { action: string }) => e.action === 'pi_cleared');
    assert.equal(entries.length, 1);
    assert.equal(entries[0].email, 'ca@privacy.test');
  });

  test('analyses still PROCESSING: 409 with their ids, and nothing is cleared', async () => {
    const upload = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(90) }], { 'folder:meta_data': { keep: 'me' } });
    const folderId = upload.body.folder_id;
    const agg = (await deps.folders.getFolder(companyId, folderId))!;
    // Recorded but never queued: it stays PROCESSING for as long as the test needs.
    const pending = processingAnalysis(agg.folder);
    await deps.analyses.createAnalyses(agg.folder, [pending]);
    const refused = await clientAdmin.request('DELETE', `/api/folders/${folderId}/pi`);
    assert.equal(refused.status, 409, refused.text);
    assert.deepEqual(refused.body.details.processing_analyses, [pending.analysis_id]);
    assert.deepEqual((await client.request('GET', `/api/folders/${folderId}`)).body.meta_data, { keep: 'me' });
    assert.equal((await storedFiles(companyId, folderId)).length, 2, 'the photo and its thumbnail');
    await deps.analyses.finishAnalysis({ ...pending, state: 'FAILED', error_code: 0, error_message: 'test' }, []);
    assert.equal((await clientAdmin.request('DELETE', `/api/folders/${folderId}/pi`)).status, 200);
    assert.deepEqual(await storedFiles(companyId, folderId), []);
  });
});

function processingAnalysis(folder: Folder): Analysis {
  const now = Date.now() / 1000;
  return {
    analysis_id: deps.ids.uuid(), group_id: deps.ids.uuid(), folder_id: folder.folder_id, company_id: folder.company_id, folder_time_created: folder.time_created,
    type: 'QUALITY', state: 'PROCESSING', resolution: null, resolution_operator: null, source_media: [], params: {}, results_data: null, results_media: [],
    meta_data: {}, technical_meta_data: {}, error_code: null, error_message: null, time_created: now, time_updated: now, time_task_send_to_broker: now,
    time_task_received: null, time_task_finished: null, attempts: 0,
  };
}

describe('retention', () => {
  test('`npm run retention` (the script, in its own process) clears an old folder and leaves a new one alone', async () => {
    const old = await oldFolder(companyId, 40, { iin: '1' });
    const fresh = (await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await png(70) }], { 'folder:meta_data': { iin: '2' } })).body.folder_id;
    assert.equal((await storedFiles(companyId, old)).length, 1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-retention-'));
    const file = path.join(dir, 'runtime.json');
    writeDiscovery(file, runtime.url);
    try {
      const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/retention.ts')], { cwd: REPO_ROOT, env: { ...process.env, OZ_RUNTIME_FILE: file, OZ_RETENTION_DAYS: '30' }, timeout: 120_000 }, (err, out, errOut) =>
          err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out }),
        ),
      );
      const report = JSON.parse(stdout.trim().split('\n').pop()!).report as RetentionReport;
      assert.ok(report.cleared >= 1, stdout);
      assert.match(stdout, /retention: page done/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const oldNow = (await deps.folders.getFolder(companyId, old))!;
    assert.equal(oldNow.folder.is_cleared, true);
    assert.deepEqual(oldNow.folder.meta_data, {});
    assert.equal(oldNow.folder.operator_comment, null);
    assert.deepEqual([oldNow.media[0]!.blob_key, oldNow.media[0]!.original_name, oldNow.media[0]!.meta_data], ['', '', {}]);
    assert.deepEqual(await storedFiles(companyId, old), []);
    const freshNow = (await deps.folders.getFolder(companyId, fresh))!;
    assert.equal(freshNow.folder.is_cleared, null);
    assert.deepEqual(freshNow.folder.meta_data, { iin: '2' });
    assert.equal((await storedFiles(companyId, fresh)).length, 2, 'the photo and its thumbnail');
    // The scheduler is the actor: recorded with no user.
    const audit = await admin.request('GET', `/api/audit?object_type=FOLDER&object_id=${old}`);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'pi_cleared');
    assert.equal(entry.user_id, null);
  });

  test('bounded runs continue where the last stopped; a PROCESSING folder is skipped, the run goes on, and it is retried later; concurrent runs are safe', async () => {
    const company = (await admin.request('POST', '/api/companies', { json: { name: 'Retention Pages Co' } })).body.company_id;
    const folders = [];
    for (let i = 0; i < 5; i++) folders.push(await oldFolder(company, 50 - i, { n: String(i) }));
    // A folder in the middle with an analysis still PROCESSING.
    const blocked = (await deps.folders.getFolder(company, folders[2]!))!;
    const pending = processingAnalysis(blocked.folder);
    await deps.analyses.createAnalyses(blocked.folder, [pending]);
    const isCleared = async (id: string) => (await deps.folders.getFolder(company, id))!.folder.is_cleared === true;

    // One folder per run: the first clears the oldest and stops at its budget. The next run clears
    // the second, skips the blocked third and clears those after it; its cursor stays before the
    // blocked folder, so every later run tries it again.
    const first = await retention(30, 1);
    assert.equal(first.budget_reached, true);
    assert.deepEqual(await Promise.all(folders.map(isCleared)), [true, false, false, false, false]);
    const skipped = await retention(30, 1000);
    assert.equal(skipped.deferred, 1);
    assert.equal(skipped.errors, 0);
    assert.deepEqual(await Promise.all(folders.map(isCleared)), [true, true, false, true, true]);
    const cursor = await deps.privacy.getRetentionCursor(company);
    assert.equal(cursor?.endsWith(folders[1]!), true, 'the cursor waits before the blocked folder');
    const again = await retention(30, 1000);
    assert.equal(again.deferred, 1, 'the blocked folder is tried again');
    assert.equal(await deps.privacy.getRetentionCursor(company), cursor);

    // Once the analysis ends, two runs at once finish the job; each folder is recorded once.
    await deps.analyses.finishAnalysis({ ...pending, state: 'FAILED', error_code: 0, error_message: 'test' }, []);
    const [a, b] = await Promise.all([retention(30), retention(30)]);
    assert.equal(a.errors + b.errors, 0);
    assert.deepEqual(await Promise.all(folders.map(isCleared)), [true, true, true, true, true]);
    for (const id of folders) assert.deepEqual(await storedFiles(company, id), []);
    for (const id of folders) {
      const audit = await admin.request('GET', `/api/audit?object_type=FOLDER&object_id=${id}`);
      assert.equal(audit.body.items.filter((e: { action: string }) => e.action === 'pi_cleared').length, 1, `one audit entry for ${id}`);
    }
  });

  test('off by default; a company retention_days wins over the default (0 keeps forever)', async () => {
    const keep = (await admin.request('POST', '/api/companies', { json: { name: 'Keep Forever Co' } })).body;
    await deps.identity.putCompany({ ...keep, technical_meta_data: { retention_days: 0 } });
    const short = (await admin.request('POST', '/api/companies', { json: { name: 'Short Retention Co' } })).body;
    await deps.identity.putCompany({ ...short, technical_meta_data: { retention_days: 7 } });
    const kept = await oldFolder(keep.company_id, 400, { a: '1' });
    const shortOld = await oldFolder(short.company_id, 10, { a: '2' });
    await retention(0);
    assert.equal((await deps.folders.getFolder(keep.company_id, kept))!.folder.is_cleared, null);
    assert.equal((await deps.folders.getFolder(short.company_id, shortOld))!.folder.is_cleared, true, 'the company override applies even with the default off');
    await retention(30);
    assert.equal((await deps.folders.getFolder(keep.company_id, kept))!.folder.is_cleared, null);
    assert.equal((await storedFiles(keep.company_id, kept)).length, 1);
  });
});
