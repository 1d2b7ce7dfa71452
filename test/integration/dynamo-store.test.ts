// The DynamoStore adapter and the session rules against DynamoDB Local, with the table the CDK
// stack defines and a clock the test controls.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { createResourcesFromTemplate } from '../../infra/local/emulators/resources';
import { synthTemplate } from '../../infra/local/synth';
import { DynamoStore } from '../../layers/aws/dynamo-store';
import { DynamoReportStore } from '../../layers/aws/dynamo-report-store';
import { newUser } from '../../layers/core/admin';
import { authenticate, authorize, refresh } from '../../layers/core/auth';
import { defaultConfig, type CoreDeps } from '../../layers/core/deps';
import { ApiError } from '../../layers/core/errors';
import type { Analysis, Folder } from '../../layers/core/entities';

let dynamo: EmulatorHandle;
let store: DynamoStore;
let now = 1_800_000_000;
let deps: CoreDeps;

const fail = () => {
  throw new Error('unused');
};

before(async () => {
  dynamo = await startDynamoDbLocal({});
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const client = new DynamoDBClient({ ...common, endpoint: dynamo.endpoint });
  // Only the tables matter here; S3/SQS clients point nowhere and are never called for tables.
  const template = synthTemplate();
  const tablesOnly = { Resources: Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) };
  const resources = await createResourcesFromTemplate(tablesOnly, { dynamodb: client, s3: new S3Client(common), sqs: new SQSClient(common) });
  store = new DynamoStore(client, Object.values(resources.tables)[0]!);
  deps = { store, reports: new DynamoReportStore(client, Object.values(resources.tables)[0]!), blobs: { put: fail, get: fail, delete: fail, deletePrefix: fail, presignGet: fail, presignPost: fail, size: fail }, queue: { enqueue: fail }, clock: { now: () => now }, ids: { uuid: randomUUID }, config: defaultConfig };
});
after(async () => {
  await dynamo?.stop();
});

const expectApiError = async (promise: Promise<unknown>, status: number, code: number) => {
  await assert.rejects(promise, (err: unknown) => err instanceof ApiError && err.status === status && err.code === code);
};

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

test('folders: consistent reads right after creation, tenant-prefixed keys, listing newest first, conditional finish', async () => {
  const folder = (company: string, t: number): Folder => ({
    folder_id: randomUUID(), company_id: company, user_id: 'u', time_created: t, time_updated: t, resolution_endpoint: null, resolution_comment: '[]',
    resolution_time: null, resolution_author_id: null, resolution_state_hash: null, operator_comment: null, operator_status: null, is_cleared: null, meta_data: {}, technical_meta_data: {},
  });
  const a = folder('companyA', 100);
  const b = folder('companyA', 200);
  const other = folder('companyB', 150);
  for (const f of [a, b, other]) await store.createFolder(f, []);
  assert.deepEqual(await store.locate('FOLDER', a.folder_id), { company_id: 'companyA', folder_id: a.folder_id });
  assert.equal(await store.getFolder('companyB', a.folder_id), null); // the key carries the tenant
  const listed = await store.listFolders({ company_id: 'companyA', user_id: null, offset: 0, limit: 10 });
  assert.deepEqual(listed.items.map((i) => i.folder.folder_id), [b.folder_id, a.folder_id]);
  assert.equal((await store.listFolders({ company_id: 'companyA', user_id: null, time_created_min: 150, offset: 0, limit: 10 })).total, 1);

  const analysis: Analysis = {
    analysis_id: randomUUID(), group_id: 'g', folder_id: a.folder_id, company_id: 'companyA', folder_time_created: 100, type: 'QUALITY', state: 'PROCESSING', resolution: null,
    resolution_operator: null, source_media: [], params: {}, results_data: null, results_media: [], meta_data: {}, technical_meta_data: {}, error_code: null, error_message: null,
    time_created: 300, time_updated: 300, time_task_send_to_broker: 300, time_task_received: null, time_task_finished: null, attempts: 0,
  };
  await store.createAnalyses(a, [analysis]);
  const attempt = await store.startAttempt('companyA', a.folder_id, analysis.analysis_id, 301);
  assert.equal(attempt?.attempts, 1);
  assert.equal(await store.finishAnalysis({ ...attempt!, state: 'FINISHED', resolution: 'SUCCESS' }, []), true);
  // A redelivered job finds it final: no second write, no second attempt counted.
  assert.equal(await store.finishAnalysis({ ...attempt!, state: 'FAILED' }, []), false);
  assert.equal((await store.startAttempt('companyA', a.folder_id, analysis.analysis_id, 302))?.state, 'FINISHED');
  assert.equal((await store.getFolder('companyA', a.folder_id))!.analyses[0]!.state, 'FINISHED');
});

