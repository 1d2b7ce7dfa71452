// Single request and the Instant API over HTTP, with the proof that Instant stores nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ADMIN, OzClient, sharedFile, startRuntime, setFunctionEnv } from '../support/local';
import { startReceiver } from '../support/receiver';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import type { LocalRuntime } from '../../infra/local/runtime';

const FACE = 'faces/face_recognition/examples/obama.jpg';
const skip = sharedFile(FACE) ? false : `../shared/data/${FACE} is absent`;
let runtime: LocalRuntime;
let client: OzClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const saved = { ...process.env };

before(async () => {
  if (skip) return;
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true';
  receiver = await startReceiver({ '/hook': () => ({ status: 200 }) });
  runtime = await startRuntime();
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Sync Co' } })).body.company_id;
  await admin.request('POST', '/api/users', { json: { credentials: { email: 's@e2e.test', password: 'sync-password-1' }, profile: { company_id: company, user_type: 'CLIENT' } } });
  client = new OzClient(runtime.url);
  await client.login('s@e2e.test', 'sync-password-1');
});
after(async () => {
  await runtime?.stop();
  await receiver?.stop();
  process.env = saved;
});

const photo = () => ({ field: 'media_key1', name: 'selfie.jpg', bytes: fs.readFileSync(sharedFile(FACE)!) });
const payload = (extra: object = {}) => ({ 'media:tags': { media_key1: ['photo_selfie'] }, analyses: [{ type: 'quality', params: { threshold_spoofing: 0.6, extract_best_shot: true } }], ...extra });

test('single request: the folder comes back with finished analyses, and the webhook still fires', { skip }, async () => {
  const res = await client.upload('/api/folders/', [photo()], payload({ resolution_endpoint: `${receiver.base}/hook` }));
  assert.equal(res.status, 201, res.text);
  assert.notEqual(res.body.resolution_status, 'PROCESSING');
  const [a] = res.body.analyses;
  assert.equal(a.state, 'FINISHED', JSON.stringify(a));
  assert.equal(typeof a.results_media[0].results_data.confidence_spoofing, 'number');
  assert.equal(a.confs.threshold_spoofing, 0.6);
  for (let i = 0; i < 100 && !receiver.received.some((r) => r.body.includes(res.body.folder_id)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(receiver.received.some((r) => r.body.includes(res.body.folder_id)), 'the webhook arrived');
});

async function everything() {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...common, endpoint: process.env.OZ_DYNAMODB_ENDPOINT });
  const s3 = new S3Client({ ...common, endpoint: process.env.OZ_S3_ENDPOINT, forcePathStyle: true });
  const sqs = new SQSClient({ ...common, endpoint: process.env.OZ_SQS_ENDPOINT });
  // Metering counts Instant analyses (counters without personal data, USAGE# items, and their usage events): left out here.
  const items = await Promise.all(Object.values(runtime.resources.tables).map(async (t) => JSON.stringify((await ddb.send(new ScanCommand({ TableName: t }))).Items?.filter((i) => !i['pk']?.S?.startsWith('USAGE#')))));
  const objects = await Promise.all(Object.values(runtime.resources.buckets).map(async (b) => JSON.stringify((await s3.send(new ListObjectsV2Command({ Bucket: b }))).Contents?.map((o) => o.Key) ?? [])));
  const queues = await Promise.all(
    Object.entries(runtime.resources.queues).filter(([id]) => !id.startsWith('UsageEventQueue')).map(async ([, q]) => JSON.stringify((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes)),
  );
  return { items, objects, queues };
}

test('Instant API: results with a base64 best shot, temporary ids, and nothing written to any table, bucket or queue', { skip }, async () => {
  await runtime.stepFunctions.idle();
  const before = await everything();
  const res = await client.upload('/api/instant/folders/', [photo()], payload({ 'folder:meta_data': { partner_side_folder_id: 'x' } }));
  assert.equal(res.status, 200, res.text);
  const [a] = res.body.analyses;
  assert.equal(a.state, 'FINISHED', JSON.stringify(a));
  assert.equal(res.body.resolution_status, 'FINISHED');
  const shot = a.results_media[0].output_images[0];
  assert.equal(shot.original_url, null);
  assert.deepEqual([...Buffer.from(shot.image_b64, 'base64').subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.deepEqual(await everything(), before);
  assert.equal((await client.request('GET', `/api/folders/${res.body.folder_id}`)).status, 404);
});

test('Instant API: refuses collection analyses and requires a token unless authorization is switched off', { skip }, async () => {
  const collection = await client.upload('/api/instant/folders', [photo()], payload({ analyses: [{ type: 'collection' }] }));
  assert.equal(collection.status, 400);
  assert.match(collection.body.error_message, /not available in the Instant API/);
  const anonymous = new OzClient(runtime.url);
  assert.equal((await anonymous.upload('/api/instant/folders', [photo()], payload())).status, 401);
  setFunctionEnv('OZ_AUTHORIZE_DISABLED_STATELESS', 'true');
  try {
    const open = await anonymous.upload('/api/instant/folders', [photo()], payload());
    assert.equal(open.status, 200, open.text);
    assert.equal(open.body.company_id, null);
  } finally {
    setFunctionEnv('OZ_AUTHORIZE_DISABLED_STATELESS', undefined);
  }
});
