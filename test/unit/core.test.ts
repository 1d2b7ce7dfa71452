import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisRequests } from '../../layers/core/analyses';
import { parseUploadPayload, validateRequest } from '../../functions/api/schemas/validate';
import type { Request } from '../../functions/api/http';
import { hashPassword, verifyPassword, newToken } from '../../layers/core/passwords';
import { ApiError } from '../../layers/core/errors';
import { metaDataFilter, uploadPayload } from '../../layers/core/folders';
import { LIMITS } from '../../layers/core/limits';

test('analysis types in any case, the iOS "liveness", params at the top level and source_media in params', () => {
  const parsed = analysisRequests(
    [{ type: 'quality', params: { threshold_spoofing: 0.4 } }, { type: 'LIVENESS' }, { type: 'Collection', params: { source_media: ['m1'] } }],
    { extract_best_shot: false },
  );
  assert.deepEqual(parsed.map((p) => p.type), ['QUALITY', 'QUALITY', 'COLLECTION']);
  assert.deepEqual(parsed[0]!.params, { extract_best_shot: false, threshold_spoofing: 0.4 });
  assert.deepEqual(parsed[2]!.source_media, ['m1']);
  assert.equal(parsed[1]!.source_media, null);
});

// The route's schema (the edge) and then the core, as a request meets them.
const startRequest = (body: unknown) => {
  const request: Request = { method: 'POST', path: '/', routeKey: '', params: {}, query: {}, headers: { 'x-forensic-access-token': 'a' }, body: Buffer.from(JSON.stringify(body)) };
  const parsed = validateRequest('POST /api/folders/{folder_id}/analyses', request).body as { analyses: Parameters<typeof analysisRequests>[0]; params?: Parameters<typeof analysisRequests>[1] };
  return analysisRequests(parsed.analyses, parsed.params);
};

test('bad analyses requests are clean 400s with the documented codes', () => {
  const code = (body: unknown) => {
    try {
      startRequest(body);
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 400);
      return err.code;
    }
    assert.fail('expected an error');
  };
  assert.equal(code({}), 3);
  assert.equal(code({ analyses: [] }), 3);
  assert.equal(code({ analyses: [{ type: 'teleport' }] }), 4);
  assert.equal(code({ analyses: [{ type: 'quality', params: { threshold_spoofing: 2 } }] }), 4);
  assert.equal(code({ analyses: [{ type: 'quality', params: { extract_best_shot: 'yes' } }] }), 5);
  assert.equal(code({ analyses: [{ type: 'quality', source_media: 'x' }] }), 3, 'a container of the wrong kind is a wrong structure');
  assert.equal(code({ analyses: Array.from({ length: 21 }, () => ({ type: 'quality' })) }), 4);
});

test('payload: tags must be arrays of strings; metadata objects; null is none; the webhook judged by the configuration', () => {
  const config = { webhookAllowPrivate: false };
  const parsed = parseUploadPayload({ 'media:tags': { v: ['video_selfie'] }, 'folder:meta_data': { k: 1 }, resolution_endpoint: 'https://x.example', 'media:meta_data': null });
  const p = uploadPayload(parsed, config);
  assert.deepEqual([p.tags, p.folderMeta, p.mediaMeta], [{ v: ['video_selfie'] }, { k: 1 }, {}]);
  assert.equal(p.resolutionEndpoint, 'https://x.example');
  const payloadCode = (payload: unknown) => {
    try {
      parseUploadPayload(payload);
    } catch (e) {
      assert.ok(e instanceof ApiError);
      return e.code;
    }
    return assert.fail(`accepted ${JSON.stringify(payload)}`);
  };
  assert.equal(payloadCode({ 'media:tags': { v: 'video_selfie' } }), 4);
  assert.equal(payloadCode({ 'media:tags': { v: Array.from({ length: LIMITS.tagsPerMedia + 1 }, () => 'tag') } }), 4);
  assert.equal(payloadCode({ 'folder:meta_data': 'x' }), 4);
  assert.equal(payloadCode({ 'media:uploads': { v: '../other-user/file' } }), 4);
  assert.equal(payloadCode(['not', 'an', 'object']), 3);
  assert.equal(payloadCode({ analyses: [] }), 3);
  assert.throws(() => uploadPayload(parseUploadPayload({ resolution_endpoint: 'http://127.0.0.1/hook' }), config), (e: unknown) => e instanceof ApiError && e.code === 4);
  assert.equal(uploadPayload(parseUploadPayload({ resolution_endpoint: 'http://127.0.0.1/hook' }), { webhookAllowPrivate: true }).resolutionEndpoint, 'http://127.0.0.1/hook');
});

test('passwords: scrypt hashes verify, and tokens are lower-case hex', async () => {
  const hash = await hashPassword('correct horse');
  assert.ok(hash.startsWith('scrypt$'));
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('wrong horse', hash), false);
  assert.match(newToken(), /^[0-9a-f]{48}$/);
});

test('meta_data filters: key==value pairs, dotted paths, exact string match', () => {
  const match = metaDataFilter('transaction_id==42,person_info.iin==123');
  assert.equal(match({ transaction_id: 42, person_info: { iin: '123' } }), true);
  assert.equal(match({ transaction_id: '42', person_info: { iin: '1234' } }), false);
  assert.equal(match({ transaction_id: '42' }), false);
  assert.throws(() => metaDataFilter('transaction_id=42'), (e: unknown) => e instanceof ApiError && e.code === 4);
  // Inherited properties are not meta_data.
  assert.equal(metaDataFilter('constructor.name==Object')({}), false);
  assert.equal(metaDataFilter('toString.length==0')({ a: 1 }), false);
});