test('collection links: each person under their own collection; stray links of the old multi-collection bug hold nothing back and go with the analysis', async () => {
  const company = `links-${randomUUID()}`;
  const collection = (alias: string) => ({ collection_id: randomUUID(), company_id: company, alias, meta_data: {}, time_created: now, time_updated: now });
  const [first, second] = [collection('first'), collection('second')];
  for (const c of [first, second]) await store.putCollection(c);
  const person = (c: typeof first) => ({ person_id: randomUUID(), collection_id: c.collection_id, company_id: company, meta_data: {}, time_created: now, time_updated: now });
  const [p1, p2] = [person(first), person(second)];
  for (const p of [p1, p2]) await store.putPersonImages(p, [], true);
  const results_media = [p1, p2].map((p) => ({ source_media_id: 'm', media_association_id: 'm', results_data: null, output_images: [], collection_persons: [{ person_id: p.person_id, collection_id: p.collection_id }] }));
  const analysis = { analysis_id: randomUUID(), company_id: company, folder_id: 'f', results_media } as unknown as Analysis;
  await store.linkAnalysisToPersons(company, analysis.analysis_id, [
    { collection_id: first.collection_id, person_id: p1.person_id },
    { collection_id: second.collection_id, person_id: p2.person_id },
  ]);
  // What the old version wrote besides: the second collection's person under the first collection.
  await store.linkAnalysisToPersons(company, analysis.analysis_id, [{ collection_id: first.collection_id, person_id: p2.person_id }]);
  await assert.rejects(store.deletePerson(company, second.collection_id, p2.person_id), /related analyses/);
  await assert.rejects(store.deleteCollection(company, first.collection_id), /related analyses/);
  await store.deleteAnalysis(analysis, []);
  await store.deleteCollection(company, first.collection_id);
  await store.deleteCollection(company, second.collection_id);
  assert.equal(await store.getCollection(company, first.collection_id), null);

  // A stray link alone (its person lives elsewhere) does not hold a collection back.
  const [third, fourth] = [collection('third'), collection('fourth')];
  for (const c of [third, fourth]) await store.putCollection(c);
  const p4 = person(fourth);
  await store.putPersonImages(p4, [], true);
  await store.linkAnalysisToPersons(company, randomUUID(), [{ collection_id: third.collection_id, person_id: p4.person_id }]);
  await store.deleteCollection(company, third.collection_id);
  assert.equal(await store.getCollection(company, third.collection_id), null);
});

test('keys no item can have and reversed windows read as nothing, not as DynamoDB errors', async () => {
  const long = 'x'.repeat(3000);
  assert.equal(await store.getCompany(long), null);
  assert.equal(await store.locate('FOLDER', long), null);
  assert.equal(await store.getUserByEmail(`${long}@example.com`), null);
  assert.deepEqual(await store.listFolders({ company_id: 'companyA', user_id: null, time_created_min: 500, time_created_max: 100, offset: 0, limit: 10 }), { total: 0, items: [] });
  assert.deepEqual(await store.listFolders({ company_id: long, user_id: null, offset: 0, limit: 10 }), { total: 0, items: [] });
  assert.deepEqual(await store.listAuditEntries({ company_id: null, object_type: 'FOLDER', object_id: long, offset: 0, limit: 10 }), { items: [], has_more: false });
});

