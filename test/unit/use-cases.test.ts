// The core's use cases on the in-memory ports (layers/adapters/memory): starting analyses, the
// worker's processing, quotas, webhook grouping, personal-data clearing, retention and the stuck
// sweeper, in milliseconds each. The face analyzer is a stand-in with the score a test asks for;
// the real models are tested in test/unit/vision and end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAnalyses } from '../../layers/core/analyses';
import { authorize, type Caller } from '../../layers/core/auth';
import { SYSTEM_COMPANY_ID, type Folder, type Media } from '../../layers/core/entities';
import { changePassword, createCompany, createUser, patchCompany, patchUser } from '../../layers/core/admin';
import { ApiError, ErrorCode } from '../../layers/core/errors';
import { monthOf } from '../../layers/core/metering';
import { AnalysesProcessingError, clearFolder, runRetention } from '../../layers/core/privacy';
import { processAnalysis, type Analyzers } from '../../layers/core/processing';
import { NoFaceError, type FaceAnalysis } from '../../layers/core/ports';
import { folderStatus } from '../../layers/core/statuses';
import { jobOf, sweepStuckAnalyses } from '../../layers/core/stranded';
import { notifyIfGroupComplete } from '../../layers/core/webhooks';
import { folderRecord, mediaRecord } from '../support/records';
import { memoryWorld, type MemoryWorld } from '../support/memory-deps';

/** Face analysis that answers `score` (or throws what `fail` gives) for every media. */
function analyzers(score: number | (() => never) = 0.1): Analyzers {
  return {
    faces: {
      analyze: async (): Promise<FaceAnalysis> => {
        if (typeof score === 'function') score();
        return { confidence_spoofing: score as number, frames_scored: 1, frames_with_face: 1, best_shot: { jpeg: Buffer.from('best'), width: 2, height: 2 } };
      },
      compare: () => 0.9,
    },
    collections: { search: async () => [] },
  };
}

/** A folder of the caller's company with one selfie stored. */
async function folderWithSelfie(world: MemoryWorld, caller: Caller, t = world.deps.clock.now(), fields: Partial<Folder> = {}): Promise<{ folder: Folder; media: Media }> {
  const folder = folderRecord(caller.user.company_id, t, { user_id: caller.user.user_id, ...fields });
  const media = mediaRecord(folder, t);
  await world.deps.folders.createFolder(folder, [media]);
  await world.deps.blobs.put(media.blob_key, Buffer.from('selfie'), 'image/jpeg');
  return { folder, media };
}

const worker = { finalAttempt: false };

test('starting analyses stores them PROCESSING in one group, counts them against the month and queues them', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-start');
  const { folder, media } = await folderWithSelfie(world, caller);
  const views = await startAnalyses(world.deps, caller, folder.folder_id, [
    { type: 'QUALITY', params: {}, source_media: null, meta_data: {} },
    { type: 'BIOMETRY', params: {}, source_media: null, meta_data: {} },
  ], 'https://example.com/hook');
  assert.equal(views.length, 2);
  const stored = (await world.deps.folders.getFolder('co-start', folder.folder_id))!;
  assert.deepEqual(stored.analyses.map((a) => [a.state, a.source_media]), [['PROCESSING', [media.media_id]], ['PROCESSING', [media.media_id]]]);
  assert.equal(new Set(stored.analyses.map((a) => a.group_id)).size, 1);
  assert.equal(stored.folder.resolution_endpoint, 'https://example.com/hook');
  assert.deepEqual(world.queued.map((j) => j.analysis_id).sort(), stored.analyses.map((a) => a.analysis_id).sort());
  assert.equal(await world.deps.metering.startedAnalyses('co-start', monthOf(world.deps.clock.now())), 2);
});

