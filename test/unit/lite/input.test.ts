import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTemplate } from '../../../layers/vision';
import { toRequest } from '../../../functions/api/http';
import { LiteError } from '../../../functions/lite/errors';
import {
  checkSize,
  decodeBase64Text,
  isImageBodyType,
  isMediaBytes,
  isTemplateBytes,
  manyParts,
  mimeOf,
  multipartParts,
  onePart,
  partTypeFits,
  readContent,
  wantsBase64,
} from '../../../functions/lite/input';
import { FAKE_JPEG, liteEvent, multipartBody, unitTemplate } from './helpers';

const fault = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LiteError, String(err));
    return err;
  }
  assert.fail('no error');
};

test('Content-Type: the media type without parameters, spaces or case (the documents write "image / jpeg")', () => {
  assert.equal(mimeOf('Image / JPEG; charset=x'), 'image/jpeg');
  assert.equal(mimeOf(undefined), '');
  assert.equal(mimeOf('multipart/form-data; boundary=abc'), 'multipart/form-data');
});

test('image bodies: image/*, octet-stream; text only with Content-Transfer-Encoding: base64', () => {
  assert.ok(isImageBodyType('image/jpeg', false));
  assert.ok(isImageBodyType('image/png', false));
  assert.ok(isImageBodyType('application/octet-stream', false));
  assert.ok(!isImageBodyType('application/json', false));
  assert.ok(!isImageBodyType('text/plain', false));
  assert.ok(isImageBodyType('text/plain', true));
  assert.ok(!isImageBodyType('multipart/form-data', false));
});

test('the base64 header is read case-insensitively', () => {
  assert.ok(wantsBase64({ 'content-transfer-encoding': 'BASE64 ' }));
  assert.ok(!wantsBase64({ 'content-transfer-encoding': 'binary' }));
  assert.ok(!wantsBase64({}));
});

test('part Content-Types: generic types always fit, others must name what the part holds', () => {
  for (const role of ['sample', 'template', 'media'] as const) {
    for (const t of [null, 'application/octet-stream', 'multipart/form-data', 'text/plain']) assert.ok(partTypeFits(role, t), `${role} ${t}`);
    assert.ok(!partTypeFits(role, 'application/json'), role);
  }
  assert.ok(partTypeFits('sample', 'image/png'));
  assert.ok(!partTypeFits('template', 'image/jpeg'));
  assert.ok(!partTypeFits('sample', 'video/mp4'));
  assert.ok(partTypeFits('media', 'video/mp4'));
  assert.ok(partTypeFits('media', 'application/zip'));
});

test('base64 text: standard, URL-safe, wrapped lines and data: URLs decode; anything else is null', () => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0xfb, 0x00, 0x10]);
  assert.deepEqual(decodeBase64Text(Buffer.from(bytes.toString('base64'))), bytes);
  assert.deepEqual(decodeBase64Text(Buffer.from(bytes.toString('base64url'))), bytes);
  const wrapped = bytes.toString('base64').replace(/(.{4})/g, '$1\r\n');
  assert.deepEqual(decodeBase64Text(Buffer.from(wrapped)), bytes);
  assert.deepEqual(decodeBase64Text(Buffer.from(`data:image/jpeg;base64,${bytes.toString('base64')}`)), bytes);
  assert.equal(decodeBase64Text(Buffer.from('not base64!')), null);
  assert.equal(decodeBase64Text(bytes), null);
  assert.equal(decodeBase64Text(Buffer.alloc(0)), null);
});

test('readContent: binary that is what was asked for stays; base64 decodes when declared or recognisable', () => {
  const template = encodeTemplate(unitTemplate(1));
  const b64 = Buffer.from(template.toString('base64'));
  assert.deepEqual(readContent(template, true, isTemplateBytes, 'template', 'x'), template, 'raw bytes under the header');
  assert.deepEqual(readContent(b64, true, isTemplateBytes, 'template', 'x'), template);
  assert.deepEqual(readContent(b64, false, isTemplateBytes, 'template', 'x'), template, 'a client that forgot the header');
  assert.deepEqual(readContent(Buffer.from(FAKE_JPEG.toString('base64')), false, isMediaBytes, 'sample', 'x'), FAKE_JPEG);
  const garbage = Buffer.from('%%% not base64 %%%');
  assert.deepEqual(readContent(garbage, false, isMediaBytes, 'sample', 'x'), garbage, 'left for the decoder to reject');
  const err = fault(() => readContent(garbage, true, isMediaBytes, 'sample', 'the body'));
  assert.equal(err.fault, 'sample');
  assert.match(err.detail, /the body is not valid base64/);
});

test('size limits: empty and over 15 MB are refused with the part named', () => {
  assert.equal(fault(() => checkSize(Buffer.alloc(0), 'sample', 'the "a" part')).detail, 'the "a" part is empty');
  const big = fault(() => checkSize(Buffer.alloc(15 * 1024 * 1024 + 1), 'sample', 'the "a" part'));
  assert.match(big.detail, /15\.0 MB, over the limit of 15 MB per file/);
  checkSize(Buffer.alloc(15 * 1024 * 1024), 'sample', 'x');
});

test('multipart: not multipart or no boundary is a Content-Type fault; a broken body is the caller\'s fault', () => {
  const req = (body: Buffer, ct: string) => toRequest(liteEvent('POST', '/v1/face/pattern/compare', body, { 'content-type': ct }));
  assert.equal(fault(() => multipartParts(req(Buffer.from('{}'), 'application/json'), 'template')).fault, 'content-type');
  assert.equal(fault(() => multipartParts(req(Buffer.from('x'), 'multipart/form-data'), 'template')).fault, 'content-type');
  assert.equal(fault(() => multipartParts(req(Buffer.from('garbage'), 'multipart/form-data; boundary=zz'), 'template')).fault, 'template');
  const { body, contentType } = multipartBody([
    { name: 'template_1', body: 'a' },
    { name: 'templates_n', filename: '1.template', body: 'b' },
    { name: 'templates_n[]', filename: '2.template', body: 'c' },
    { name: 'x', type: 'application/json', body: '{}' },
  ]);
  const parts = multipartParts(req(body, contentType), 'template');
  assert.equal(onePart(parts, 'template_1', 'template', 'template').raw.toString(), 'a');
  assert.deepEqual(manyParts(parts, 'templates_n', 'template', 'template').map((p) => p.filename), ['1.template', '2.template']);
  assert.match(fault(() => onePart(parts, 'bio_template', 'template', 'template')).detail, /"bio_template" part is missing/);
  assert.equal(fault(() => onePart(parts, 'x', 'template', 'template')).fault, 'part-type');
  assert.equal(fault(() => manyParts(parts, 'samples_n', 'sample', 'sample')).fault, 'sample');
});
