// API Lite over HTTP on the local runtime: every endpoint, the base64 variants, the documented
// errors, and the answers a client written from the documents' examples expects.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import sharp from 'sharp';
import { parseMultipart } from '../../functions/api/multipart';
import { sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA2 = 'faces/face_recognition/examples/obama2.jpg';
const BIDEN = 'faces/face_recognition/examples/biden.jpg';
const TWO_PEOPLE = 'faces/face_recognition/examples/two_people.jpg';
const missing = [OBAMA, OBAMA2, BIDEN].filter((f) => !sharedFile(f));
const skip = missing.length ? `../shared/data is absent (${missing[0]}): the API Lite e2e tests need the face photos` : false;

let runtime: LocalRuntime;
let obama: Buffer;
let obama2: Buffer;
let biden: Buffer;
let gray: Buffer;

before(async () => {
  if (skip) return;
  obama = fs.readFileSync(sharedFile(OBAMA)!);
  obama2 = fs.readFileSync(sharedFile(OBAMA2)!);
  biden = fs.readFileSync(sharedFile(BIDEN)!);
  gray = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
  runtime = await startRuntime();
});
after(async () => {
  await runtime?.stop();
});

interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  json: any;
}

async function call(method: string, path: string, body?: Buffer | string | FormData, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(runtime.url + path, { method, headers, body: body as RequestInit['body'] });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, bytes, text, json };
}

type FilePart = { name: string; bytes: Buffer | string; filename?: string; type?: string };

/** multipart/form-data as fetch builds it (every file part gets a Content-Type and a filename). */
function form(parts: FilePart[]): FormData {
  const f = new FormData();
  for (const p of parts) {
    if (typeof p.bytes === 'string' && p.type === undefined && p.filename === undefined) f.append(p.name, p.bytes);
    else f.append(p.name, new Blob([p.bytes], { type: p.type ?? 'application/octet-stream' }), p.filename ?? p.name);
  }
  return f;
}

const post = (path: string, parts: FilePart[], headers: Record<string, string> = {}) => call('POST', path, form(parts), headers);
const B64 = { 'Content-Transfer-Encoding': 'base64' };
const b64 = (b: Buffer) => b.toString('base64');

function expectError(r: Reply, code: string, status = 400, message?: RegExp) {
  assert.equal(r.status, status, r.text);
  assert.ok(r.text.startsWith(`{"code": "${code}", "message": "`), r.text);
  assert.equal(r.json.code, code);
  assert.ok(typeof r.json.message === 'string' && r.json.message.length > 10);
  if (message) assert.match(r.json.message, message);
}

async function extract(image: Buffer): Promise<Buffer> {
  const r = await call('POST', '/v1/face/pattern/extract', image, { 'Content-Type': 'image/jpeg' });
  assert.equal(r.status, 200, r.text);
  return r.bytes;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('GET /version and both health checks', { skip }, async () => {
  const v = await call('GET', '/version');
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.core, '0.1.0');
  assert.match(v.json.tfss, /^\d+\.\d+\.\d+$/);
  assert.ok(v.json.models.length >= 3);
  for (const m of v.json.models) assert.deepEqual(Object.keys(m), ['name', 'version']);
  assert.ok(v.json.models.some((m: any) => m.name === 'fr_feature'));
  for (const path of ['/v1/face/pattern/health', '/v1/face/liveness/health', '/v1/face/liveness/health/']) {
    const h = await call('GET', path);
    assert.equal(h.status, 200, `${path}: ${h.text}`);
    assert.deepEqual(h.json, { status: 0, message: '' });
  }
});

