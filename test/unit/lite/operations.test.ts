// The API Lite handler with a stand-in engine: what the local runtime cannot provoke (models that
// do not load, files over the gateway's payload limit, methods API Gateway sends elsewhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTemplate } from '../../../layers/vision';
import { liteConfigOf } from '../../../functions/lite/config';
import { coreConfigOf, loadConfig } from '../../../functions/config';
import { createLiteHandler } from '../../../functions/lite/operations';
import { liteMethodError } from '../../../functions/lite/methods';
import { ROUTES } from '../../../functions/api/route-table';
import { FAKE_JPEG, fakeEngine, jsonOf, liteEvent, multipartBody, structured, unitTemplate } from './helpers';

const config = liteConfigOf(coreConfigOf(loadConfig({})));
const handler = createLiteHandler(fakeEngine(), config);
const quiet = async <T>(fn: () => Promise<T>): Promise<T> => {
  const original = console.error;
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.error = original;
  }
};

test('every API Lite route of the table has an operation', async () => {
  for (const r of ROUTES.filter((x) => x.fn === 'lite')) {
    const res = structured(await handler(liteEvent(r.method, r.path, null)));
    assert.notEqual(res.statusCode, 404, `${r.method} ${r.path}`);
  }
});

test('health: status 0 when the models load, 3 with the reason when they do not', async () => {
  assert.deepEqual(jsonOf(await handler(liteEvent('GET', '/v1/face/pattern/health', null))), { status: 0, message: '' });
  const broken = createLiteHandler(fakeEngine({ warmUp: () => Promise.reject(new Error('fr_feature.onnx is missing')) }), config);
  for (const path of ['/v1/face/pattern/health', '/v1/face/liveness/health']) {
    const r = await quiet(() => broken(liteEvent('GET', path, null)));
    assert.equal(structured(r).statusCode, 200);
    const body = jsonOf(r);
    assert.equal(body.status, 3);
    assert.match(body.message, /inoperative: fr_feature\.onnx is missing/);
  }
});

test('version: core, tfss and models', async () => {
  assert.deepEqual(jsonOf(await handler(liteEvent('GET', '/version', null))), { core: '0.1.0', tfss: '1.0.0', models: [{ name: 'fr_detect', version: 'v1' }] });
});

test('a wrong method on an API Lite path is BPE-002002 / LDE-002002, also when it reaches the handler through $default', async () => {
  const r = await handler(liteEvent('GET', '/v1/face/pattern/extract/', null, {}, '$default'));
  assert.equal(structured(r).statusCode, 400);
  assert.equal(jsonOf(r).code, 'BPE-002002');
  assert.equal(jsonOf(liteMethodError('PUT', '/v1/face/liveness/detect')!).code, 'LDE-002002');
  assert.equal(jsonOf(liteMethodError('POST', '/version')!).code, 'BPE-002002');
  assert.equal(liteMethodError('GET', '/api/folders'), null);
  assert.equal(liteMethodError('POST', '/v1/face/pattern/extract'), null);
});

test('a file over 15 MB is refused before any decoding: LDE-002004 (detect) and BPE-002003 (samples)', async () => {
  const big = Buffer.concat([FAKE_JPEG, Buffer.alloc(15 * 1024 * 1024)]);
  const detect = await handler(liteEvent('POST', '/v1/face/liveness/detect', big, { 'content-type': 'image/jpeg' }));
  assert.equal(structured(detect).statusCode, 400);
  assert.equal(jsonOf(detect).code, 'LDE-002004');
  assert.match(jsonOf(detect).message, /over the limit of 15 MB per file/);
  const m = multipartBody([{ name: 'media_key1', filename: 'big.jpg', type: 'image/jpeg', body: big }]);
  const multi = jsonOf(await handler(liteEvent('POST', '/v1/face/liveness/detect', m.body, { 'content-type': m.contentType })));
  assert.equal(multi.code, 'LDE-002004');
  assert.match(multi.message, /"media_key1" part \(big\.jpg\) is 15\.0 MB/);
  const s = multipartBody([{ name: 'sample_1', body: big }, { name: 'sample_2', body: FAKE_JPEG }]);
  assert.equal(jsonOf(await handler(liteEvent('POST', '/v1/face/pattern/extract_and_compare', s.body, { 'content-type': s.contentType }))).code, 'BPE-002003');
});

test('detect takes at most 10 files', async () => {
  const parts = Array.from({ length: 11 }, (_, i) => ({ name: `media_key${i + 1}`, filename: `${i}.jpg`, type: 'image/jpeg', body: FAKE_JPEG }));
  const m = multipartBody(parts);
  const r = jsonOf(await handler(liteEvent('POST', '/v1/face/liveness/detect', m.body, { 'content-type': m.contentType })));
  assert.equal(r.code, 'LDE-002004');
  assert.match(r.message, /11 files in one request; at most 10/);
  const ten = multipartBody(parts.slice(0, 10));
  const ok = jsonOf(await handler(liteEvent('POST', '/v1/face/liveness/detect', ten.body, { 'content-type': ten.contentType })));
  assert.equal(ok.media.length, 10);
});

test('detect image form: {"passed", "score"} with passed = score below 0.5', async () => {
  for (const [spoof, passed] of [[0.2, true], [0.5, false], [0.9, false]] as const) {
    const h = createLiteHandler(fakeEngine({ analyze: async () => ({ framesScored: 1, framesWithFace: 1, confidenceSpoofing: spoof, models: {}, timings: {} }) }), config);
    const r = jsonOf(await h(liteEvent('POST', '/v1/face/liveness/detect', FAKE_JPEG, { 'content-type': 'image/png' })));
    assert.deepEqual(r, { passed, score: spoof });
  }
});

test('an unexpected failure is a 500 with the processor\'s internal code', async () => {
  const h = createLiteHandler(fakeEngine({ extract: () => Promise.reject(new TypeError('bug')) }), config);
  const r = await quiet(() => h(liteEvent('POST', '/v1/face/pattern/extract', FAKE_JPEG, { 'content-type': 'image/jpeg' })));
  assert.equal(structured(r).statusCode, 500);
  assert.deepEqual(jsonOf(r), { code: 'BPE-001001', message: 'Internal bioprocessor error' });
});

test('compare_n with the stand-in: results in request order, filenames from the parts', async () => {
  const t = (seed: number) => encodeTemplate(unitTemplate(seed));
  const m = multipartBody([
    { name: 'template_1', body: t(1) },
    { name: 'templates_n', filename: '1.template', body: t(2) },
    { name: 'templates_n', filename: '2.template', body: t(1) },
    { name: 'templates_n', body: t(3) },
  ]);
  const r = jsonOf(await handler(liteEvent('POST', '/v1/face/pattern/compare_n', m.body, { 'content-type': m.contentType })));
  assert.deepEqual(r, {
    results: [
      { filename: '1.template', score: 0.1, decision: 'declined' },
      { filename: '2.template', score: 1, decision: 'approved' },
      { filename: '3', score: 0.1, decision: 'declined' },
    ],
  });
});