test('a quota refuses a start that would pass it with the documented 402, storing and queueing nothing', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-quota');
  const { folder } = await folderWithSelfie(world, caller);
  await world.deps.metering.setUsageQuota('co-quota', 2);
  const quality = { type: 'QUALITY' as const, params: {}, source_media: null, meta_data: {} };
  await startAnalyses(world.deps, caller, folder.folder_id, [quality]);
  await assert.rejects(startAnalyses(world.deps, caller, folder.folder_id, [quality, quality]), (err: unknown) => err instanceof ApiError && err.status === 402 && err.code === ErrorCode.QUOTA_EXCEEDED);
  assert.equal((await world.deps.folders.getFolder('co-quota', folder.folder_id))!.analyses.length, 1);
  assert.equal(world.queued.length, 1);
  await startAnalyses(world.deps, caller, folder.folder_id, [quality]); // the last one fits
  assert.equal(await world.deps.metering.startedAnalyses('co-quota', monthOf(world.deps.clock.now())), 2);
});

test('a queue that refuses the jobs leaves no analysis PROCESSING and gives the quota back', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-queue');
  const { folder } = await folderWithSelfie(world, caller);
  world.deps.queue = { enqueue: async () => Promise.reject(new Error('queue down')) };
  await assert.rejects(startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]));
  const [analysis] = (await world.deps.folders.getFolder('co-queue', folder.folder_id))!.analyses;
  assert.deepEqual([analysis!.state, analysis!.error_code], ['FAILED', ErrorCode.EXTERNAL_SERVICE]);
  assert.equal(await world.deps.metering.startedAnalyses('co-queue', monthOf(world.deps.clock.now())), 0);
});

test('processing: a live face finishes SUCCESS with its best shot stored, counted once; a redelivery is skipped', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-work');
  const { folder } = await folderWithSelfie(world, caller);
  await startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]);
  const job = world.queued[0]!;
  assert.equal(await processAnalysis(world.deps, analyzers(0.1), job, worker), 'finished');
  const agg = (await world.deps.folders.getFolder('co-work', folder.folder_id))!;
  const analysis = agg.analyses[0]!;
  assert.deepEqual([analysis.state, analysis.resolution, analysis.attempts, analysis.results_media[0]!.results_data], ['FINISHED', 'SUCCESS', 1, { confidence_spoofing: 0.1 }]);
  const best = agg.media.find((m) => m.media_type === 'IMAGE_RESULT_ANALYSIS_SINGLE')!;
  assert.deepEqual([best.tags, (await world.blobs.get(best.blob_key)).toString()], [['best_shot'], 'best']);
  assert.equal(await processAnalysis(world.deps, analyzers(0.9), job, worker), 'skipped');
  const month = monthOf(world.deps.clock.now());
  assert.deepEqual(await world.deps.metering.usageCounts({ company_id: 'co-work', months: [month] }), [{ company_id: 'co-work', month, type: 'QUALITY', finished: 1, failed: 0 }]);
  assert.deepEqual(folderStatus(agg.analyses).system_resolution, 'SUCCESS');
});

test('processing: a spoof is DECLINED at the threshold; no face fails with TAG_ERROR; a transient error is retried, then fails on the last attempt', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-fail');
  const { folder } = await folderWithSelfie(world, caller);
  const start = async () => {
    await startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]);
    return world.queued[world.queued.length - 1]!;
  };
  const stored = async (id: string) => (await world.deps.folders.getFolder('co-fail', folder.folder_id))!.analyses.find((a) => a.analysis_id === id)!;

  const spoof = await start();
  await processAnalysis(world.deps, analyzers(0.5), spoof, worker);
  assert.equal((await stored(spoof.analysis_id)).resolution, 'DECLINED');

  const noFace = await start();
  assert.equal(await processAnalysis(world.deps, analyzers(() => { throw new NoFaceError('none'); }), noFace, worker), 'failed');
  assert.deepEqual([(await stored(noFace.analysis_id)).state, (await stored(noFace.analysis_id)).error_code], ['FAILED', ErrorCode.TAG_ERROR]);

  const flaky = await start();
  const outage = analyzers(() => { throw new Error('model server away'); });
  await assert.rejects(processAnalysis(world.deps, outage, flaky, worker), /model server away/);
  assert.deepEqual([(await stored(flaky.analysis_id)).state, (await stored(flaky.analysis_id)).attempts], ['PROCESSING', 1]);
  await assert.rejects(processAnalysis(world.deps, outage, flaky, { finalAttempt: true }), /model server away/);
  assert.deepEqual([(await stored(flaky.analysis_id)).state, (await stored(flaky.analysis_id)).error_code], ['FAILED', ErrorCode.UNKNOWN]);
});

