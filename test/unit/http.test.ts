import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseMultipart } from '../../functions/api/multipart';
import { jsonBody, ozJson, toRequest, uploadBody, errorResponse } from '../../functions/api/http';
import { ApiError } from '../../layers/core/errors';

const CRLF = '\r\n';
function multipart(boundary: string, parts: { headers: string[]; body: Buffer | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}${CRLF}${p.headers.join(CRLF)}${CRLF}${CRLF}`), Buffer.from(p.body), Buffer.from(CRLF));
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

function event(body: Buffer, contentType: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0', routeKey: 'POST /api/folders', rawPath: '/api/folders', rawQueryString: '', headers: { 'Content-Type': contentType },
    requestContext: { http: { method: 'POST', path: '/api/folders', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } } as APIGatewayProxyEventV2['requestContext'],
    body: body.toString('base64'), isBase64Encoded: true,
  };
}

test('multipart keeps binary parts intact whatever their headers say (Android sends multipart/form-data parts)', () => {
  const binary = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0x80, 0xfe]);
  const body = multipart('XyZ', [
    { headers: ['Content-Disposition: form-data; name="video_0"', 'Content-Type: multipart/form-data'], body: binary },
    { headers: ['Content-Disposition: form-data; name="payload"'], body: '{"media:tags": {"video_0": ["video_selfie"]}}' },
    { headers: ['Content-Disposition: form-data; name="photo1"; filename="a b.jpg"', 'Content-Type: image/jpeg'], body: binary },
  ]);
  const parts = parseMultipart(body, 'multipart/form-data; boundary=XyZ');
  assert.equal(parts.length, 3);
  assert.deepEqual(parts[0]!.bytes, binary);
  assert.equal(parts[0]!.filename, null);
  assert.equal(parts[2]!.filename, 'a b.jpg');
  const upload = uploadBody(toRequest(event(body, 'multipart/form-data; boundary=XyZ')));
  assert.deepEqual(upload.files.map((f) => f.field), ['video_0', 'photo1']);
  assert.deepEqual(upload.payload, { 'media:tags': { video_0: ['video_selfie'] } });
});

test('multipart: a text part "undefined" is ignored, a truncated body is a clean 400', () => {
  const body = multipart('b', [
    { headers: ['Content-Disposition: form-data; name="payload"'], body: 'undefined' },
    { headers: ['Content-Disposition: form-data; name="extra"'], body: 'undefined' },
  ]);
  const upload = uploadBody(toRequest(event(body, 'multipart/form-data; boundary=b')));
  assert.deepEqual(upload.files, []);
  assert.deepEqual(upload.payload, {});
  const truncated = body.subarray(0, body.length - 20);
  assert.throws(() => parseMultipart(truncated, 'multipart/form-data; boundary=b'), (err: unknown) => err instanceof ApiError && err.status === 400 && err.code === 3);
  assert.throws(() => uploadBody(toRequest(event(Buffer.from('{"a":1}'), 'application/json'))), (err: unknown) => err instanceof ApiError && err.status === 400);
});

test('JSON bodies are sniffed whatever the Content-Type', () => {
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/json', '']) {
    const req = toRequest({ ...event(Buffer.from('{"credentials": {"email": "a@b.c"}}'), type), isBase64Encoded: false, body: '{"credentials": {"email": "a@b.c"}}' });
    assert.deepEqual(jsonBody(req), { credentials: { email: 'a@b.c' } });
  }
  const bad = toRequest({ ...event(Buffer.from(''), 'application/json'), isBase64Encoded: false, body: '{nope' });
  assert.throws(() => jsonBody(bad), (err: unknown) => err instanceof ApiError && err.code === 3);
});

test('answers use Python separators so text-matching clients work; errors start with error_code', () => {
  assert.equal(ozJson({ error_code: 7, error_message: 'x', details: null }), '{"error_code": 7, "error_message": "x", "details": null}');
  assert.equal(ozJson({ a: [1, 2.5, 'z'], b: { c: true } }), '{"a": [1, 2.5, "z"], "b": {"c": true}}');
  assert.equal(ozJson({ time_created: 1744017549.366616, expire_date: 5.5, n: 2.5 }, true), '{"time_created": 1744017549, "expire_date": 5, "n": 2.5}');
  const res = errorResponse(new ApiError(404, 10, 'Folder not found')) as { statusCode: number; body: string };
  assert.equal(res.statusCode, 404);
  assert.ok(res.body.startsWith('{"error_code": 10, '));
  const crash = errorResponse(new Error('secret internals')) as { statusCode: number; body: string };
  assert.equal(crash.statusCode, 500);
  assert.ok(!crash.body.includes('secret'));
});
