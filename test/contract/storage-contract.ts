// The contract of the core's storage ports (layers/core/ports), run against every implementation:
// memory.test.ts (layers/adapters/memory) and dynamo.test.ts (layers/adapters/dynamo on DynamoDB
// Local). One implementation's behaviour cannot drift from the other's without one run failing.
// Every test uses its own ids and companies: the DynamoDB run shares one table between them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { newUser } from '../../layers/core/admin';
import { authenticate, authorize, refresh } from '../../layers/core/auth';
import { defaultConfig, type CoreDeps, type StoragePorts } from '../../layers/core/deps';
import type { Analysis, AuditEntry, Folder, Session, StoredUser } from '../../layers/core/entities';
import { ApiError } from '../../layers/core/errors';
import { usageEventOf } from '../../layers/core/metering';
import { ConflictError, timeKey } from '../../layers/core/ports/common';
import type { EventSessionQuery } from '../../layers/core/ports/event-sessions';
import { analysisRecord, collectionRecord, folderRecord, foundPersons, mediaRecord, personImageRecord, personRecord, webhookRecord } from '../support/records';

export interface StorageUnderTest {
  ports: StoragePorts;
  close(): Promise<void>;
}

const fail = () => {
  throw new Error('unused');
};

const expectApiError = async (promise: Promise<unknown>, status: number, code: number) => {
  await assert.rejects(promise, (err: unknown) => err instanceof ApiError && err.status === status && err.code === code);
};

const unit = (seed: number) => Float32Array.from({ length: 8 }, (_, i) => Math.sin(seed * 7 + i));