test('extract: a binary template, or base64 text with Content-Transfer-Encoding: base64', { skip }, async () => {
  const r = await call('POST', '/v1/face/pattern/extract', obama, { 'Content-Type': 'image/jpeg' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  assert.equal(r.bytes.length, 2068);
  assert.equal(r.bytes.toString('latin1', 0, 4), 'OZFT');
  const t = await call('POST', '/v1/face/pattern/extract', b64(obama), { 'Content-Type': 'image/jpeg', ...B64 });
  assert.equal(t.status, 200, t.text);
  assert.match(t.text, /^[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(Buffer.from(t.text, 'base64'), r.bytes, 'the same template either way');
  // A PNG is accepted too, whatever its label says.
  const png = await sharp(obama).png().toBuffer();
  const p = await call('POST', '/v1/face/pattern/extract', png, { 'Content-Type': 'image/jpeg' });
  assert.equal(p.status, 200, p.text);
});

test('compare: the same person approved, different people declined, a template with itself scores 1', { skip }, async () => {
  const [a, a2, b] = await Promise.all([extract(obama), extract(obama2), extract(biden)]);
  const compare = (x: Buffer, y: Buffer, headers: Record<string, string> = {}) => post('/v1/face/pattern/compare', [
    { name: 'bio_feature', bytes: x },
    { name: 'bio_template', bytes: y },
  ], headers);
  const same = await compare(a, a2);
  assert.equal(same.status, 200, same.text);
  assert.deepEqual(Object.keys(same.json), ['score', 'decision']);
  assert.ok(same.json.score >= 0.85, same.text);
  assert.equal(same.json.decision, 'approved');
  const diff = await compare(a, b);
  assert.ok(diff.json.score < 0.85, diff.text);
  assert.equal(diff.json.decision, 'declined');
  assert.deepEqual((await compare(a, a)).json, { score: 1, decision: 'approved' });
  // base64 templates in, with the header
  const viaB64 = await post('/v1/face/pattern/compare', [
    { name: 'bio_feature', bytes: b64(a), type: 'text/plain' },
    { name: 'bio_template', bytes: b64(a2), type: 'text/plain' },
  ], B64);
  assert.deepEqual(viaB64.json, same.json);
});

test('verify: a multipart/form-data answer with the score and the sample\'s template, parsed back', { skip }, async () => {
  const reference = await extract(obama2);
  const r = await post('/v1/face/pattern/verify', [
    { name: 'bio_template', bytes: reference },
    { name: 'sample', bytes: obama, type: 'image/jpeg', filename: 'obama.jpg' },
  ]);
  assert.equal(r.status, 200, r.text);
  const ct = r.headers.get('content-type')!;
  assert.match(ct, /^multipart\/form-data; boundary=/);
  const parts = parseMultipart(r.bytes, ct);
  assert.deepEqual(parts.map((p) => p.name), ['score', 'bio_feature']);
  const score = JSON.parse(parts[0]!.bytes.toString());
  assert.deepEqual(Object.keys(score), ['score']);
  assert.ok(score.score >= 0.85, JSON.stringify(score));
  assert.deepEqual(parts[1]!.bytes, await extract(obama), 'bio_feature is the template of the sample');
  // A standard client reads it with Response.formData().
  const parsed = await new Response(r.bytes, { headers: { 'content-type': ct } }).formData();
  assert.equal(JSON.parse(String(parsed.get('score'))).score, score.score);

  const viaB64 = await post('/v1/face/pattern/verify', [
    { name: 'bio_template', bytes: b64(reference) },
    { name: 'sample', bytes: b64(obama), type: 'image/jpeg' },
  ], B64);
  assert.equal(viaB64.status, 200, viaB64.text);
  const p64 = parseMultipart(viaB64.bytes, viaB64.headers.get('content-type')!);
  assert.deepEqual(Buffer.from(p64[1]!.bytes.toString(), 'base64'), parts[1]!.bytes, 'the template comes back in base64');
});

test('extract_and_compare: approved for one person, declined for two; base64 too; latency', { skip }, async (t) => {
  const same = await post('/v1/face/pattern/extract_and_compare', [
    { name: 'sample_1', bytes: obama, type: 'image/jpeg' },
    { name: 'sample_2', bytes: obama2, type: 'image/jpeg' },
  ]);
  assert.equal(same.status, 200, same.text);
  assert.equal(same.json.decision, 'approved', same.text);
  assert.ok(same.json.score >= 0.85);
  const diff = await post('/v1/face/pattern/extract_and_compare', [
    { name: 'sample_1', bytes: obama, type: 'image/jpeg' },
    { name: 'sample_2', bytes: biden, type: 'image/jpeg' },
  ]);
  assert.equal(diff.json.decision, 'declined', diff.text);
  const viaB64 = await post('/v1/face/pattern/extract_and_compare', [
    { name: 'sample_1', bytes: b64(obama) },
    { name: 'sample_2', bytes: b64(obama2) },
  ], B64);
  assert.deepEqual(viaB64.json, same.json);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const r = await post('/v1/face/pattern/extract_and_compare', [
      { name: 'sample_1', bytes: obama, type: 'image/jpeg' },
      { name: 'sample_2', bytes: obama2, type: 'image/jpeg' },
    ]);
    times.push(performance.now() - t0);
    assert.equal(r.status, 200);
  }
  t.diagnostic(`extract_and_compare (obama.jpg 280 KB + obama2.jpg 184 KB) over HTTP: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms of ${times.length}`);
});

test('a request built like the documents\' example (Content_type part headers, a dashed boundary) is answered', { skip }, async () => {
  const boundary = '--BOUNDARY--';
  const chunks: Buffer[] = [];
  for (const [name, bytes] of [['sample_1', obama], ['sample_2', obama2]] as const) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\nContent_type: image/jpeg\r\n\r\n`), bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const r = await call('POST', '/v1/face/pattern/extract_and_compare', Buffer.concat(chunks), { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.decision, 'approved');
});

test('compare_n, verify_n and extract_and_compare_n: results in request order with filenames', { skip }, async () => {
  const [a, a2, b] = await Promise.all([extract(obama), extract(obama2), extract(biden)]);
  const check = (r: Reply, names: string[], decisions: string[]) => {
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['results']);
    assert.deepEqual(r.json.results.map((x: any) => x.filename), names);
    assert.deepEqual(r.json.results.map((x: any) => x.decision), decisions);
    for (const x of r.json.results) assert.deepEqual(Object.keys(x), ['filename', 'score', 'decision']);
  };
  const templates: FilePart[] = [
    { name: 'templates_n', bytes: b, filename: '1.template' },
    { name: 'templates_n', bytes: a2, filename: '2.template' },
    { name: 'templates_n', bytes: a, filename: '3.template' },
  ];
  const n = await post('/v1/face/pattern/compare_n', [{ name: 'template_1', bytes: a }, ...templates]);
  check(n, ['1.template', '2.template', '3.template'], ['declined', 'approved', 'approved']);
  assert.equal(n.json.results[2].score, 1);
  check(await post('/v1/face/pattern/verify_n', [{ name: 'sample_1', bytes: obama, type: 'image/jpeg' }, ...templates]), ['1.template', '2.template', '3.template'], ['declined', 'approved', 'approved']);
  const samples: FilePart[] = [
    { name: 'samples_n', bytes: biden, filename: '1.jpeg', type: 'image/jpeg' },
    { name: 'samples_n', bytes: obama2, filename: '2.jpeg', type: 'image/jpeg' },
  ];
  check(await post('/v1/face/pattern/extract_and_compare_n', [{ name: 'sample_1', bytes: obama, type: 'image/jpeg' }, ...samples]), ['1.jpeg', '2.jpeg'], ['declined', 'approved']);
  // base64 everywhere
  const b64Samples = samples.map((s) => ({ ...s, bytes: b64(s.bytes as Buffer) }));
  check(await post('/v1/face/pattern/extract_and_compare_n', [{ name: 'sample_1', bytes: b64(obama) }, ...b64Samples], B64), ['1.jpeg', '2.jpeg'], ['declined', 'approved']);
  const b64Templates = templates.map((s) => ({ ...s, bytes: b64(s.bytes as Buffer) }));
  check(await post('/v1/face/pattern/verify_n', [{ name: 'sample_1', bytes: b64(obama) }, ...b64Templates], B64), ['1.template', '2.template', '3.template'], ['declined', 'approved', 'approved']);
  check(await post('/v1/face/pattern/compare_n', [{ name: 'template_1', bytes: b64(a) }, ...b64Templates], B64), ['1.template', '2.template', '3.template'], ['declined', 'approved', 'approved']);
});

test('detect, image form: {"passed", "score"}; a PNG labelled image/jpeg works; base64 too; latency', { skip }, async (t) => {
  const r = await call('POST', '/v1/face/liveness/detect', obama, { 'Content-Type': 'image/jpeg' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['passed', 'score']);
  assert.equal(typeof r.json.passed, 'boolean');
  assert.ok(r.json.score >= 0 && r.json.score <= 1);
  assert.equal(r.json.passed, r.json.score < 0.5);
  const png = await sharp(obama).png().toBuffer();
  const p = await call('POST', '/v1/face/liveness/detect', png, { 'Content-Type': 'image/jpeg' });
  assert.equal(p.status, 200, p.text);
  assert.equal(typeof p.json.passed, 'boolean');
  const viaB64 = await call('POST', '/v1/face/liveness/detect', b64(obama), { 'Content-Type': 'image/jpeg', ...B64 });
  assert.deepEqual(viaB64.json, r.json);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    assert.equal((await call('POST', '/v1/face/liveness/detect', obama, { 'Content-Type': 'image/jpeg' })).status, 200);
    times.push(performance.now() - t0);
  }
  t.diagnostic(`detect (obama.jpg, 280 KB) over HTTP: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms of ${times.length}`);
});

test('detect, multipart: the folder-like answer; extract_best_shot returns a decodable base64 JPEG', { skip }, async () => {
  const payload = {
    'folder:meta_data': { partner_side_folder_id: 'p-1', person_info: { first_name: 'John' } },
    resolution_endpoint: 'https://www.your-custom-endpoint.com',
    'media:meta_data': { media_key1: { foo: 'bar2' } },
    'media:tags': { media_key1: ['photo_selfie'], media_key2: ['photo_selfie'] },
    analyses: [{ type: 'quality', meta_data: { example1: 'some_example1' }, params: { threshold_spoofing: 1, extract_best_shot: true } }],
  };
  const r = await post('/v1/face/liveness/detect', [
    { name: 'media_key1', bytes: obama, filename: 'obama.jpg', type: 'multipart/form-data' },
    { name: 'media_key2', bytes: b64(obama2), filename: 'obama2.jpg' },
    { name: 'payload', bytes: JSON.stringify(payload) },
  ], B64);
  assert.equal(r.status, 200, r.text);
  const f = r.json;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(f.folder_id, uuid);
  assert.equal(f.company_id, null);
  assert.equal(f.resolution_status, 'FINISHED');
  assert.equal(f.resolution_endpoint, payload.resolution_endpoint);
  assert.deepEqual(f.meta_data, payload['folder:meta_data']);
  assert.equal(f.media.length, 2);
  assert.match(f.media[0].media_id, uuid);
  assert.equal(f.media[0].media_type, 'IMAGE_FOLDER');
  assert.deepEqual(f.media[0].tags, ['photo_selfie']);
  assert.deepEqual(f.media[0].meta_data, { foo: 'bar2' });
  assert.equal(f.media[0].original_name, 'obama.jpg');
  assert.equal(f.media[0].info.original['mime-type'], 'image/jpeg');
  assert.ok(f.media[0].info.original.width > 0);
  const a = f.analyses[0];
  assert.equal(a.type, 'QUALITY');
  assert.equal(a.state, 'FINISHED');
  assert.equal(a.confs.threshold_spoofing, 1);
  assert.equal(a.confs.extract_best_shot, true);
  assert.deepEqual(a.meta_data, { example1: 'some_example1' });
  assert.equal(a.resolution, 'SUCCESS', 'nothing scores above threshold 1');
  assert.equal(a.resolution_status, 'SUCCESS');
  assert.equal(f.system_resolution, 'SUCCESS');
  assert.equal(a.results_media.length, 2);
  for (const [i, rm] of a.results_media.entries()) {
    assert.equal(rm.source_media_id, f.media[i].media_id);
    assert.ok(rm.results_data.confidence_spoofing >= 0 && rm.results_data.confidence_spoofing <= 1);
    assert.equal(rm.output_images.length, 1);
    const shot = Buffer.from(rm.output_images[0].image_b64, 'base64');
    const meta = await sharp(shot).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, rm.output_images[0].info.original.width);
    assert.ok((meta.width ?? 0) > 100);
  }

  // threshold_spoofing 0: any score above it declines; no best shot unless asked.
  const strict = await post('/v1/face/liveness/detect', [
    { name: 'media_key1', bytes: obama, type: 'image/jpeg' },
    { name: 'payload', bytes: JSON.stringify({ analyses: [{ type: 'quality', params: { threshold_spoofing: 0 } }] }) },
  ]);
  assert.equal(strict.status, 200, strict.text);
  assert.equal(strict.json.analyses[0].resolution, 'DECLINED');
  assert.equal(strict.json.system_resolution, 'DECLINED');
  assert.deepEqual(strict.json.analyses[0].results_media[0].output_images, []);
  // No payload at all: one quality analysis with the defaults.
  const bare = await post('/v1/face/liveness/detect', [{ name: 'photo1', bytes: obama, type: 'image/jpeg' }]);
  assert.equal(bare.status, 200, bare.text);
  assert.equal(bare.json.analyses[0].confs.threshold_spoofing, 0.5);
});

test('detect, multipart: a media without a face fails the analysis, as in the full API', { skip }, async () => {
  const r = await post('/v1/face/liveness/detect', [{ name: 'media_key1', bytes: gray, type: 'image/jpeg' }]);
  assert.equal(r.status, 200, r.text);
  const a = r.json.analyses[0];
  assert.equal(a.state, 'FAILED');
  assert.equal(a.resolution, 'FAILED');
  assert.equal(a.error_code, 202);
  assert.match(a.error_message, /^Could not locate face on source media \[/);
  assert.equal(r.json.system_resolution, 'FAILED');
});

test('errors: wrong Content-Type (BPE-002001, LDE-002001) and wrong part Content-Type (BPE-002005, LDE-002005)', { skip }, async () => {
  expectError(await call('POST', '/v1/face/pattern/extract', obama, { 'Content-Type': 'application/json' }), 'BPE-002001');
  expectError(await call('POST', '/v1/face/pattern/extract', 'hello', { 'Content-Type': 'text/plain' }), 'BPE-002001');
  expectError(await call('POST', '/v1/face/pattern/compare', '{"bio_feature": "x"}', { 'Content-Type': 'application/json' }), 'BPE-002001', 400, /multipart\/form-data/);
  expectError(await call('POST', '/v1/face/liveness/detect', '{}', { 'Content-Type': 'application/json' }), 'LDE-002001');
  const template = await extract(obama);
  expectError(await post('/v1/face/pattern/compare', [{ name: 'bio_feature', bytes: template }, { name: 'bio_template', bytes: template, type: 'image/jpeg' }]), 'BPE-002005', 400, /"bio_template"/);
  expectError(await post('/v1/face/pattern/extract_and_compare', [{ name: 'sample_1', bytes: obama, type: 'image/jpeg' }, { name: 'sample_2', bytes: obama2, type: 'application/json' }]), 'BPE-002005', 400, /"sample_2"/);
  expectError(await post('/v1/face/liveness/detect', [{ name: 'media_key1', bytes: obama, type: 'application/json' }]), 'LDE-002005');
  expectError(await post('/v1/face/liveness/detect', [{ name: 'media_key1', bytes: obama, type: 'image/jpeg' }, { name: 'payload', bytes: '{not json' }]), 'LDE-002005', 400, /payload/);
});

test('errors: unreadable samples (BPE-002003, LDE-002004), no face (BPE-003002), two people (BPE-003003)', { skip }, async () => {
  expectError(await call('POST', '/v1/face/pattern/extract', Buffer.from('definitely not an image, just text bytes'), { 'Content-Type': 'image/jpeg' }), 'BPE-002003');
  expectError(await call('POST', '/v1/face/pattern/extract', obama.subarray(0, 2000), { 'Content-Type': 'image/jpeg' }), 'BPE-002003');
  expectError(await call('POST', '/v1/face/pattern/extract', '***', { 'Content-Type': 'image/jpeg', ...B64 }), 'BPE-002003', 400, /base64/);
  expectError(await post('/v1/face/pattern/extract_and_compare', [{ name: 'sample_1', bytes: obama, type: 'image/jpeg' }]), 'BPE-002003', 400, /"sample_2" part is missing/);
  expectError(await call('POST', '/v1/face/liveness/detect', Buffer.from('not an image at all, sorry'), { 'Content-Type': 'image/jpeg' }), 'LDE-002004');
  expectError(await call('POST', '/v1/face/pattern/extract', gray, { 'Content-Type': 'image/jpeg' }), 'BPE-003002', 400, /no face/);
  expectError(await post('/v1/face/pattern/extract_and_compare', [{ name: 'sample_1', bytes: obama, type: 'image/jpeg' }, { name: 'sample_2', bytes: gray, type: 'image/jpeg' }]), 'BPE-003002', 400, /"sample_2"/);
  expectError(await call('POST', '/v1/face/liveness/detect', gray, { 'Content-Type': 'image/jpeg' }), 'LDE-002004', 400, /no face/);
  const two = sharedFile(TWO_PEOPLE)
    ? fs.readFileSync(sharedFile(TWO_PEOPLE)!)
    : await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#888' } })
        .composite([
          { input: await sharp(obama).resize({ height: 600 }).toBuffer(), left: 0, top: 0 },
          { input: await sharp(biden).resize({ height: 600, width: 560, fit: 'cover' }).toBuffer(), left: 640, top: 0 },
        ])
        .jpeg()
        .toBuffer();
  expectError(await call('POST', '/v1/face/pattern/extract', two, { 'Content-Type': 'image/jpeg' }), 'BPE-003003');
});

test('errors: a corrupt template and a template of another model are BPE-002004', { skip }, async () => {
  const template = await extract(obama);
  const corrupt = Buffer.from(template);
  corrupt[100] = corrupt[100]! ^ 0xff;
  const otherModel = Buffer.from(template);
  for (let i = 8; i < 16; i++) otherModel[i] = otherModel[i]! ^ 0xff; // the model id in the header
  const compare = (x: Buffer | string, headers: Record<string, string> = {}) => post('/v1/face/pattern/compare', [{ name: 'bio_feature', bytes: template }, { name: 'bio_template', bytes: x }], headers);
  expectError(await compare(corrupt), 'BPE-002004', 400, /checksum/);
  expectError(await compare(otherModel), 'BPE-002004', 400, /another model/);
  expectError(await compare(template.subarray(0, 1000)), 'BPE-002004', 400, /truncated/);
  expectError(await compare(Buffer.from('not a template')), 'BPE-002004');
  expectError(await compare('@@@ not base64 @@@', B64), 'BPE-002004', 400, /base64/);
  expectError(await post('/v1/face/pattern/compare', [{ name: 'bio_feature', bytes: template }]), 'BPE-002004', 400, /"bio_template" part is missing/);
  expectError(await post('/v1/face/pattern/verify', [{ name: 'sample', bytes: obama, type: 'image/jpeg' }, { name: 'bio_template', bytes: otherModel }]), 'BPE-002004');
  expectError(await post('/v1/face/pattern/compare_n', [{ name: 'template_1', bytes: template }, { name: 'templates_n', bytes: template, filename: '1.template' }, { name: 'templates_n', bytes: corrupt, filename: '2.template' }]), 'BPE-002004', 400, /2\.template/);
});

test('limits: at most 10 files per detect; a file over 15 MB never passes', { skip }, async () => {
  const small = await sharp(obama).resize({ width: 200 }).jpeg().toBuffer();
  const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `media_key${i + 1}`, bytes: small, filename: `${i + 1}.jpg`, type: 'image/jpeg' }));
  expectError(await post('/v1/face/liveness/detect', eleven), 'LDE-002004', 400, /11 files in one request; at most 10/);
  // API Gateway's payload limit (10 MB, and Lambda's 6 MB event) binds before API Lite's 15 MB:
  // the gateway refuses it with a clear message (the handler's own 15 MB answer is unit-tested).
  const big = Buffer.concat([obama, Buffer.alloc(16 * 1024 * 1024 - obama.length)]);
  const r = await call('POST', '/v1/face/liveness/detect', big, { 'Content-Type': 'image/jpeg' });
  assert.equal(r.status, 413, r.text);
  assert.match(r.text, /larger than/);
});

test('a wrong method on an API Lite path answers BPE-002002 / LDE-002002', { skip }, async () => {
  for (const [path, code] of [['/v1/face/pattern/extract', 'BPE-002002'], ['/v1/face/liveness/detect/', 'LDE-002002']] as const) {
    const res = await fetch(runtime.url + path, { method: 'GET' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, code);
  }
});
