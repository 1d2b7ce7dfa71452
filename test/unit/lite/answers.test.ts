import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMultipart } from '../../../functions/api/multipart';
import { buildMultipart, resultsAnswer, scored, templateAnswer, verifyAnswer } from '../../../functions/lite/answers';
import { liteConfigOf } from '../../../functions/lite/config';
import { coreConfigOf, loadConfig } from '../../../functions/config';
import { otherPeople } from '../../../layers/vision';
import { bodyOf, jsonOf, structured } from './helpers';

test('multipart answers parse back, binary intact, with the boundary never inside a part', () => {
  const binary = Buffer.from([0x2d, 0x2d, 0x0d, 0x0a, 0xff, 0x00, 0x80]);
  const { contentType, body } = buildMultipart([
    { name: 'score', contentType: 'application/json', body: Buffer.from('{"score": 1}') },
    { name: 'bio_feature', filename: 'bio_feature', contentType: 'application/octet-stream', body: binary },
  ]);
  const parts = parseMultipart(body, contentType);
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.contentType]), [
    ['score', null, 'application/json'],
    ['bio_feature', 'bio_feature', 'application/octet-stream'],
  ]);
  assert.deepEqual(parts[1]!.bytes, binary);
});

test('verify answers a "score" JSON part and the template, base64 when asked', async () => {
  const template = Buffer.from('OZFT-template-bytes');
  const plain = verifyAnswer(0.99999997, template, false);
  const ct = structured(plain).headers!['content-type'] as string;
  assert.match(ct, /^multipart\/form-data; boundary=/);
  // What a standard client (fetch's Response.formData) makes of it.
  const form = await new Response(bodyOf(plain), { headers: { 'content-type': ct } }).formData();
  assert.deepEqual(JSON.parse(String(form.get('score'))), { score: 1 });
  assert.deepEqual(Buffer.from(await (form.get('bio_feature') as Blob).arrayBuffer()), template);
  const b64 = verifyAnswer(0.5, template, true);
  const parts = parseMultipart(bodyOf(b64), structured(b64).headers!['content-type'] as string);
  assert.equal(parts[1]!.bytes.toString(), template.toString('base64'));
});

test('templates: octet-stream bytes, or base64 text flagged with Content-Transfer-Encoding', () => {
  const t = Buffer.from([1, 2, 3, 250]);
  const bin = structured(templateAnswer(t, false));
  assert.equal(bin.isBase64Encoded, true);
  assert.deepEqual(bodyOf(bin), t);
  const text = structured(templateAnswer(t, true));
  assert.equal(text.body, t.toString('base64'));
  assert.equal(text.headers!['content-transfer-encoding'], 'base64');
});

test('scores and 1:N results keep request order and filenames', () => {
  const config = liteConfigOf(coreConfigOf(loadConfig({})));
  assert.deepEqual(scored(0.9, config), { score: 0.9, decision: 'approved' });
  assert.deepEqual(scored(0.8499999, config), { score: 0.85, decision: 'approved' }, 'decided on the score as answered');
  const r = resultsAnswer([
    { filename: '1.template', ...scored(0, config) },
    { filename: '2.template', ...scored(1, config) },
  ]);
  assert.equal(bodyOf(r).toString(), '{"results": [{"filename": "1.template", "score": 0, "decision": "declined"}, {"filename": "2.template", "score": 1, "decision": "approved"}]}');
  assert.deepEqual(jsonOf(r).results.map((x: any) => x.filename), ['1.template', '2.template']);
});

test('another person: a confident face at least half the primary face\'s height; not reflections or background faces', () => {
  const primary = { x1: 0, y1: 0, x2: 100, y2: 200, score: 1 };
  assert.equal(otherPeople([primary], primary).length, 0);
  assert.equal(otherPeople([primary, { x1: 300, y1: 0, x2: 390, y2: 180, score: 1 }], primary).length, 1);
  assert.equal(otherPeople([primary, { x1: 300, y1: 0, x2: 390, y2: 208, score: 0.98 }], primary).length, 0, 'blurred background face');
  assert.equal(otherPeople([primary, { x1: 300, y1: 0, x2: 340, y2: 64, score: 0.999 }], primary).length, 0, 'small face');
});