test('webhooks: a group notifies once, when its last analysis is final, whichever worker gets there', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-hook');
  const { folder } = await folderWithSelfie(world, caller);
  await startAnalyses(world.deps, caller, folder.folder_id, [
    { type: 'QUALITY', params: {}, source_media: null, meta_data: {} },
    { type: 'QUALITY', params: {}, source_media: null, meta_data: {} },
  ], 'https://example.com/hook');
  const [first, second] = world.queued;
  await processAnalysis(world.deps, analyzers(), first!, worker);
  assert.equal(await notifyIfGroupComplete(world.deps, world.starter, first!), 'pending');
  await processAnalysis(world.deps, analyzers(), second!, worker);
  const outcomes = await Promise.all([notifyIfGroupComplete(world.deps, world.starter, first!), notifyIfGroupComplete(world.deps, world.starter, second!)]);
  assert.ok(outcomes.includes('notified'));
  // One delivery record; every start names it, so the (idempotent) workflow runs once.
  const deliveries = await world.deps.webhooks.listWebhookDeliveries('co-hook', folder.folder_id);
  assert.deepEqual(deliveries.map((d) => [d.url, d.outcome, d.group_id]), [['https://example.com/hook', 'PENDING', first!.group_id]]);
  assert.deepEqual([...new Set(world.started.map((s) => s.delivery_id))], [deliveries[0]!.delivery_id]);
  // Once the workflow has made an attempt, a redelivered job starts nothing.
  await world.deps.webhooks.updateWebhookDelivery('co-hook', folder.folder_id, deliveries[0]!.delivery_id, {}, true);
  const startsBefore = world.started.length;
  assert.equal(await notifyIfGroupComplete(world.deps, world.starter, second!), 'none');
  assert.equal(world.started.length, startsBefore);
  // A folder without a resolution_endpoint has nobody to notify.
  const quiet = await folderWithSelfie(world, caller);
  await startAnalyses(world.deps, caller, quiet.folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]);
  const job = world.queued[world.queued.length - 1]!;
  await processAnalysis(world.deps, analyzers(), job, worker);
  assert.equal(await notifyIfGroupComplete(world.deps, world.starter, job), 'none');
});

test('clearing personal data: refused while analyses run; then the files go, the records keep no personal data, once', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-pi');
  const { folder, media } = await folderWithSelfie(world, caller, undefined, { meta_data: { name: 'Jane' } });
  await startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]);
  await assert.rejects(clearFolder(world.deps, 'co-pi', folder.folder_id, caller.user), AnalysesProcessingError);
  await processAnalysis(world.deps, analyzers(), world.queued[0]!, worker);
  assert.equal(world.blobs.objects.size, 2); // the selfie and its best shot

  const outcome = (await clearFolder(world.deps, 'co-pi', folder.folder_id, caller.user))!;
  assert.deepEqual([outcome.clearedNow, outcome.blobsDeleted], [true, 2]);
  assert.equal(world.blobs.objects.size, 0);
  const agg = (await world.deps.folders.getFolder('co-pi', folder.folder_id))!;
  assert.equal(agg.folder.is_cleared, true);
  assert.deepEqual(agg.folder.meta_data, {});
  assert.ok(agg.media.every((m) => JSON.stringify(m).indexOf(media.blob_key) === -1));
  const audit = await world.deps.audit.listAuditEntries({ company_id: 'co-pi', object_type: 'FOLDER', object_id: folder.folder_id, offset: 0, limit: 10 });
  assert.deepEqual(audit.items.map((e) => e.action), ['pi_cleared']);
  assert.equal((await clearFolder(world.deps, 'co-pi', folder.folder_id, caller.user))!.clearedNow, false);
  // A cleared folder takes no new analyses.
  await assert.rejects(startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]), ApiError);
});

