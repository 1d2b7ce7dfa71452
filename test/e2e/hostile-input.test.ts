// Hostile input against the local runtime (issue 15, "Crashes and 500s"): every case answers a
// documented 4xx (or is accepted under a documented rule), no answer is a 500, the process keeps
// serving, and nothing already stored changes (every table, bucket and queue compared).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import sharp from 'sharp';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ADMIN, OzClient, createLoggedInUser, startRuntime, type Answer } from '../support/local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
let admin: OzClient;
let client: OzClient;
let colleague: OzClient;
let adminId: string;
let companyId: string;
let folderId: string;
let jpeg: Buffer;
const saved = { ...process.env };
/** Every status this suite received, by case. */
const answers: { what: string; status: number }[] = [];

before(async () => {
  process.env.OZ_REQUEST_TIMEOUT_MS = '1500'; // the local front's wait for a declared body
  delete process.env.OZ_WEBHOOK_ALLOW_PRIVATE; // as deployed: private destinations refused
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  adminId = (await admin.login(ADMIN.email, ADMIN.password)).body.user.user_id;
  companyId = (await admin.request('POST', '/api/companies', { json: { name: 'Hostile Co' } })).body.company_id;
  client = (await createLoggedInUser(runtime.url, admin, { email: 'h1@hostile.test', password: 'hostile-pw-1' }, { company_id: companyId, user_type: 'CLIENT_ADMIN' })).client;
  colleague = (await createLoggedInUser(runtime.url, admin, { email: 'h2@hostile.test', password: 'hostile-pw-2' }, { company_id: companyId, user_type: 'CLIENT_ADMIN' })).client;
  jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 120, b: 80 } } }).jpeg().toBuffer();
  const folder = await client.upload('/api/folders', [{ field: 'photo1', name: 'p.jpg', bytes: jpeg }], { 'media:tags': { photo1: ['photo_selfie'] }, 'folder:meta_data': { kept: 'as it was' } });
  assert.equal(folder.status, 201, folder.text);
  folderId = folder.body.folder_id;
});
after(async () => {
  await runtime?.stop();
  process.env = saved;
});

async function expect(what: string, status: number | number[], call: Promise<Answer>): Promise<Answer> {
  const res = await call;
  answers.push({ what, status: res.status });
  const wanted = Array.isArray(status) ? status : [status];
  assert.ok(wanted.includes(res.status), `${what}: expected ${wanted.join(' or ')}, got ${res.status} ${res.text.slice(0, 300)}`);
  if (res.status >= 400 && res.status !== 405) {
    assert.equal(typeof res.body?.error_code, 'number', `${what}: the documented error body, got ${res.text.slice(0, 200)}`);
    assert.equal(typeof res.body?.error_message, 'string');
  }
  return res;
}