test('the "all" index is sharded: global folder and audit listings merge the shards newest first and page with DynamoDB\'s own paging', async () => {
  const folder = (company: string, t: number, user = 'u'): Folder => ({
    folder_id: randomUUID(), company_id: company, user_id: user, time_created: t, time_updated: t, resolution_endpoint: null, resolution_comment: '[]',
    resolution_time: null, resolution_author_id: null, resolution_state_hash: null, operator_comment: null, operator_status: null, is_cleared: null, meta_data: {}, technical_meta_data: {},
  });
  // 40 folders over 4 companies, at distinct times far from the other tests' folders.
  const made: Folder[] = [];
  for (let i = 0; i < 40; i++) made.push(folder(`shard-co-${i % 4}`, 5_000_000 + i, i % 2 ? 'odd' : 'even'));
  for (const f of made) await store.createFolder(f, []);
  const newestFirst = [...made].reverse().map((f) => f.folder_id);
  const range = { time_created_min: 5_000_000, time_created_max: 5_000_100 };
  const all = await store.listFolders({ company_id: null, user_id: null, ...range, offset: 0, limit: 100 });
  assert.equal(all.total, 40);
  assert.deepEqual(all.items.map((i) => i.folder.folder_id), newestFirst);
  // Pages: offset and limit as documented, the same order, nothing skipped or repeated.
  const pages: string[] = [];
  for (let offset = 0; offset < 40; offset += 7) {
    const page = await store.listFolders({ company_id: null, user_id: null, ...range, offset, limit: 7 });
    assert.equal(page.total, 40);
    pages.push(...page.items.map((i) => i.folder.folder_id));
  }
  assert.deepEqual(pages, newestFirst);
  // A user's own folders are filtered by DynamoDB, with the right total.
  const mine = await store.listFolders({ company_id: 'shard-co-1', user_id: 'odd', ...range, offset: 2, limit: 3 });
  const expected = newestFirst.filter((id) => made.find((f) => f.folder_id === id)!.company_id === 'shard-co-1');
  assert.equal(mine.total, expected.length);
  assert.deepEqual(mine.items.map((i) => i.folder.folder_id), expected.slice(2, 5));
  // The writes went to several partitions of the index, none of them the old constant key.
  const doc = (store as unknown as { doc: { send(c: unknown): Promise<{ Items?: Record<string, unknown>[] }> } }).doc;
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const table = (store as unknown as { table: string }).table;
  const shards = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const out = await doc.send(new QueryCommand({ TableName: table, IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': `FOLDER#${i}` } }));
    if ((out.Items ?? []).some((item) => made.some((f) => f.folder_id === (item['data'] as Folder).folder_id))) shards.add(`FOLDER#${i}`);
  }
  assert.ok(shards.size >= 4, `40 folders landed in ${shards.size} shards`);

  // Audit: the global feed is sharded too; has_more says whether a next page exists. Times after
  // every other test's entries, so these are the newest.
  const T = 2_000_000_000;
  for (let i = 0; i < 12; i++) {
    await store.putAuditEntry({ audit_id: randomUUID(), time_created: T + i, company_id: `audit-co-${i % 3}`, user_id: null, email: null, user_type: null, object_type: 'COMPANY', object_id: `audit-co-${i % 3}`, action: 'updated', changes: {} });
  }
  const first = await store.listAuditEntries({ company_id: null, offset: 0, limit: 5 });
  assert.equal(first.items.length, 5);
  assert.equal(first.has_more, true);
  assert.deepEqual(first.items.map((e) => e.time_created), [T + 11, T + 10, T + 9, T + 8, T + 7]);
  const second = await store.listAuditEntries({ company_id: null, offset: 5, limit: 5 });
  assert.deepEqual(second.items.map((e) => e.time_created), [T + 6, T + 5, T + 4, T + 3, T + 2]);
  const companyFeed = await store.listAuditEntries({ company_id: 'audit-co-0', offset: 1, limit: 10 });
  // audit-co-0's entries are T, T+3, T+6, T+9: newest first, after the first.
  assert.deepEqual(companyFeed.items.map((e) => e.time_created), [T + 6, T + 3, T]);
  assert.equal(companyFeed.has_more, false);
});