test('retention clears folders older than the company\'s days, skips one still PROCESSING and resumes there next run', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-keep');
  await world.deps.identity.putCompany({ company_id: 'co-keep', name: 'Keep', in_deletion: false, technical_meta_data: { retention_days: 30 }, time_created: 1, time_updated: 1 });
  const day = 86400;
  const t0 = world.deps.clock.now();
  const old1 = await folderWithSelfie(world, caller, t0 - 40 * day);
  const busy = await folderWithSelfie(world, caller, t0 - 35 * day);
  const old2 = await folderWithSelfie(world, caller, t0 - 32 * day);
  const recent = await folderWithSelfie(world, caller, t0 - 5 * day);
  await startAnalyses(world.deps, caller, busy.folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]);
  const config = { days: 0, maxFolders: 100, pageSize: 2 };
  const run = () => runRetention(world.deps, config, { deadline: Date.now() + 60_000, log: () => {} });
  const cleared = async (f: { folder: Folder }) => (await world.deps.folders.getFolder('co-keep', f.folder.folder_id))!.folder.is_cleared === true;

  const first = await run();
  assert.deepEqual([first.cleared, first.deferred], [2, 1]);
  assert.deepEqual(await Promise.all([old1, busy, old2, recent].map(cleared)), [true, false, true, false]);
  // The cursor stays before the folder that could not be cleared.
  assert.equal((await world.deps.privacy.getRetentionCursor('co-keep'))?.endsWith(old1.folder.folder_id), true);

  await processAnalysis(world.deps, analyzers(), world.queued[0]!, worker);
  const second = await run();
  assert.deepEqual([second.cleared, second.already_cleared], [1, 1]);
  assert.equal(await cleared(busy), true);
  assert.equal((await world.deps.privacy.getRetentionCursor('co-keep'))?.endsWith(old2.folder.folder_id), true);
});

test('retention deletes event sessions idle since before the cutoff, page by page, and keeps the rest and other companies\' ones', async () => {
  const world = memoryWorld();
  await world.deps.identity.putCompany({ company_id: 'co-evs', name: 'Sessions', in_deletion: false, technical_meta_data: { retention_days: 30 }, time_created: 1, time_updated: 1 });
  const day = 86400;
  const t0 = world.deps.clock.now();
  const append = (company: string, id: string, at: number) => world.deps.eventSessions.appendEvents({ session_id: id, company_id: company, user_id: 'u', meta_data: {} }, [{ event: 'x', time: at, data: {} }], at, 10);
  for (const [id, age] of [['old1', 40], ['old2', 35], ['old3', 31], ['recent', 5]] as const) await append('co-evs', id, t0 - age * day);
  // created long ago, but updated recently: still in use
  await append('co-evs', 'revived', t0 - 60 * day);
  await append('co-evs', 'revived', t0 - 2 * day);
  // a company without retention keeps everything
  await world.deps.identity.putCompany({ company_id: 'co-forever', name: 'Forever', in_deletion: false, technical_meta_data: {}, time_created: 1, time_updated: 1 });
  await append('co-forever', 'ancient', t0 - 400 * day);
  const report = await runRetention(world.deps, { days: 0, maxFolders: 100, pageSize: 2 }, { deadline: Date.now() + 60_000, log: () => {} });
  assert.equal(report.event_sessions_deleted, 3);
  const left = (await world.deps.eventSessions.queryEventSessions({ company_id: 'co-evs', by: 'time_created', newestFirst: false })).map((s) => s.session_id);
  assert.deepEqual(left, ['revived', 'recent']);
  assert.notEqual(await world.deps.eventSessions.getEventSession('co-forever', 'ancient'), null);
});

