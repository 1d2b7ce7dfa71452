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
  deps = { store, blobs: { put: fail, get: fail, delete: fail, deletePrefix: fail, presignGet: fail, presignPut: fail }, queue: { enqueue: fail }, clock: { now: () => now }, ids: { uuid: randomUUID }, config: defaultConfig };
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