/** A raw request (fetch cannot send some of these), answered status and body. */
function raw(request: string, waitMs = 5000): Promise<{ status: number; text: string }> {
  const { port } = new URL(runtime.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${waitMs} ms`));
    }, waitMs);
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0), text: data });
    });
    socket.on('error', reject);
  });
}

async function everything() {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...common, endpoint: process.env.OZ_DYNAMODB_ENDPOINT });
  const s3 = new S3Client({ ...common, endpoint: process.env.OZ_S3_ENDPOINT, forcePathStyle: true });
  const sqs = new SQSClient({ ...common, endpoint: process.env.OZ_SQS_ENDPOINT });
  // Sessions are extended on use and throttling counters count: what a refused request may touch.
  const volatile = (pk: string) => /^(SESSION|REFRESH|THROTTLE|RATE)/.test(pk);
  const items = await Promise.all(
    Object.values(runtime.resources.tables).map(async (t) => {
      const all = (await ddb.send(new ScanCommand({ TableName: t }))).Items ?? [];
      return all.filter((i) => !volatile(i['pk']?.S ?? '')).map((i) => JSON.stringify(i)).sort();
    }),
  );
  const objects = await Promise.all(Object.values(runtime.resources.buckets).map(async (b) => (await s3.send(new ListObjectsV2Command({ Bucket: b }))).Contents?.map((o) => o.Key).sort() ?? []));
  const queues = await Promise.all(
    Object.values(runtime.resources.queues).map(async (q) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes),
  );
  return { items, objects, queues };
}

const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const mb = 'x'.repeat(1024 * 1024);
const HOSTILE_NUMBERS = ['1e200', '1e-200', '1e999', '-1e999'];
const photo = () => ({ field: 'photo1', name: 'p.jpg', bytes: jpeg });

test('what the rules accept: integers beyond 2^53 are kept exactly as strings, a malformed RFC 5987 filename is kept as sent', async () => {
  const res = await expect('big integer in meta_data', 200, client.request('PATCH', `/api/folders/${folderId}/meta_data`, { body: '{"transaction_id": 12345678901234567890}' }));
  assert.equal(res.body.meta_data.transaction_id, '12345678901234567890');
  const read = await client.request('GET', `/api/folders/${folderId}`);
  assert.equal(read.body.meta_data.transaction_id, '12345678901234567890');

  const boundary = 'hostileB';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo1"; filename*=UTF-8''%E0%A4%A\r\nContent-Type: image/jpeg\r\n\r\n`),
    jpeg,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{"media:tags": {"photo1": ["photo_selfie"]}}\r\n--${boundary}--\r\n`),
  ]);
  const added = await expect('malformed RFC 5987 filename', 201, client.request('POST', `/api/folders/${folderId}/media`, { body: body as unknown as string, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }));
  assert.equal(added.body[0].original_name, '%E0%A4%A');
});

test('hostile input: documented 4xx everywhere, no 500, and nothing stored changes', async () => {
  await runtime.stepFunctions.idle();
  const before = await everything();
  const folder = `/api/folders/${folderId}`;

  // 1. Malformed percent-encodings, without a token: 400, and the process keeps serving.
  for (const bad of ['%ZZ', '%C0%AE', '%ED%A0%80', '%E0%A4%A', '%']) {
    await expect(`GET /api/folders/${bad}`, 400, client.request('GET', `/api/folders/${bad}`, { token: null }));
    await expect(`DELETE /api/collections/${bad}/persons/x`, 400, client.request('DELETE', `/api/collections/${bad}/persons/x`, { token: null }));
  }
  const slashes = await raw('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  answers.push({ what: 'GET //', status: slashes.status });
  assert.ok(slashes.status >= 400 && slashes.status < 500, slashes.text);
  await expect('healthcheck after them', 200, client.request('GET', '/api/healthcheck'));

  // 2. Folder list time windows.
  for (const q of ['time_created.min=200&time_created.max=100', 'time_created.min=1e14', 'time_created.max=-5', 'time_created.min=1e300', 'time_created.max=1e999', 'time_created.min=abc']) {
    await expect(`GET /api/folders?${q}`, 400, client.request('GET', `/api/folders?${q}`));
  }

  // 3. Numbers DynamoDB cannot store, wherever JSON is sent.
  for (const n of HOSTILE_NUMBERS) {
    await expect(`meta_data ${n}`, 400, client.request('PATCH', `${folder}/meta_data`, { body: `{"n": ${n}}` }));
    await expect(`payload ${n}`, 400, client.request('POST', `${folder}/media`, { body: multipartWith(`{"media:tags": {"photo1": ["photo_selfie"]}, "folder:meta_data": {"n": ${n}}}`), headers: { 'content-type': 'multipart/form-data; boundary=hb' } }));
    await expect(`single-request payload ${n}`, 400, client.request('POST', '/api/folders', { body: multipartWith(`{"analyses": [{"type": "quality", "params": {"x": ${n}}}]}`), headers: { 'content-type': 'multipart/form-data; boundary=hb' } }));
    await expect(`analysis params ${n}`, 400, client.request('POST', `${folder}/analyses`, { body: `{"analyses": [{"type": "quality", "params": {"threshold_spoofing": ${n}}}]}` }));
    await expect(`company ${n}`, 400, admin.request('POST', '/api/companies', { body: `{"name": "n", "meta_data": {"n": ${n}}}` }));
    await expect(`collection ${n}`, 400, client.request('POST', '/api/collections', { body: `{"alias": "n", "company_id": "${companyId}", "meta_data": {"n": ${n}}}` }));
  }

  // 4. Empty and special keys, and the __proto__ way around the 64 KB limit.
  for (const key of ['', 'constructor', '__proto__']) {
    await expect(`meta_data key "${key}"`, 400, client.request('PATCH', `${folder}/meta_data`, { body: `{${JSON.stringify(key)}: {"x": 1}}` }));
    await expect(`nested key "${key}"`, 400, admin.request('PATCH', `/api/companies/${companyId}`, { body: `{"meta_data": {"a": {${JSON.stringify(key)}: 1}}}` }));
  }
  const proto = `{"__proto__": {"big": "${'y'.repeat(60_000)}", "more": "${'z'.repeat(60_000)}"}, "x": "${'w'.repeat(60_000)}"}`;
  await expect('__proto__ bypass', 400, client.request('PATCH', `${folder}/meta_data`, { body: proto }));
  await expect('70 KB of meta_data in small strings', 400, client.request('PATCH', `${folder}/meta_data`, { json: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v'.repeat(1000)])) }));
  await expect('64 KB counted in UTF-8 bytes', 400, client.request('PATCH', `${folder}/meta_data`, { json: { a: 'é'.repeat(20_000), b: 'é'.repeat(20_000) } }));

  // 5. Oversized values, ids, emails and nesting.
  await expect('1 MB in meta_data', 400, client.request('PATCH', `${folder}/meta_data`, { json: { big: mb } }));
  await expect('1 MB in params', 400, client.request('POST', `${folder}/analyses`, { json: { analyses: [{ type: 'quality', params: { note: mb } }] } }));
  await expect('1 MB alias', 400, client.request('POST', '/api/collections', { json: { alias: mb, company_id: companyId } }));
  await expect('1 MB resolution_endpoint', 400, client.request('POST', `${folder}/media`, { body: multipartWith(JSON.stringify({ resolution_endpoint: `https://example.com/${mb}` })), headers: { 'content-type': 'multipart/form-data; boundary=hb' } }));
  await expect('17 KB of params', 400, client.request('POST', `${folder}/analyses`, { json: { analyses: [{ type: 'quality', params: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`p${i}`, 'v'.repeat(1024)])) }] } }));
  const longId = 'a'.repeat(3000);
  for (const path of [`/api/folders/${longId}`, `/api/analyses/${longId}`, `/api/media/${longId}`, `/api/collections/${longId}`, `/api/users/${longId}`]) {
    await expect(`GET ${path.slice(0, 20)}… (3000-char id)`, 404, admin.request('GET', path));
  }
  await expect('PATCH meta_data of a 3000-char id', 404, client.request('PATCH', `/api/folders/${longId}/meta_data`, { json: { a: 1 } }));
  await expect('webhook secret of a 3000-char company', 404, admin.request('GET', `/api/companies/${longId}/webhook_secret`));
  await expect('login with a 3 KB email', 401, client.request('POST', '/api/authorize/auth', { json: { credentials: { email: `${longId}@x.test`, password: 'whatever-1' } }, token: null }));
  await expect('user with a 3 KB email', 400, admin.request('POST', '/api/users', { json: { credentials: { email: `${longId}@x.test`, password: 'whatever-pw-1' }, profile: { company_id: companyId, user_type: 'CLIENT' } } }));
  await expect('audit of a 3000-char object', [200], admin.request('GET', `/api/audit?object_type=FOLDER&object_id=${longId}`));
  for (const levels of [33, 100_000]) {
    await expect(`meta_data nested ${levels} levels`, 400, client.request('PATCH', `${folder}/meta_data`, { body: deep(levels) }));
    await expect(`payload nested ${levels} levels`, 400, client.request('POST', `${folder}/media`, { body: multipartWith(deep(levels)), headers: { 'content-type': 'multipart/form-data; boundary=hb' } }));
  }
  await expect('form field nested 100,000 levels', 400, client.request('POST', `${folder}/analyses`, { body: `analyses=${encodeURIComponent('['.repeat(100_000) + ']'.repeat(100_000))}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));

  // API Lite echoes its payload in the answer: the same JSON rules, in its own error terms.
  for (const payload of [`{"folder:meta_data": ${deep(100_000)}}`, '{"folder:meta_data": {"n": 1e999}}']) {
    const form = new FormData();
    form.append('media_key1', new Blob([jpeg], { type: 'image/jpeg' }), 'p.jpg');
    form.append('payload', payload);
    const lite = await fetch(`${runtime.url}/v1/face/liveness/detect`, { method: 'POST', body: form });
    answers.push({ what: `API Lite payload ${payload.slice(0, 30)}`, status: lite.status });
    assert.equal(lite.status, 400, await lite.text());
  }

  // 7. Webhook URLs judged when they are given.
  for (const url of ['ftp://example.com/hook', 'http://user:pw@example.com/hook', 'http://[::127.0.0.1]/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://[::ffff:7f00:1]/hook', 'http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:9/hook', 'http://localhost/hook', 'http://2130706433/', 'not a url', 'http://[fe80::1]/']) {
    await expect(`resolution_endpoint ${url}`, 400, client.upload('/api/folders', [photo()], { 'media:tags': { photo1: ['photo_selfie'] }, resolution_endpoint: url }));
  }

  // 8. The smaller holes.
  await expect('webhook secret of a company that does not exist', 404, admin.request('GET', '/api/companies/00000000-1111-2222-3333-444444444444/webhook_secret'));
  await expect('rotating it', 404, admin.request('POST', '/api/companies/00000000-1111-2222-3333-444444444444/webhook_secret'));
  await expect('ADMIN changing its own company_id', 403, admin.request('PATCH', `/api/users/${adminId}`, { json: { company_id: companyId } }));
  const timedOut = await raw(`POST /api/authorize/auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"credentials":`, 10_000);
  answers.push({ what: 'a declared body that never arrives', status: timedOut.status });
  assert.equal(timedOut.status, 408, timedOut.text);

  await runtime.stepFunctions.idle();
  assert.deepEqual(await everything(), before);
  await expect('healthcheck at the end', 200, client.request('GET', '/api/healthcheck'));
});

test('the Lambda router answers malformed percent-encodings with 400 too', async () => {
  const { handler } = await import('../../functions/api/handler');
  for (const bad of ['%ZZ', '%C0%AE', '%ED%A0%80']) {
    const event = {
      version: '2.0', routeKey: '$default', rawPath: `/api/folders/${bad}`, rawQueryString: '', headers: {},
      requestContext: { http: { method: 'GET', path: `/api/folders/${bad}`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' }, requestId: 'r' },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const res = (await handler(event)) as APIGatewayProxyStructuredResultV2;
    answers.push({ what: `Lambda router ${bad}`, status: res.statusCode ?? 0 });
    assert.equal(res.statusCode, 400, String(res.body));
    assert.equal(JSON.parse(String(res.body)).error_code, 4);
  }
});

test('an upload is claimable only by the user who asked for it', async () => {
  const upload = await expect('POST /api/uploads', 201, client.request('POST', '/api/uploads', { json: { content_type: 'image/jpeg' } }));
  // The presigned POST: its signed fields, then the file as the last field.
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([jpeg], { type: 'image/jpeg' }));
  const posted = await fetch(upload.body.upload_url, { method: 'POST', body: form });
  assert.ok(posted.status >= 200 && posted.status < 300, `the upload answered ${posted.status}`);
  const json = { 'media:uploads': { photo1: upload.body.upload_id }, 'media:tags': { photo1: ['photo_selfie'] } };
  await expect('a colleague naming it', 400, colleague.request('POST', '/api/folders', { json }));
  await expect('its owner naming it', 201, client.request('POST', '/api/folders', { json }));
});

test('no answer of this suite was a 500', (t) => {
  const byStatus = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
  t.diagnostic(`${answers.length} hostile requests, answered ${JSON.stringify(byStatus)}`);
  assert.ok(answers.length > 80, `${answers.length} answers`);
  assert.deepEqual(answers.filter((a) => a.status >= 500), []);
});

function multipartWith(payload: string): string {
  return `--hb\r\nContent-Disposition: form-data; name="payload"\r\n\r\n${payload}\r\n--hb--\r\n`;
}