export function storageContract(open: () => Promise<StorageUnderTest>) {
  let under: StorageUnderTest;
  let s: StoragePorts;
  let now = 1_800_000_000;
  let deps: CoreDeps;

  before(async () => {
    under = await open();
    s = under.ports;
    deps = { ...s, blobs: { put: fail, get: fail, delete: fail, deletePrefix: fail, presignGet: fail, presignPost: fail, size: fail }, queue: { enqueue: fail }, clock: { now: () => now }, ids: { uuid: randomUUID }, config: defaultConfig };
  });
  after(async () => {
    await under?.close();
  });

  // Identity ------------------------------------------------------------------------------------
  test('sessions expire after 15 minutes unused, are extended on use, and refresh retires the old pair on first use', async () => {
    await newUser(deps, { email: 'Alice@Example.com', password: 'alice-password', company_id: 'c1', user_type: 'CLIENT' });
    await expectApiError(authorize(deps, 'alice@example.com', 'wrong'), 401, 7);
    const login = await authorize(deps, 'alice@example.com', 'alice-password'); // emails are case-insensitive
    assert.equal(login.expire_date, now + 900);
    now += 600;
    const caller = await authenticate(deps, login.access_token);
    assert.equal(caller.session.expire_date, now + 900); // extended on use
    now += 899;
    await authenticate(deps, login.access_token);
    now += 901;
    await expectApiError(authenticate(deps, login.access_token), 401, 8);

    const second = await authorize(deps, 'alice@example.com', 'alice-password');
    const renewed = await refresh(deps, second.access_token, second.expire_token);
    await authenticate(deps, second.access_token); // still valid until the new pair is used
    await authenticate(deps, renewed.access_token);
    await expectApiError(authenticate(deps, second.access_token), 401, 7);
    await expectApiError(refresh(deps, renewed.access_token, second.expire_token), 401, 7);
    // After the access token expired, the expire_token alone still refreshes, within the window.
    now += 901;
    await expectApiError(authenticate(deps, renewed.access_token), 401, 8);
    const late = await refresh(deps, undefined, renewed.expire_token);
    await authenticate(deps, late.access_token);
    now += 900 + 24 * 3600;
    await expectApiError(refresh(deps, undefined, late.expire_token), 401, 8);
    await expectApiError(authenticate(deps, undefined), 401, 6);
  });

  test('a service user gets a long-lived token; a blocked user gets 401 with code 1401', async () => {
    await newUser(deps, { email: 'svc@example.com', password: 'service-password', company_id: 'c1', user_type: 'CLIENT_SERVICE' });
    const svc = await authorize(deps, 'svc@example.com', 'service-password');
    assert.ok(svc.expire_date - now > 4 * 365 * 24 * 3600);
    await newUser(deps, { email: 'blocked@example.com', password: 'blocked-password', company_id: 'c1', user_type: 'CLIENT', is_active: false });
    await expectApiError(authorize(deps, 'blocked@example.com', 'blocked-password'), 401, 1401);
  });

  test('the email is unique even under concurrent creation', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => newUser(deps, { email: 'race@example.com', password: 'race-password', company_id: 'c1', user_type: 'CLIENT' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  test('companies are listed by name, searched case-insensitively, and paged', async () => {
    const tag = randomUUID().slice(0, 8);
    for (const name of ['Charlie', 'alpha', 'Bravo']) await s.identity.putCompany({ company_id: randomUUID(), name: `${name} ${tag}`, in_deletion: false, technical_meta_data: {}, time_created: 1, time_updated: 1 });
    const found = await s.identity.listCompanies({ search_text: tag.toUpperCase(), offset: 0, limit: 10 });
    assert.equal(found.total, 3);
    assert.deepEqual(found.items.map((c) => c.name.split(' ')[0]), ['alpha', 'Bravo', 'Charlie']);
    const page = await s.identity.listCompanies({ search_text: tag, offset: 1, limit: 1 });
    assert.deepEqual([page.total, page.items.map((c) => c.name.split(' ')[0])], [3, ['Bravo']]);
    const stored = found.items[0]!;
    assert.deepEqual(await s.identity.getCompany(stored.company_id), stored);
  });

  test('users: listed oldest first with a total, updated with their email moved, conflicts and absence told apart', async () => {
    const company = `users-${randomUUID()}`;
    const user = (email: string, t: number): StoredUser => ({
      user_id: randomUUID(), company_id: company, user_type: 'CLIENT', email, first_name: '', last_name: '', middle_name: '', is_active: true, can_start_analysis_biometry: true,
      can_start_analysis_quality: true, can_start_analysis_collection: true, can_start_analysis_documents: true, meta_data: {}, time_created: t, time_updated: t, password_hash: 'x',
    });
    const [a, b, c] = [user(`a-${company}@example.com`, 30), user(`b-${company}@example.com`, 10), user(`c-${company}@example.com`, 20)];
    for (const u of [a, b, c]) await s.identity.createUser(u);
    const listed = await s.identity.listUsers({ company_id: company, offset: 1, limit: 5 });
    assert.deepEqual([listed.total, listed.items.map((u) => u.user_id)], [3, [c.user_id, a.user_id]]);
    await assert.rejects(s.identity.createUser({ ...user(b.email.toUpperCase(), 40) }), ConflictError);

    await assert.rejects(s.identity.updateUser({ ...a, email: b.email }, a.email), ConflictError);
    assert.equal((await s.identity.getUser(a.user_id))!.email, a.email); // nothing changed
    const moved = `moved-${company}@example.com`;
    assert.equal(await s.identity.updateUser({ ...a, email: moved, first_name: 'Ann' }, a.email), true);
    assert.equal(await s.identity.getUserByEmail(a.email), null);
    assert.equal((await s.identity.getUserByEmail(` ${moved.toUpperCase()} `))!.first_name, 'Ann');
    assert.equal(await s.identity.updateUser({ ...user('gone@example.com', 1) }, 'gone@example.com'), false);

    await s.identity.deleteUser({ user_id: b.user_id, email: b.email });
    assert.equal(await s.identity.getUser(b.user_id), null);
    await s.identity.createUser(user(b.email, 50)); // the email is free again
  });

  test('sessions: found by either hash, listed newest first per company and user, extended, and deleted with their refresh entry', async () => {
    const company = `sessions-${randomUUID()}`;
    const session = (user: string, t: number): Session => ({
      session_id: randomUUID(), token_id: randomUUID(), user_id: user, company_id: company, access_hash: randomUUID(), expire_hash: randomUUID(), expire_date: t + 900, ttl_seconds: 900,
      long_lived: false, time_created: t, replaces_session_id: null, replaces_access_hash: null,
    });
    const [s1, s2, s3] = [session('u1', now), session('u1', now + 10), session('u2', now + 5)];
    for (const x of [s1, s2, s3]) await s.identity.putSession(x);
    assert.deepEqual(await s.identity.getSessionByExpireHash(s2.expire_hash), s2);
    assert.deepEqual((await s.identity.listSessions({ company_id: company, user_id: 'u1' })).map((x) => x.session_id), [s2.session_id, s1.session_id]);
    assert.equal((await s.identity.listSessions({ company_id: company })).length, 3);
    await s.identity.extendSession(s1, now + 5000);
    assert.equal((await s.identity.getSessionByAccessHash(s1.access_hash))!.expire_date, now + 5000);
    await s.identity.deleteSession(s1);
    assert.equal(await s.identity.getSessionByAccessHash(s1.access_hash), null);
    assert.equal(await s.identity.getSessionByExpireHash(s1.expire_hash), null);
    await s.identity.extendSession(s1, now + 9000); // retired: nothing to extend, no error
    assert.equal(await s.identity.getSessionByAccessHash(s1.access_hash), null);
  });

  // Folders and analyses ------------------------------------------------------------------------
  test('folders: consistent reads right after creation, tenant-prefixed keys, listing newest first, conditional finish', async () => {
    const a = folderRecord('companyA', 100);
    const b = folderRecord('companyA', 200);
    const other = folderRecord('companyB', 150);
    for (const f of [a, b, other]) await s.folders.createFolder(f, []);
    assert.deepEqual(await s.folders.locate('FOLDER', a.folder_id), { company_id: 'companyA', folder_id: a.folder_id });
    assert.equal(await s.folders.getFolder('companyB', a.folder_id), null); // the key carries the tenant
    const listed = await s.folders.listFolders({ company_id: 'companyA', user_id: null, offset: 0, limit: 10 });
    assert.deepEqual(listed.items.map((i) => i.folder.folder_id), [b.folder_id, a.folder_id]);
    assert.equal((await s.folders.listFolders({ company_id: 'companyA', user_id: null, time_created_min: 150, offset: 0, limit: 10 })).total, 1);

    const analysis: Analysis = analysisRecord(a, 300);
    await s.analyses.createAnalyses(a, [analysis]);
    const attempt = await s.analyses.startAttempt('companyA', a.folder_id, analysis.analysis_id, 301);
    assert.equal(attempt?.attempts, 1);
    assert.equal(await s.analyses.finishAnalysis({ ...attempt!, state: 'FINISHED', resolution: 'SUCCESS' }, []), true);
    // A redelivered job finds it final: no second write, no second attempt counted.
    assert.equal(await s.analyses.finishAnalysis({ ...attempt!, state: 'FAILED' }, []), false);
    assert.equal((await s.analyses.startAttempt('companyA', a.folder_id, analysis.analysis_id, 302))?.state, 'FINISHED');
    assert.equal((await s.folders.getFolder('companyA', a.folder_id))!.analyses[0]!.state, 'FINISHED');
  });

  test('a folder id is created once; media and analyses go only into a folder that exists and is not cleared', async () => {
    const company = `open-${randomUUID()}`;
    const folder = folderRecord(company, 10);
    const first = mediaRecord(folder, 12);
    await s.folders.createFolder(folder, [first]);
    await assert.rejects(s.folders.createFolder({ ...folder, user_id: 'someone else' }, []));
    assert.equal((await s.folders.getFolder(company, folder.folder_id))!.folder.user_id, 'u');
    const earlier = mediaRecord(folder, 11);
    await s.folders.addMedia(folder, [earlier]);
    const agg = await s.folders.getFolder(company, folder.folder_id);
    assert.deepEqual(agg!.media.map((m) => m.media_id), [earlier.media_id, first.media_id]); // oldest first
    assert.deepEqual(await s.folders.locate('MEDIA', earlier.media_id), { company_id: company, folder_id: folder.folder_id });

    const missing = folderRecord(company, 20);
    await assert.rejects(s.folders.addMedia(missing, [mediaRecord(missing, 21)]));
    await assert.rejects(s.analyses.createAnalyses(missing, [analysisRecord(missing, 21)]));
    assert.equal(await s.folders.getFolder(company, missing.folder_id), null);

    assert.equal(await s.privacy.putClearedFolder({ ...folder, is_cleared: true }, true), true);
    await assert.rejects(s.folders.addMedia(folder, [mediaRecord(folder, 30)]));
    await assert.rejects(s.analyses.createAnalyses(folder, [analysisRecord(folder, 30)]));
    assert.equal((await s.folders.getFolder(company, folder.folder_id))!.media.length, 2);
  });

  test('folder listings filter by user and on analyses, with totals, and page without gaps', async () => {
    const company = `list-${randomUUID()}`;
    const folders: Folder[] = [];
    for (let i = 0; i < 9; i++) folders.push(folderRecord(company, 1000 + i, { user_id: i % 3 === 0 ? 'mine' : 'theirs' }));
    for (const f of folders) await s.folders.createFolder(f, []);
    await s.analyses.createAnalyses(folders[4]!, [analysisRecord(folders[4]!, 2000, { type: 'BIOMETRY' })]);
    const newestFirst = [...folders].reverse().map((f) => f.folder_id);
    const pages: string[] = [];
    for (let offset = 0; offset < 9; offset += 4) pages.push(...(await s.folders.listFolders({ company_id: company, user_id: null, offset, limit: 4 })).items.map((i) => i.folder.folder_id));
    assert.deepEqual(pages, newestFirst);
    const mine = await s.folders.listFolders({ company_id: company, user_id: 'mine', offset: 0, limit: 2 });
    assert.deepEqual([mine.total, mine.items.map((i) => i.folder.folder_id)], [3, [folders[6]!.folder_id, folders[3]!.folder_id]]);
    const withBiometry = await s.folders.listFolders({ company_id: company, user_id: null, filter: (agg) => agg.analyses.some((a) => a.type === 'BIOMETRY'), offset: 0, limit: 10 });
    assert.deepEqual([withBiometry.total, withBiometry.items.map((i) => i.folder.folder_id)], [1, [folders[4]!.folder_id]]);
    const window = await s.folders.listFolders({ company_id: company, user_id: null, time_created_min: 1002, time_created_max: 1004, offset: 0, limit: 10 });
    assert.equal(window.total, 3);
  });

  test('operator fields: set what is given, leave what is undefined, false for an absent folder', async () => {
    const company = `ops-${randomUUID()}`;
    const folder = folderRecord(company, 10, { operator_comment: 'keep' });
    await s.folders.createFolder(folder, []);
    assert.equal(await s.folders.setOperatorFields(company, folder.folder_id, { operator_status: 'APPROVED', operator_comment: undefined, resolution_endpoint: null }, 50), true);
    const stored = (await s.folders.getFolder(company, folder.folder_id))!.folder;
    assert.deepEqual([stored.operator_status, stored.operator_comment, stored.resolution_endpoint, stored.time_updated], ['APPROVED', 'keep', null, 50]);
    assert.equal(await s.folders.setOperatorFields(company, randomUUID(), { operator_status: 'x' }, 50), false);
  });

  test('an operator decides only a finished OPERATOR_REQUIRED analysis, and the folder is stamped with it', async () => {
    const company = `decide-${randomUUID()}`;
    const folder = folderRecord(company, 10);
    await s.folders.createFolder(folder, []);
    const [pending, required] = [analysisRecord(folder, 11), analysisRecord(folder, 12)];
    await s.analyses.createAnalyses(folder, [pending, required]);
    const stamp = { resolution_author_id: 'op', resolution_time: 99 };
    assert.equal(await s.analyses.decideAnalysis(pending, { resolution: 'SUCCESS' }, stamp), false);
    await s.analyses.finishAnalysis({ ...required, state: 'FINISHED', resolution: 'OPERATOR_REQUIRED', time_updated: 20 }, []);
    assert.equal(await s.analyses.decideAnalysis(required, { resolution: 'DECLINED' }, stamp), true);
    const agg = (await s.folders.getFolder(company, folder.folder_id))!;
    assert.deepEqual(agg.analyses.find((a) => a.analysis_id === required.analysis_id)!.resolution_operator, { resolution: 'DECLINED' });
    assert.deepEqual([agg.folder.resolution_author_id, agg.folder.resolution_time, agg.folder.time_updated], ['op', 99, 99]);
    assert.equal(agg.analyses.find((a) => a.analysis_id === pending.analysis_id)!.resolution_operator, null);
  });

  test('analyses still PROCESSING are listed oldest first, before a time, at most a limit', async () => {
    const company = `stuck-${randomUUID()}`;
    const folder = folderRecord(company, 10);
    await s.folders.createFolder(folder, []);
    // Times before every other test's analyses, so only these are this old.
    const made = [5, 3, 4, 1, 2].map((t) => analysisRecord(folder, t));
    await s.analyses.createAnalyses(folder, made);
    await s.analyses.finishAnalysis({ ...made[4]!, state: 'FAILED', time_updated: 6 }, []); // t=2 is final
    const listed = await s.analyses.listProcessingAnalyses(4.5, 2);
    assert.deepEqual(listed.map((a) => a.time_created), [1, 3]);
    assert.deepEqual((await s.analyses.listProcessingAnalyses(4.5, 10)).map((a) => a.time_created), [1, 3, 4]);
  });

  test('finishing counts the analysis once in the usage counters and leaves its event in the outbox', async () => {
    const company = `meter-${randomUUID()}`;
    const folder = folderRecord(company, 10);
    await s.folders.createFolder(folder, []);
    const analysis = analysisRecord(folder, 1_800_000_000);
    await s.analyses.createAnalyses(folder, [analysis]);
    const output = mediaRecord(folder, 1_800_000_001, { media_type: 'IMAGE_RESULT_ANALYSIS_SINGLE' });
    const final: Analysis = { ...analysis, state: 'FINISHED', resolution: 'SUCCESS', time_task_finished: 1_800_000_002, time_updated: 1_800_000_002 };
    assert.equal(await s.analyses.finishAnalysis(final, [output]), true);
    assert.equal(await s.analyses.finishAnalysis(final, [output]), false);
    const event = usageEventOf(final);
    assert.deepEqual(await s.metering.usageCounts({ company_id: company, months: [event.month] }), [{ company_id: company, month: event.month, type: 'QUALITY', finished: 1, failed: 0 }]);
    assert.deepEqual(await s.metering.pendingUsageEvent(company, analysis.analysis_id), event);
    assert.deepEqual(await s.folders.locate('MEDIA', output.media_id), { company_id: company, folder_id: folder.folder_id });
    await s.metering.clearUsageEvent(company, analysis.analysis_id);
    assert.equal(await s.metering.pendingUsageEvent(company, analysis.analysis_id), null);
  });

  test('deleting an analysis takes its output media, pointer and person links; deleting media takes their pointers', async () => {
    const company = `del-${randomUUID()}`;
    const folder = folderRecord(company, 10);
    const source = mediaRecord(folder, 11);
    await s.folders.createFolder(folder, [source]);
    const collection = collectionRecord(company, 1);
    await s.collections.putCollection(collection);
    const person = personRecord(collection, 1);
    await s.collections.putPersonImages(person, [], true);
    const analysis = analysisRecord(folder, 12, { type: 'COLLECTION' });
    await s.analyses.createAnalyses(folder, [analysis]);
    const output = mediaRecord(folder, 13, { media_type: 'IMAGE_RESULT_ANALYSIS_SINGLE' });
    const final: Analysis = { ...analysis, state: 'FINISHED', resolution: 'SUCCESS', results_media: foundPersons([person]), time_updated: 14 };
    await s.analyses.finishAnalysis(final, [output]);
    await s.collections.linkAnalysisToPersons(company, analysis.analysis_id, [{ collection_id: collection.collection_id, person_id: person.person_id }]);
    await assert.rejects(s.collections.deletePerson(company, collection.collection_id, person.person_id), ConflictError);
    await s.analyses.deleteAnalysis(final, [output]);
    assert.equal(await s.folders.locate('ANALYSIS', analysis.analysis_id), null);
    assert.equal(await s.folders.locate('MEDIA', output.media_id), null);
    assert.deepEqual((await s.folders.getFolder(company, folder.folder_id))!.media.map((m) => m.media_id), [source.media_id]);
    await s.collections.deletePerson(company, collection.collection_id, person.person_id); // the link went with the analysis
    await s.folders.deleteMedia([source]);
    assert.equal(await s.folders.locate('MEDIA', source.media_id), null);
    assert.deepEqual((await s.folders.getFolder(company, folder.folder_id))!.media, []);
  });

  test('deleting a folder takes everything recorded in it: media, analyses, deliveries, reports, pointers and person links', async () => {
    const company = `delete-folder-${randomUUID()}`;
    const folder = folderRecord(company, 10);
    const media = mediaRecord(folder, 11);
    await s.folders.createFolder(folder, [media]);
    const collection = collectionRecord(company, 1);
    await s.collections.putCollection(collection);
    const person = personRecord(collection, 1);
    await s.collections.putPersonImages(person, [], true);
    const analysis = analysisRecord(folder, 12, { type: 'COLLECTION' });
    await s.analyses.createAnalyses(folder, [analysis]);
    await s.analyses.finishAnalysis({ ...analysis, state: 'FINISHED', resolution: 'SUCCESS', results_media: foundPersons([person]), time_updated: 13 }, []);
    await s.collections.linkAnalysisToPersons(company, analysis.analysis_id, [{ collection_id: collection.collection_id, person_id: person.person_id }]);
    const delivery = webhookRecord(folder, 14);
    await s.webhooks.createWebhookDelivery(delivery);
    const report = { report_id: randomUUID(), folder_id: folder.folder_id, company_id: company, user_id: 'u', report_template_id: 't', file_name: 'r.pdf', size: 1, file_sha256: 'x', content_sha256: 'y', time_created: 15, blob_key: 'k' };
    await s.reports.putReport(report);

    await s.folders.deleteFolder(company, folder.folder_id);
    assert.equal(await s.folders.getFolder(company, folder.folder_id), null);
    for (const [kind, id] of [['FOLDER', folder.folder_id], ['MEDIA', media.media_id], ['ANALYSIS', analysis.analysis_id]] as const) assert.equal(await s.folders.locate(kind, id), null);
    assert.equal(await s.webhooks.getWebhookDelivery(company, folder.folder_id, delivery.delivery_id), null);
    assert.deepEqual(await s.reports.listFolderReports(company, folder.folder_id), []);
    assert.equal(await s.reports.getReport(report.report_id), null);
    assert.deepEqual(await s.collections.deletePerson(company, collection.collection_id, person.person_id), []);
    await s.folders.deleteFolder(company, folder.folder_id); // again: nothing left, no error
  });

  // Collections ---------------------------------------------------------------------------------
  test('collection links: each person under their own collection; stray links of the old multi-collection bug hold nothing back and go with the analysis', async () => {
    const company = `links-${randomUUID()}`;
    const collection = (alias: string) => ({ collection_id: randomUUID(), company_id: company, alias, meta_data: {}, time_created: now, time_updated: now });
    const [first, second] = [collection('first'), collection('second')];
    for (const c of [first, second]) await s.collections.putCollection(c);
    const person = (c: typeof first) => ({ person_id: randomUUID(), collection_id: c.collection_id, company_id: company, meta_data: {}, time_created: now, time_updated: now });
    const [p1, p2] = [person(first), person(second)];
    for (const p of [p1, p2]) await s.collections.putPersonImages(p, [], true);
    const results_media = [p1, p2].map((p) => ({ source_media_id: 'm', media_association_id: 'm', results_data: null, output_images: [], collection_persons: [{ person_id: p.person_id, collection_id: p.collection_id }] }));
    const analysis = { analysis_id: randomUUID(), company_id: company, folder_id: 'f', results_media } as unknown as Analysis;
    await s.collections.linkAnalysisToPersons(company, analysis.analysis_id, [
      { collection_id: first.collection_id, person_id: p1.person_id },
      { collection_id: second.collection_id, person_id: p2.person_id },
    ]);
    // What the old version wrote besides: the second collection's person under the first collection.
    await s.collections.linkAnalysisToPersons(company, analysis.analysis_id, [{ collection_id: first.collection_id, person_id: p2.person_id }]);
    await assert.rejects(s.collections.deletePerson(company, second.collection_id, p2.person_id), /related analyses/);
    await assert.rejects(s.collections.deleteCollection(company, first.collection_id), /related analyses/);
    await s.analyses.deleteAnalysis(analysis, []);
    await s.collections.deleteCollection(company, first.collection_id);
    await s.collections.deleteCollection(company, second.collection_id);
    assert.equal(await s.collections.getCollection(company, first.collection_id), null);

    // A stray link alone (its person lives elsewhere) does not hold a collection back.
    const [third, fourth] = [collection('third'), collection('fourth')];
    for (const c of [third, fourth]) await s.collections.putCollection(c);
    const p4 = person(fourth);
    await s.collections.putPersonImages(p4, [], true);
    await s.collections.linkAnalysisToPersons(company, randomUUID(), [{ collection_id: third.collection_id, person_id: p4.person_id }]);
    await s.collections.deleteCollection(company, third.collection_id);
    assert.equal(await s.collections.getCollection(company, third.collection_id), null);
  });

  test('collections: every change to the templates bumps the version and is logged in order; templates come back bit for bit', async () => {
    const company = `templates-${randomUUID()}`;
    const collection = collectionRecord(company, 5);
    await s.collections.putCollection(collection);
    assert.equal((await s.collections.getCollection(company, collection.collection_id))!.version, 0);
    const [p1, p2] = [personRecord(collection, 1), personRecord(collection, 2)];
    const [i1, i2, i3] = [personImageRecord(p1, 1), personImageRecord(p1, 2), personImageRecord(p2, 3)];
    await s.collections.putPersonImages(p1, [{ image: i1, template: unit(1) }], true);
    await assert.rejects(s.collections.putPersonImages(p1, [], true)); // a person is new once
    await assert.rejects(s.collections.putPersonImages(personRecord(collection, 9), [], false)); // and must exist to take images
    await s.collections.putPersonImages(p1, [{ image: i2, template: unit(2) }], false);
    await s.collections.putPersonImages(p2, [{ image: i3, template: unit(3) }], true);
    assert.equal((await s.collections.getCollection(company, collection.collection_id))!.version, 3);
    assert.deepEqual((await s.collections.listPersons(company, collection.collection_id)).map((p) => p.person_id), [p1.person_id, p2.person_id]);
    assert.deepEqual((await s.collections.listPersonImages(company, collection.collection_id, p1.person_id)).map((i) => i.media_id).sort(), [i1.media_id, i2.media_id].sort());

    const templates = await s.collections.collectionTemplates(company, collection.collection_id);
    assert.equal(templates.length, 3);
    const t2 = templates.find((t) => t.media_id === i2.media_id)!;
    assert.deepEqual([t2.person_id, [...t2.template]], [p1.person_id, [...unit(2)]]);

    assert.deepEqual(await s.collections.deletePersonImage(company, collection.collection_id, p1.person_id, i1.media_id), i1);
    assert.equal(await s.collections.deletePersonImage(company, collection.collection_id, p1.person_id, i1.media_id), null);
    assert.deepEqual(await s.collections.deletePerson(company, collection.collection_id, p2.person_id), [i3]);
    assert.equal(await s.collections.getPerson(company, collection.collection_id, p2.person_id), null);
    assert.equal((await s.collections.getCollection(company, collection.collection_id))!.version, 5);

    const log = await s.collections.collectionChanges(company, collection.collection_id, '');
    assert.deepEqual(log.map((c) => c.op), ['add', 'add', 'add', 'remove', 'remove']);
    assert.deepEqual(log.map((c) => c.key), [...log.map((c) => c.key)].sort());
    assert.deepEqual(log[3], { key: log[3]!.key, op: 'remove', ids: [`${p1.person_id}#${i1.media_id}`] });
    const added = log[1]!;
    assert.ok(added.op === 'add' && added.entries[0]!.id === `${p1.person_id}#${i2.media_id}` && [...added.entries[0]!.template].every((v, i) => v === unit(2)[i]));
    assert.deepEqual(await s.collections.collectionChanges(company, collection.collection_id, log[3]!.key), log.slice(3));
    assert.deepEqual(await s.collections.collectionChanges(company, collection.collection_id, timeKey(Date.now() / 1000 + 60, '')), []);
  });

  test('collections are listed per company oldest first, and every company\'s for null', async () => {
    const company = `colls-${randomUUID()}`;
    const [late, early] = [collectionRecord(company, 20, 'late'), collectionRecord(company, 10, 'early')];
    for (const c of [late, early]) await s.collections.putCollection(c);
    assert.deepEqual((await s.collections.listCollections(company)).map((c) => c.alias), ['early', 'late']);
    const all = await s.collections.listCollections(null);
    assert.ok([late, early].every((c) => all.some((x) => x.collection_id === c.collection_id)));
  });

  // Keys and sharded listings -------------------------------------------------------------------
  test('keys no item can have and reversed windows read as nothing, not as DynamoDB errors', async () => {
    const long = 'x'.repeat(3000);
    assert.equal(await s.identity.getCompany(long), null);
    assert.equal(await s.folders.locate('FOLDER', long), null);
    assert.equal(await s.identity.getUserByEmail(`${long}@example.com`), null);
    assert.deepEqual(await s.folders.listFolders({ company_id: 'companyA', user_id: null, time_created_min: 500, time_created_max: 100, offset: 0, limit: 10 }), { total: 0, items: [] });
    assert.deepEqual(await s.folders.listFolders({ company_id: long, user_id: null, offset: 0, limit: 10 }), { total: 0, items: [] });
    assert.deepEqual(await s.audit.listAuditEntries({ company_id: null, object_type: 'FOLDER', object_id: long, offset: 0, limit: 10 }), { items: [], has_more: false });
  });

  test('global folder and audit listings merge every company newest first and page as documented', async () => {
    // 40 folders over 4 companies, at distinct times far from the other tests' folders.
    const made: Folder[] = [];
    for (let i = 0; i < 40; i++) made.push(folderRecord(`shard-co-${i % 4}`, 5_000_000 + i, { user_id: i % 2 ? 'odd' : 'even' }));
    for (const f of made) await s.folders.createFolder(f, []);
    const newestFirst = [...made].reverse().map((f) => f.folder_id);
    const range = { time_created_min: 5_000_000, time_created_max: 5_000_100 };
    const all = await s.folders.listFolders({ company_id: null, user_id: null, ...range, offset: 0, limit: 100 });
    assert.equal(all.total, 40);
    assert.deepEqual(all.items.map((i) => i.folder.folder_id), newestFirst);
    // Pages: offset and limit as documented, the same order, nothing skipped or repeated.
    const pages: string[] = [];
    for (let offset = 0; offset < 40; offset += 7) {
      const page = await s.folders.listFolders({ company_id: null, user_id: null, ...range, offset, limit: 7 });
      assert.equal(page.total, 40);
      pages.push(...page.items.map((i) => i.folder.folder_id));
    }
    assert.deepEqual(pages, newestFirst);
    // A user's own folders are filtered, with the right total.
    const mine = await s.folders.listFolders({ company_id: 'shard-co-1', user_id: 'odd', ...range, offset: 2, limit: 3 });
    const expected = newestFirst.filter((id) => made.find((f) => f.folder_id === id)!.company_id === 'shard-co-1');
    assert.equal(mine.total, expected.length);
    assert.deepEqual(mine.items.map((i) => i.folder.folder_id), expected.slice(2, 5));

    // Audit: has_more says whether a next page exists. Times after every other test's entries, so these are the newest.
    const T = 2_000_000_000;
    for (let i = 0; i < 12; i++) {
      await s.audit.putAuditEntry({ audit_id: randomUUID(), time_created: T + i, company_id: `audit-co-${i % 3}`, user_id: null, email: null, user_type: null, object_type: 'COMPANY', object_id: `audit-co-${i % 3}`, action: 'updated', changes: {} });
    }
    const first = await s.audit.listAuditEntries({ company_id: null, offset: 0, limit: 5 });
    assert.equal(first.items.length, 5);
    assert.equal(first.has_more, true);
    assert.deepEqual(first.items.map((e) => e.time_created), [T + 11, T + 10, T + 9, T + 8, T + 7]);
    const second = await s.audit.listAuditEntries({ company_id: null, offset: 5, limit: 5 });
    assert.deepEqual(second.items.map((e) => e.time_created), [T + 6, T + 5, T + 4, T + 3, T + 2]);
    const companyFeed = await s.audit.listAuditEntries({ company_id: 'audit-co-0', offset: 1, limit: 10 });
    // audit-co-0's entries are T, T+3, T+6, T+9: newest first, after the first.
    assert.deepEqual(companyFeed.items.map((e) => e.time_created), [T + 6, T + 3, T]);
    assert.equal(companyFeed.has_more, false);
  });

  test('an object\'s audit history, in its company or across companies; a type alone filters the feed', async () => {
    const company = `history-${randomUUID()}`;
    const entry = (object_type: AuditEntry['object_type'], object_id: string, t: number): AuditEntry => ({ audit_id: randomUUID(), time_created: t, company_id: company, user_id: null, email: null, user_type: null, object_type, object_id, action: 'updated', changes: { n: t } });
    const entries = [entry('FOLDER', 'f1', 1), entry('USER', 'u1', 2), entry('FOLDER', 'f1', 3), entry('FOLDER', 'f2', 4)];
    for (const e of entries) await s.audit.putAuditEntry(e);
    const history = await s.audit.listAuditEntries({ company_id: company, object_type: 'FOLDER', object_id: 'f1', offset: 0, limit: 10 });
    assert.deepEqual(history.items.map((e) => e.time_created), [3, 1]);
    assert.deepEqual(history.items[0], entries[2]);
    const everywhere = await s.audit.listAuditEntries({ company_id: null, object_type: 'USER', object_id: 'u1', offset: 0, limit: 10 });
    assert.deepEqual(everywhere.items.map((e) => e.audit_id), [entries[1]!.audit_id]);
    const folders = await s.audit.listAuditEntries({ company_id: company, object_type: 'FOLDER', offset: 0, limit: 2 });
    assert.deepEqual([folders.items.map((e) => e.time_created), folders.has_more], [[4, 3], true]);
  });

  // Metering ------------------------------------------------------------------------------------
  test('quotas: the started count moves atomically and never past the quota, even under concurrent starts', async () => {
    const company = `quota-${randomUUID()}`;
    assert.equal(await s.metering.getUsageQuota(company), null);
    await s.metering.setUsageQuota(company, 5);
    assert.equal(await s.metering.getUsageQuota(company), 5);
    const results = await Promise.all(Array.from({ length: 8 }, () => s.metering.reserveAnalyses(company, '2027-01', 1, 5)));
    assert.equal(results.filter((r) => r.ok).length, 5);
    assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.started), [5, 5, 5]);
    assert.equal(await s.metering.startedAnalyses(company, '2027-01'), 5);
    assert.deepEqual(await s.metering.reserveAnalyses(company, '2027-02', 6, 5), { ok: false, started: 0 }); // a new month, too many at once
    await s.metering.releaseAnalyses(company, '2027-01', 2);
    assert.deepEqual(await s.metering.reserveAnalyses(company, '2027-01', 2, 5), { ok: true, started: 5 });
    assert.deepEqual(await s.metering.reserveAnalyses(company, '2027-01', 10, null), { ok: true, started: 15 }); // no quota: counted only
    await s.metering.setUsageQuota(company, null);
    assert.equal(await s.metering.getUsageQuota(company), null);
  });

  test('usage counters: per company over a range of months, every company for the months asked; stale outbox entries oldest first', async () => {
    const [c1, c2] = [`usage-a-${randomUUID()}`, `usage-b-${randomUUID()}`];
    const event = (company: string, month: string, state: 'FINISHED' | 'FAILED', type: 'QUALITY' | 'BIOMETRY' = 'QUALITY') =>
      ({ event_id: randomUUID(), company_id: company, analysis_id: randomUUID(), type, state, billable: state === 'FINISHED', month, time: 1 }) as const;
    for (const e of [event(c1, '2030-01', 'FINISHED'), event(c1, '2030-01', 'FINISHED'), event(c1, '2030-01', 'FAILED'), event(c1, '2030-02', 'FINISHED', 'BIOMETRY'), event(c1, '2030-03', 'FINISHED'), event(c2, '2030-02', 'FAILED')]) {
      await s.metering.countUsage(e);
    }
    const sorted = (lines: { company_id: string; month: string; type: string }[]) => [...lines].sort((a, b) => `${a.company_id}${a.month}${a.type}`.localeCompare(`${b.company_id}${b.month}${b.type}`));
    assert.deepEqual(sorted(await s.metering.usageCounts({ company_id: c1, months: ['2030-01', '2030-02'] })), [
      { company_id: c1, month: '2030-01', type: 'QUALITY', finished: 2, failed: 1 },
      { company_id: c1, month: '2030-02', type: 'BIOMETRY', finished: 1, failed: 0 },
    ]);
    const everyone = (await s.metering.usageCounts({ company_id: null, months: ['2030-02'] })).filter((l) => l.company_id === c1 || l.company_id === c2);
    assert.deepEqual(sorted(everyone), [
      { company_id: c1, month: '2030-02', type: 'BIOMETRY', finished: 1, failed: 0 },
      { company_id: c2, month: '2030-02', type: 'QUALITY', finished: 0, failed: 1 },
    ]);
    assert.deepEqual(await s.metering.usageCounts({ company_id: c1, months: [] }), []);

    // The outbox: analyses finished at times before every other test's.
    const folder = folderRecord(c2, 0.01);
    await s.folders.createFolder(folder, []);
    const analyses = [0.3, 0.1, 0.2].map((t) => analysisRecord(folder, t));
    await s.analyses.createAnalyses(folder, analyses);
    for (const a of analyses) await s.analyses.finishAnalysis({ ...a, state: 'FINISHED', resolution: 'SUCCESS', time_task_finished: a.time_created, time_updated: a.time_created }, []);
    const stale = await s.metering.staleUsageEvents(0.25, 10);
    assert.deepEqual(stale.map((e) => e.time), [0.1, 0.2]);
    assert.deepEqual((await s.metering.staleUsageEvents(100, 1)).map((e) => e.time), [0.1]);
  });

  // Webhooks ------------------------------------------------------------------------------------
  test('webhook deliveries: one record per group, patched with attempts counted, listed oldest first; the secret is created once', async () => {
    const company = `hooks-${randomUUID()}`;
    const folder = folderRecord(company, 1);
    await s.folders.createFolder(folder, []);
    const [later, earlier] = [webhookRecord(folder, 20), webhookRecord(folder, 10)];
    assert.equal(await s.webhooks.createWebhookDelivery(later), true);
    assert.equal(await s.webhooks.createWebhookDelivery({ ...later, url: 'https://example.com/other' }), false);
    await s.webhooks.createWebhookDelivery(earlier);
    await s.webhooks.updateWebhookDelivery(company, folder.folder_id, later.delivery_id, { outcome: 'DELIVERED', last_status: 200 }, true);
    await s.webhooks.updateWebhookDelivery(company, folder.folder_id, later.delivery_id, {}, true);
    const stored = await s.webhooks.getWebhookDelivery(company, folder.folder_id, later.delivery_id);
    assert.deepEqual([stored!.outcome, stored!.last_status, stored!.attempts, stored!.url], ['DELIVERED', 200, 2, later.url]);
    await assert.rejects(s.webhooks.updateWebhookDelivery(company, folder.folder_id, randomUUID(), { outcome: 'FAILED' }, false));
    assert.deepEqual((await s.webhooks.listWebhookDeliveries(company, folder.folder_id)).map((d) => d.delivery_id), [earlier.delivery_id, later.delivery_id]);

    const secrets = await Promise.all(Array.from({ length: 4 }, (_, i) => s.webhooks.webhookSecret(company, () => `secret-${i}`)));
    assert.equal(new Set(secrets).size, 1);
    assert.equal(await s.webhooks.webhookSecret(company, () => 'another'), secrets[0]);
    await s.webhooks.rotateWebhookSecret(company, 'rotated');
    assert.equal(await s.webhooks.webhookSecret(company, () => 'another'), 'rotated');
  });

  // Privacy and retention -----------------------------------------------------------------------
  test('clearing: the folder once, records only while they exist in the state read, and the person links listed', async () => {
    const company = `clear-${randomUUID()}`;
    const folder = folderRecord(company, 1);
    const [kept, deleted] = [mediaRecord(folder, 2), mediaRecord(folder, 3)];
    await s.folders.createFolder(folder, [kept, deleted]);
    const [finished, running] = [analysisRecord(folder, 4), analysisRecord(folder, 5)];
    await s.analyses.createAnalyses(folder, [finished, running]);
    await s.analyses.finishAnalysis({ ...finished, state: 'FINISHED', resolution: 'SUCCESS', time_updated: 6 }, []);
    const collection = collectionRecord(company, 1);
    await s.collections.putCollection(collection);
    const person = personRecord(collection, 1);
    await s.collections.putPersonImages(person, [], true);
    await s.collections.linkAnalysisToPersons(company, finished.analysis_id, [{ collection_id: collection.collection_id, person_id: person.person_id }]);

    assert.equal(await s.privacy.putClearedFolder({ ...folder, is_cleared: true, meta_data: {} }, true), true);
    assert.equal(await s.privacy.putClearedFolder({ ...folder, is_cleared: true }, true), false); // cleared already
    assert.equal(await s.privacy.putClearedFolder({ ...folder, is_cleared: true }, false), true);
    assert.equal(await s.privacy.putClearedFolder(folderRecord(company, 1), false), false); // absent

    await s.folders.deleteMedia([deleted]);
    const cleared = { original_name: 'cleared' };
    await s.privacy.putClearedRecords(
      [{ ...kept, ...cleared }, { ...deleted, ...cleared }],
      [{ ...finished, state: 'FINISHED', meta_data: { cleared: true } }, { ...running, state: 'FINISHED', meta_data: { cleared: true } }], // `running` is still PROCESSING: left alone
      [{ company_id: company, collection_id: collection.collection_id, person_id: person.person_id, analysis_id: finished.analysis_id }],
    );
    const agg = (await s.folders.getFolder(company, folder.folder_id))!;
    assert.deepEqual(agg.media.map((m) => [m.media_id, m.original_name]), [[kept.media_id, 'cleared']]);
    assert.deepEqual(agg.analyses.map((a) => [a.analysis_id, a.meta_data]), [[finished.analysis_id, { cleared: true }], [running.analysis_id, {}]]);
    assert.equal(agg.folder.is_cleared, true);
    await s.collections.deletePerson(company, collection.collection_id, person.person_id); // the link is gone
  });

  test('retention walks a company\'s folders oldest first by cursor, up to a time; the cursor never moves back', async () => {
    const company = `retention-${randomUUID()}`;
    const folders = [50, 10, 40, 20, 30, 60].map((t) => folderRecord(company, t));
    for (const f of folders) await s.folders.createFolder(f, []);
    await s.folders.createFolder(folderRecord(`other-${company}`, 15), []);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: Awaited<ReturnType<StoragePorts['privacy']['listFoldersCreatedBefore']>> = await s.privacy.listFoldersCreatedBefore(company, 50, cursor, 2);
      seen.push(...page.items.map((i) => i.folder.time_created));
      if (page.items.length) assert.equal(page.items[page.items.length - 1]!.cursor, timeKey(page.items[page.items.length - 1]!.folder.time_created, page.items[page.items.length - 1]!.folder.folder_id));
      if (!page.next) break;
      cursor = page.next;
    }
    assert.deepEqual(seen, [10, 20, 30, 40, 50]);
    assert.deepEqual(await s.privacy.listFoldersCreatedBefore(company, 50, timeKey(51, ''), 2), { items: [], next: null });

    assert.equal(await s.privacy.getRetentionCursor(company), null);
    await s.privacy.advanceRetentionCursor(company, timeKey(30, 'b'));
    await s.privacy.advanceRetentionCursor(company, timeKey(20, 'a'));
    assert.equal(await s.privacy.getRetentionCursor(company), timeKey(30, 'b'));
    await s.privacy.advanceRetentionCursor(company, timeKey(40, 'c'));
    assert.equal(await s.privacy.getRetentionCursor(company), timeKey(40, 'c'));
  });

  // meta_data and reports -----------------------------------------------------------------------
  test('meta_data is replaced on each kind of object that carries it, and false for one that does not exist', async () => {
    const company = `meta-${randomUUID()}`;
    const folder = folderRecord(company, 1);
    const media = mediaRecord(folder, 2);
    await s.folders.createFolder(folder, [media]);
    const analysis = analysisRecord(folder, 3_000);
    await s.analyses.createAnalyses(folder, [analysis]);
    const collection = collectionRecord(company, 1);
    await s.collections.putCollection(collection);
    const person = personRecord(collection, 1);
    await s.collections.putPersonImages(person, [], true);
    const user = await newUser(deps, { email: `${company}@example.com`, password: 'meta-password', company_id: company, user_type: 'CLIENT' });
    const meta = { k: 'v', nested: { n: 1 } };
    const base = { company_id: company, folder_id: folder.folder_id };
    const targets = [
      { kind: 'FOLDER', ...base },
      { kind: 'MEDIA', ...base, id: media.media_id },
      { kind: 'ANALYSIS', ...base, id: analysis.analysis_id },
      { kind: 'COLLECTION', company_id: company, collection_id: collection.collection_id },
      { kind: 'PERSON', company_id: company, collection_id: collection.collection_id, person_id: person.person_id },
      { kind: 'USER', user_id: user.user_id },
    ] as const;
    for (const target of targets) assert.equal(await s.metaData.setMetaData(target, meta, 77), true, target.kind);
    const agg = (await s.folders.getFolder(company, folder.folder_id))!;
    const read = [agg.folder, agg.media[0]!, agg.analyses[0]!, await s.collections.getCollection(company, collection.collection_id), await s.collections.getPerson(company, collection.collection_id, person.person_id), await s.identity.getUser(user.user_id)];
    for (const r of read) assert.deepEqual([r!.meta_data, r!.time_updated], [meta, 77]);
    assert.equal(await s.metaData.setMetaData({ kind: 'MEDIA', ...base, id: randomUUID() }, meta, 78), false);
    assert.equal(await s.metaData.setMetaData({ kind: 'USER', user_id: randomUUID() }, meta, 78), false);
  });

  test('report templates with their attachments, and reports found by id in their folder', async () => {
    const company = `reports-${randomUUID()}`;
    const template = (t: number) => ({ report_template_id: randomUUID(), company_id: company, user_id: null, is_builtin: false, time_created: t, time_updated: t, name: `t${t}` }) as unknown as Parameters<StoragePorts['reports']['putTemplate']>[0];
    const [late, early] = [template(20), template(10)];
    for (const t of [late, early]) await s.reports.putTemplate(t);
    assert.deepEqual((await s.reports.listTemplates(company)).map((t) => t.report_template_id), [early.report_template_id, late.report_template_id]);
    assert.deepEqual(await s.reports.getTemplate(late.report_template_id), late);
    const attachment = (t: number, templateId = late.report_template_id) => ({ attachment_id: randomUUID(), report_template_id: templateId, company_id: company, kind: 'logo' as const, original_name: 'l.png', content_type: 'image/png', size: 1, width: 1, height: 1, time_created: t, blob_key: 'k' });
    const [a2, a1] = [attachment(2), attachment(1)];
    for (const a of [a2, a1]) assert.equal(await s.reports.putAttachment(a), true);
    assert.equal(await s.reports.putAttachment(attachment(3, randomUUID())), false); // no such template
    assert.deepEqual((await s.reports.listAttachments(late.report_template_id)).map((a) => a.attachment_id), [a1.attachment_id, a2.attachment_id]);
    assert.deepEqual(await s.reports.deleteAttachment(late.report_template_id, a1.attachment_id), a1);
    assert.equal(await s.reports.deleteAttachment(late.report_template_id, a1.attachment_id), null);
    assert.deepEqual(await s.reports.deleteTemplate(late), [a2]);
    assert.equal(await s.reports.getTemplate(late.report_template_id), null);
    assert.deepEqual(await s.reports.listAttachments(late.report_template_id), []);

    const folder = folderRecord(company, 1);
    await s.folders.createFolder(folder, []);
    const report = (t: number) => ({ report_id: randomUUID(), folder_id: folder.folder_id, company_id: company, user_id: 'u', report_template_id: early.report_template_id, file_name: 'r.pdf', size: 1, file_sha256: 'x', content_sha256: 'y', time_created: t, blob_key: 'k' });
    const [r2, r1] = [report(2), report(1)];
    for (const r of [r2, r1]) await s.reports.putReport(r);
    assert.deepEqual(await s.reports.getReport(r2.report_id), r2);
    assert.deepEqual((await s.reports.listFolderReports(company, folder.folder_id)).map((r) => r.report_id), [r1.report_id, r2.report_id]);
    assert.deepEqual((await s.folders.getFolder(company, folder.folder_id))!.media, []); // reports are not media
    await s.reports.deleteReport(r1);
    assert.equal(await s.reports.getReport(r1.report_id), null);
    assert.deepEqual((await s.reports.listFolderReports(company, folder.folder_id)).map((r) => r.report_id), [r2.report_id]);
  });

  // Event sessions ------------------------------------------------------------------------------
  const sdkEvent = (name: string, time: number) => ({ event: name, time, data: {} });

  test('event sessions append in place: time_created and meta_data stay, time_updated moves, the cap is refused as "full"', async () => {
    const company = randomUUID();
    const base = { session_id: 'sdk-1', company_id: company, user_id: 'u1', meta_data: { sdk: 'ios' } };
    const first = await s.eventSessions.appendEvents(base, [sdkEvent('a', 100)], 100, 3);
    assert.ok(first !== 'full');
    const second = await s.eventSessions.appendEvents({ ...base, user_id: 'u2', meta_data: { sdk: 'other' } }, [sdkEvent('b', 200), sdkEvent('c', 200)], 200, 3);
    assert.ok(second !== 'full');
    assert.deepEqual([second.time_created, second.time_updated, second.user_id, second.meta_data, second.events.map((e) => e.event)], [100, 200, 'u1', { sdk: 'ios' }, ['a', 'b', 'c']]);
    assert.equal(await s.eventSessions.appendEvents(base, [sdkEvent('d', 300)], 300, 3), 'full');
    assert.equal((await s.eventSessions.getEventSession(company, 'sdk-1'))!.events.length, 3, 'a refused append stores nothing');
    assert.equal(await s.eventSessions.getEventSession(randomUUID(), 'sdk-1'), null, 'another company has no such session');
  });

  test('each event-session index answers its time window in either order, with a limit, and only for its company', async () => {
    const company = randomUUID();
    // Created at 10, 20, 30; s10 updated last (at 40).
    for (const t of [10, 20, 30]) await s.eventSessions.appendEvents({ session_id: `s${t}`, company_id: company, user_id: 'u', meta_data: {} }, [sdkEvent('x', t)], t, 10);
    await s.eventSessions.appendEvents({ session_id: 's10', company_id: company, user_id: 'u', meta_data: {} }, [sdkEvent('y', 40)], 40, 10);
    await s.eventSessions.appendEvents({ session_id: 's15', company_id: randomUUID(), user_id: 'u', meta_data: {} }, [sdkEvent('x', 15)], 15, 10);
    const ids = async (q: Partial<EventSessionQuery>) => (await s.eventSessions.queryEventSessions({ company_id: company, by: 'time_created', newestFirst: false, ...q })).map((e) => e.session_id);
    assert.deepEqual(await ids({}), ['s10', 's20', 's30']);
    assert.deepEqual(await ids({ newestFirst: true }), ['s30', 's20', 's10']);
    assert.deepEqual(await ids({ min: 15, max: 30 }), ['s20', 's30']);
    assert.deepEqual(await ids({ max: 20, newestFirst: true, limit: 1 }), ['s20']);
    assert.deepEqual(await ids({ by: 'time_updated' }), ['s20', 's30', 's10']);
    assert.deepEqual(await ids({ by: 'time_updated', min: 35 }), ['s10']);
    assert.deepEqual(await ids({ by: 'time_updated', max: 25 }), ['s20']);
  });

  test('a deleted event session is gone from reads and from both time indexes; deleting it again is no error', async () => {
    const company = randomUUID();
    for (const id of ['keep', 'drop']) await s.eventSessions.appendEvents({ session_id: id, company_id: company, user_id: 'u', meta_data: {} }, [sdkEvent('x', 50)], 50, 10);
    await s.eventSessions.deleteEventSession(company, 'drop');
    await s.eventSessions.deleteEventSession(company, 'drop');
    await s.eventSessions.deleteEventSession(randomUUID(), 'keep');
    assert.equal(await s.eventSessions.getEventSession(company, 'drop'), null);
    for (const by of ['time_created', 'time_updated'] as const) {
      assert.deepEqual((await s.eventSessions.queryEventSessions({ company_id: company, by, newestFirst: false })).map((e) => e.session_id), ['keep'], by);
    }
  });

  test('what a caller does with a record it read or wrote changes nothing stored', async () => {
    const company = `copies-${randomUUID()}`;
    const folder = folderRecord(company, 1);
    await s.folders.createFolder(folder, []);
    folder.user_id = 'changed after writing';
    const read = (await s.folders.getFolder(company, folder.folder_id))!;
    read.folder.meta_data['x'] = 1;
    assert.deepEqual([(await s.folders.getFolder(company, folder.folder_id))!.folder.user_id, (await s.folders.getFolder(company, folder.folder_id))!.folder.meta_data], ['u', {}]);

    const events = [{ event: 'a', time: 1, data: {} }];
    const appended = await s.eventSessions.appendEvents({ session_id: 'copied', company_id: company, user_id: 'u', meta_data: {} }, events, 1, 10);
    assert.ok(appended !== 'full');
    events.push({ event: 'pushed after writing', time: 2, data: {} });
    appended.events.push({ event: 'pushed after reading', time: 3, data: {} });
    assert.deepEqual((await s.eventSessions.getEventSession(company, 'copied'))!.events.map((e) => e.event), ['a']);
  });
}
