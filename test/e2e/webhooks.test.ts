// Webhooks through the Step Functions workflow of the template, run locally by the ASL
// interpreter: retries with backoff, final failures, refused destinations, one notification per group.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import { ADMIN, OzClient, startRuntime, setFunctionEnv } from '../support/local';
import { startReceiver } from '../support/receiver';
import type { LocalRuntime } from '../../infra/local/runtime';
import { WEBHOOK_RETRY } from '../../infra/webhook-delivery';

let runtime: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let client: OzClient;
let companyId: string;
const saved = { ...process.env };

before(async () => {
  // The receiver runs on loopback: allowed only through the documented local-development switch.
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true';
  process.env.OZ_WEBHOOK_TIMEOUT_MS = '700';
  receiver = await startReceiver({
    '/flaky': (n) => (n <= 2 ? { status: 500, body: 'not yet' } : { status: 200, body: 'thanks' }),
    '/silent': () => 'hang',
    '/ok': () => ({ status: 204 }),
    '/to-metadata': () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }),
  });
  // Retry waits shortened for the test; attempts, errors and Catch are the deployed definition's.
  runtime = await startRuntime({ stepFunctionsRetryIntervalMs: 50 });
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  companyId = (await admin.request('POST', '/api/companies', { json: { name: 'Hooks Inc' } })).body.company_id;
  await admin.request('POST', '/api/users', { json: { credentials: { email: 'hooks@e2e.test', password: 'hooks-password-1' }, profile: { company_id: companyId, user_type: 'CLIENT_ADMIN' } } });
  client = new OzClient(runtime.url);
  await client.login('hooks@e2e.test', 'hooks-password-1');
});
after(async () => {
  await runtime?.stop();
  await receiver?.stop();
  process.env = saved;
});

const photo = () => sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toBuffer();

/** A folder notifying `endpoint`, with `analyses` quality analyses started in one group. */
async function folderWithGroup(endpoint: string, analyses = 1) {
  const upload = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await photo() }], { 'media:tags': { p: ['photo_selfie'] }, resolution_endpoint: endpoint });
  assert.equal(upload.status, 201, upload.text);
  const started = await client.request('POST', `/api/folders/${upload.body.folder_id}/analyses`, { json: { analyses: Array.from({ length: analyses }, () => ({ type: 'quality' })) } });
  assert.equal(started.status, 201, started.text);
  return upload.body.folder_id as string;
}

async function finalDeliveries(folderId: string) {
  for (let i = 0; i < 600; i++) {
    const list = (await client.request('GET', `/api/folders/${folderId}/webhooks/`)).body as { outcome: string }[];
    if (list.length > 0 && list.every((d) => d.outcome !== 'PENDING')) {
      await runtime.stepFunctions.idle();
      return (await client.request('GET', `/api/folders/${folderId}/webhooks`)).body as any[];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the delivery never ended');
}

test('a receiver that fails twice then succeeds gets the folder once it is delivered: 3 attempts, one id, signed', async () => {
  const folderId = await folderWithGroup(`${receiver.base}/flaky`);
  const [delivery, ...others] = await finalDeliveries(folderId);
  assert.equal(others.length, 0);
  assert.equal(delivery.outcome, 'DELIVERED');
  assert.equal(delivery.attempts, 3);
  assert.equal(delivery.last_status, 200);
  assert.equal(delivery.response_excerpt, 'thanks');
  const calls = receiver.received.filter((r) => r.path === '/flaky');
  assert.equal(calls.length, 3);
  assert.equal(new Set(calls.map((c) => c.headers['x-oz-webhook-id'])).size, 1, 'every retry carries the same delivery id');
  const last = calls.at(-1)!;
  const body = JSON.parse(last.body);
  assert.equal(body.folder_id, folderId);
  assert.equal(body.analyses.length, 1);
  assert.notEqual(body.analyses[0].state, 'PROCESSING');
  const { webhook_secret } = (await client.request('GET', `/api/companies/${companyId}/webhook_secret`)).body;
  const expected = `v1=${createHmac('sha256', webhook_secret).update(`${last.headers['x-oz-timestamp']}.${last.body}`).digest('hex')}`;
  assert.equal(last.headers['x-oz-signature'], expected);
});

test('a receiver that never answers: the bounded attempts run out and the final failure is recorded', async () => {
  const folderId = await folderWithGroup(`${receiver.base}/silent`);
  const [delivery] = await finalDeliveries(folderId);
  assert.equal(delivery.outcome, 'FAILED');
  assert.equal(delivery.attempts, WEBHOOK_RETRY.maxAttempts + 1);
  assert.match(delivery.last_error, /no answer within 700 ms/);
});

test('metadata and private destinations are refused without retries, and the refusal is recorded', async () => {
  // Given directly, the URL is refused when it is given, and no folder is stored.
  const given = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await photo() }], { 'media:tags': { p: ['photo_selfie'] }, resolution_endpoint: 'http://169.254.169.254/latest/meta-data/' });
  assert.equal(given.status, 400, given.text);
  assert.match(given.body.error_message, /metadata/);
  // Reached through a redirect, it is refused at delivery.
  const metadata = await folderWithGroup(`${receiver.base}/to-metadata`);
  const [refused] = await finalDeliveries(metadata);
  assert.equal(refused.outcome, 'FAILED');
  assert.equal(refused.attempts, 1);
  assert.match(refused.last_error, /metadata/);
  // A loopback URL given while private destinations are allowed, delivered after they no longer are.
  const upload = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await photo() }], { 'media:tags': { p: ['photo_selfie'] }, resolution_endpoint: `${receiver.base}/ok` });
  assert.equal(upload.status, 201, upload.text);
  setFunctionEnv('OZ_WEBHOOK_ALLOW_PRIVATE', 'false');
  try {
    const refusedNow = await client.upload('/api/folders', [{ field: 'p', name: 'p.png', bytes: await photo() }], { 'media:tags': { p: ['photo_selfie'] }, resolution_endpoint: `${receiver.base}/ok` });
    assert.equal(refusedNow.status, 400, refusedNow.text);
    const loopback = upload.body.folder_id as string;
    assert.equal((await client.request('POST', `/api/folders/${loopback}/analyses`, { json: { analyses: [{ type: 'quality' }] } })).status, 201);
    const [privateRefused] = await finalDeliveries(loopback);
    assert.equal(privateRefused.outcome, 'FAILED');
    assert.match(privateRefused.last_error, /loopback or private/);
  } finally {
    setFunctionEnv('OZ_WEBHOOK_ALLOW_PRIVATE', 'true');
  }
  assert.equal(receiver.received.filter((r) => r.path === '/ok').length, 0);
});

test('a group of several analyses notifies once, after all of them finish; a second group notifies again', async () => {
  const folderId = await folderWithGroup(`${receiver.base}/ok`, 3);
  const deliveries = await finalDeliveries(folderId);
  assert.equal(deliveries.length, 1);
  assert.equal(deliveries[0].outcome, 'DELIVERED');
  const calls = receiver.received.filter((r) => JSON.parse(r.body).folder_id === folderId);
  assert.equal(calls.length, 1);
  assert.ok(JSON.parse(calls[0]!.body).analyses.every((a: { state: string }) => a.state !== 'PROCESSING'));
  await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }] } });
  for (let i = 0; i < 300 && (await finalDeliveries(folderId)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await finalDeliveries(folderId)).length, 2);
});