test('the sweeper fails analyses stuck in PROCESSING and notifies their group; recent ones are left alone', async () => {
  const world = memoryWorld();
  const caller = await world.caller('co-stuck');
  const { folder } = await folderWithSelfie(world, caller);
  await startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }], 'https://example.com/hook');
  world.advance(3000);
  await startAnalyses(world.deps, caller, folder.folder_id, [{ type: 'QUALITY', params: {}, source_media: null, meta_data: {} }]);
  world.advance(1000);
  const report = await sweepStuckAnalyses(world.deps, world.starter, 3600);
  assert.deepEqual(report, { found: 1, failed: 1, errors: 0 });
  const analyses = (await world.deps.folders.getFolder('co-stuck', folder.folder_id))!.analyses;
  assert.deepEqual(analyses.map((a) => [a.state, a.error_code]), [['FAILED', ErrorCode.ANALYSIS_STUCK], ['PROCESSING', null]]);
  assert.deepEqual(world.started.map((s) => s.group_id), [jobOf(analyses[0]!).group_id]);
  const month = monthOf(world.deps.clock.now());
  assert.deepEqual(await world.deps.metering.usageCounts({ company_id: 'co-stuck', months: [month] }), [{ company_id: 'co-stuck', month, type: 'QUALITY', finished: 0, failed: 1 }]);
});

test('users: created from typed input in a live company; the role rules, the password policy and unique emails hold', async () => {
  const world = memoryWorld();
  const admin = await world.caller(SYSTEM_COMPANY_ID, 'ADMIN');
  const company = await createCompany(world.deps, admin, { name: 'Acme', meta_data: { tier: 'gold' } });
  const clientAdmin = await world.caller(company.company_id, 'CLIENT_ADMIN');
  const profile = { user_type: 'CLIENT' as const, first_name: 'Ann', can_start_analysis_quality: false, meta_data: { employee: 'E-1' }, technical_meta_data: null };
  const user = await createUser(world.deps, clientAdmin, { credentials: { email: 'ann@acme.test', password: 'Secret-pass-1' }, profile });
  assert.deepEqual(
    [user.company_id, user.user_type, user.first_name, user.can_start_analysis_quality, user.can_start_analysis_biometry, user.meta_data, user.technical_meta_data],
    [company.company_id, 'CLIENT', 'Ann', false, true, { employee: 'E-1' }, {}],
  );
  const refused = async (promise: Promise<unknown>, status: number, code: number) =>
    assert.rejects(promise, (e: unknown) => e instanceof ApiError && e.status === status && e.code === code);
  await refused(createUser(world.deps, clientAdmin, { credentials: { email: 'ann@acme.test', password: 'Secret-pass-1' }, profile }), 400, ErrorCode.INVALID_VALUE);
  await refused(createUser(world.deps, clientAdmin, { credentials: { email: 'op@acme.test', password: 'Secret-pass-1' }, profile: { user_type: 'OPERATOR' } }), 404, ErrorCode.NOT_EXIST); // the system company is out of its reach
  await assert.rejects(createUser(world.deps, clientAdmin, { credentials: { email: 'weak@acme.test', password: 'short1' }, profile }), (e: unknown) => e instanceof ApiError && (e.details as { rule?: string }).rule === 'min_length');
  await refused(createUser(world.deps, admin, { credentials: { email: 'x@nowhere.test', password: 'Secret-pass-1' }, profile: { user_type: 'CLIENT', company_id: 'no-such-company' } }), 400, ErrorCode.INVALID_VALUE);
  // ADMIN and OPERATOR live in the system company whatever company_id says.
  const operator = await createUser(world.deps, admin, { credentials: { email: 'op@sys.test', password: 'Secret-pass-1' }, profile: { user_type: 'OPERATOR', company_id: company.company_id } });
  assert.equal(operator.company_id, SYSTEM_COMPANY_ID);
  assert.equal((await world.deps.identity.listUsers({ company_id: company.company_id, offset: 0, limit: 10 })).total, 2);
});

