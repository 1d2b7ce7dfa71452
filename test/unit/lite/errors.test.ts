import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaError, NoFaceError, TemplateError } from '../../../layers/vision';
import { ModelError } from '../../../models/manifest';
import { ManyFacesError, classify, liteErrorResponse, liteFail, toLiteResponse } from '../../../functions/lite/errors';
import { bodyOf, structured } from './helpers';

test('error bodies start with the code, then a readable message (Python separators)', () => {
  const r = structured(liteErrorResponse('BPE', 'sample', 'the "sample" part is empty'));
  assert.equal(r.statusCode, 400);
  assert.equal(r.headers?.['content-type'], 'application/json');
  assert.equal(r.body, '{"code": "BPE-002003", "message": "Failed to read the biometric sample: the \\"sample\\" part is empty"}');
});

test('each fault has its documented code and status in both processors', () => {
  const cases: [Parameters<typeof liteErrorResponse>[1], string, string, number][] = [
    ['content-type', 'BPE-002001', 'LDE-002001', 400],
    ['method', 'BPE-002002', 'LDE-002002', 400],
    ['sample', 'BPE-002003', 'LDE-002004', 400],
    ['template', 'BPE-002004', 'LDE-002004', 400],
    ['part-type', 'BPE-002005', 'LDE-002005', 400],
    ['no-template', 'BPE-003001', 'LDE-002004', 400],
    ['no-face', 'BPE-003002', 'LDE-002004', 400],
    ['many-faces', 'BPE-003003', 'LDE-002004', 400],
    ['internal', 'BPE-001001', 'LDE-001001', 500],
    ['tfss', 'BPE-001002', 'LDE-001002', 400],
  ];
  for (const [f, bpe, lde, status] of cases) {
    const b = structured(liteErrorResponse('BPE', f));
    const l = structured(liteErrorResponse('LDE', f));
    assert.equal(JSON.parse(b.body!).code, bpe);
    assert.equal(JSON.parse(l.body!).code, lde);
    assert.equal(b.statusCode, status);
    assert.equal(l.statusCode, status);
  }
});

test('the vision layer\'s errors map to API Lite faults; anything else is an internal error without details', () => {
  assert.equal(classify(new NoFaceError())?.fault, 'no-face');
  assert.equal(classify(new MediaError('CORRUPT_MEDIA', 'truncated'))?.fault, 'sample');
  assert.equal(classify(new TemplateError('MODEL_MISMATCH', 'another model'))?.fault, 'template');
  assert.equal(classify(new ManyFacesError('2 people'))?.fault, 'many-faces');
  assert.equal(classify(new ModelError('MODEL_NOT_FOUND', 'fr_feature missing'))?.fault, 'tfss');
  assert.equal(classify(liteFail('part-type', 'x'))?.fault, 'part-type');
  assert.equal(classify(new Error('boom')), null);
  const original = console.error;
  console.error = () => {};
  try {
    const r = toLiteResponse('LDE', new Error('secret path /opt/x'));
    assert.equal(structured(r).statusCode, 500);
    assert.deepEqual(JSON.parse(bodyOf(r).toString()), { code: 'LDE-001001', message: 'Liveness detection processor internal error' });
  } finally {
    console.error = original;
  }
});