test('users: PATCH applies the typed fields; unknown ones are refused once the user is found; your own role is not yours to change', async () => {
  const world = memoryWorld();
  const admin = await world.caller(SYSTEM_COMPANY_ID, 'ADMIN');
  const company = await createCompany(world.deps, admin, { name: 'Acme' });
  const clientAdmin = await world.caller(company.company_id, 'CLIENT_ADMIN');
  const user = await createUser(world.deps, clientAdmin, { credentials: { email: 'bo@acme.test', password: 'Secret-pass-1' }, profile: { user_type: 'CLIENT' } });
  const patched = await patchUser(world.deps, clientAdmin, user.user_id, { first_name: 'Bo', user_type: 'CLIENT_OPERATOR', can_start_analysis_documents: false, meta_data: { a: 1 }, user_id: user.user_id });
  assert.deepEqual([patched.first_name, patched.user_type, patched.can_start_analysis_documents, patched.meta_data], ['Bo', 'CLIENT_OPERATOR', false, { a: 1 }]);
  const refused = async (promise: Promise<unknown>, status: number, code: number) =>
    assert.rejects(promise, (e: unknown) => e instanceof ApiError && e.status === status && e.code === code);
  await refused(patchUser(world.deps, clientAdmin, 'no-such-user', { shoe_size: 42 }), 404, ErrorCode.NOT_EXIST);
  await refused(patchUser(world.deps, clientAdmin, user.user_id, { shoe_size: 42 }), 400, ErrorCode.INVALID_STRUCTURE);
  await refused(patchUser(world.deps, clientAdmin, user.user_id, { password: 'Another-pass-9' }), 400, ErrorCode.INVALID_STRUCTURE);
  await refused(patchUser(world.deps, clientAdmin, user.user_id, { time_created: 1 }), 400, ErrorCode.INVALID_VALUE);
  await refused(patchUser(world.deps, clientAdmin, user.user_id, { user_type: 'ADMIN' }), 403, ErrorCode.AUTH_FORBIDDEN);
  await refused(patchUser(world.deps, clientAdmin, clientAdmin.user.user_id, { user_type: 'CLIENT' }), 403, ErrorCode.AUTH_FORBIDDEN);
  const stored = (await world.deps.identity.getUser(user.user_id))!;
  assert.deepEqual([stored.user_type, stored.first_name], ['CLIENT_OPERATOR', 'Bo'], 'nothing refused was stored');
});

test('companies: PATCH takes name and meta_data; fixed fields only unchanged; passwords: your own needs the old one', async () => {
  const world = memoryWorld();
  const admin = await world.caller(SYSTEM_COMPANY_ID, 'ADMIN');
  const company = await createCompany(world.deps, admin, { name: 'Acme' });
  const renamed = await patchCompany(world.deps, admin, company.company_id, { name: 'Acme Two', meta_data: { region: 'eu' }, in_deletion: false });
  assert.deepEqual([renamed.name, renamed.meta_data], ['Acme Two', { region: 'eu' }]);
  await assert.rejects(patchCompany(world.deps, admin, company.company_id, { in_deletion: true }), (e: unknown) => e instanceof ApiError && e.code === ErrorCode.INVALID_VALUE);
  await assert.rejects(patchCompany(world.deps, admin, company.company_id, { colour: 'red' }), (e: unknown) => e instanceof ApiError && e.code === ErrorCode.INVALID_STRUCTURE);

  const me = await world.caller(company.company_id, 'CLIENT');
  await assert.rejects(changePassword(world.deps, me, me.user.user_id, { new_password: 'Fresh-pass-2' }), (e: unknown) => e instanceof ApiError && e.code === ErrorCode.INVALID_STRUCTURE);
  await assert.rejects(changePassword(world.deps, me, me.user.user_id, { old_password: 'wrong-pass-1', new_password: 'Fresh-pass-2' }), /old_password/);
  assert.equal((await changePassword(world.deps, me, me.user.user_id, { old_password: 'password-1234', new_password: 'Fresh-pass-2' })).user_id, me.user.user_id);
  await assert.rejects(authorize(world.deps, me.user.email, 'password-1234'));
  assert.ok((await authorize(world.deps, me.user.email, 'Fresh-pass-2')).access_token);
});
