import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  analyzeMedia,
  compareTemplates,
  decodeTemplate,
  encodeTemplate,
  FACE_RAW_THRESHOLD,
  FACE_SCORE_LOW,
  FACE_SCORE_THRESHOLD,
  scoreToSimilarity,
  similarityToScore,
  TEMPLATE_FORMAT_VERSION,
  TEMPLATE_MAGIC,
  TemplateError,
  templateModelId,
  type FaceTemplate,
} from '../../../layers/vision';
import { applyAffine, ARCFACE_TEMPLATE, umeyama } from '../../../layers/vision/align';
import { l2normalize } from '../../../layers/vision/embed';
import { makeTemplate } from '../../../layers/vision/templates';
import { dataFile, skipMessage } from './helpers';

function randomTemplate(seed: number): FaceTemplate {
  let x = seed;
  const v = new Float32Array(512);
  for (let i = 0; i < 512; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    v[i] = x / 2147483648 - 0.5;
  }
  return makeTemplate(l2normalize(v));
}

const rejects = (bytes: Uint8Array, code: string): void => {
  assert.throws(
    () => decodeTemplate(bytes),
    (e: unknown) => e instanceof TemplateError && e.code === code,
    code,
  );
};

describe('Umeyama similarity alignment', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const a = 0.3;
    const s = 1.7;
    const src = ARCFACE_TEMPLATE.map(([x, y]) => [s * (Math.cos(a) * x - Math.sin(a) * y) + 40, s * (Math.sin(a) * x + Math.cos(a) * y) - 12] as [number, number]);
    const m = umeyama(src, ARCFACE_TEMPLATE);
    src.forEach((p, i) => {
      const q = applyAffine(m, p);
      assert.ok(Math.abs(q[0] - ARCFACE_TEMPLATE[i]![0]) < 1e-9 && Math.abs(q[1] - ARCFACE_TEMPLATE[i]![1]) < 1e-9);
    });
    // a similarity: no shear, equal scale on both axes
    assert.ok(Math.abs(m[0] - m[4]) < 1e-12 && Math.abs(m[1] + m[3]) < 1e-12);
  });

  it('is the least-squares fit when the points do not match exactly', () => {
    const src = ARCFACE_TEMPLATE.map(([x, y], i) => [x + (i % 2 ? 1.5 : -1.5), y + (i % 3) - 1] as [number, number]);
    const m = umeyama(src, ARCFACE_TEMPLATE);
    const err = (mm: typeof m): number => src.reduce((acc, p, i) => acc + (applyAffine(mm, p)[0] - ARCFACE_TEMPLATE[i]![0]) ** 2 + (applyAffine(mm, p)[1] - ARCFACE_TEMPLATE[i]![1]) ** 2, 0);
    const base = err(m);
    // any small change of the similarity parameters makes the residual larger
    for (const d of [1e-3, -1e-3]) {
      assert.ok(err([m[0] + d, m[1], m[2], m[3], m[4] + d, m[5]]) > base);
      assert.ok(err([m[0], m[1] + d, m[2], m[3] - d, m[4], m[5]]) > base);
      assert.ok(err([m[0], m[1], m[2] + d, m[3], m[4], m[5]]) > base);
    }
  });
});

describe('score calibration', () => {
  it('maps the raw operating point to 0.85, is monotone, 0 at the low end, 1 at raw 1', () => {
    assert.equal(similarityToScore(FACE_RAW_THRESHOLD), FACE_SCORE_THRESHOLD);
    assert.equal(similarityToScore(FACE_SCORE_LOW), 0);
    assert.equal(similarityToScore(-0.5), 0);
    assert.equal(similarityToScore(1), 1);
    let prev = -1;
    for (let x = -1; x <= 1.0001; x += 0.01) {
      const s = similarityToScore(x);
      assert.ok(s >= prev && s >= 0 && s <= 1);
      prev = s;
    }
    for (const s of [0.1, 0.5, 0.85, 0.9, 0.99]) assert.ok(Math.abs(similarityToScore(scoreToSimilarity(s)) - s) < 1e-12);
  });
});

describe('binary templates', () => {
  const t = randomTemplate(7);

  it('round-trips: magic, version, model id, dims, float32 little-endian, CRC', () => {
    const b = encodeTemplate(t);
    assert.equal(b.length, 16 + 512 * 4 + 4);
    assert.equal(b.toString('latin1', 0, 4), TEMPLATE_MAGIC);
    assert.equal(b.readUInt8(4), TEMPLATE_FORMAT_VERSION);
    assert.equal(b.readUInt16LE(6), 512);
    assert.equal(b.toString('hex', 8, 16), templateModelId());
    assert.equal(b.readFloatLE(16), t.vector[0]);
    const back = decodeTemplate(b);
    assert.deepEqual(Array.from(back.vector), Array.from(t.vector));
    assert.equal(compareTemplates(back, t).similarity, compareTemplates(t, t).similarity);
  });

  it('rejects another magic, version, model, size, a truncated or corrupt template', () => {
    const good = encodeTemplate(t);
    const bad = (f: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      f(b);
      return b;
    };
    rejects(Buffer.from('PK\u0003\u0004 not a template'), 'BAD_MAGIC');
    rejects(Buffer.alloc(0), 'BAD_MAGIC');
    rejects(bad((b) => b.writeUInt8(2, 4)), 'UNSUPPORTED_VERSION');
    rejects(bad((b) => b.writeUInt8(b.readUInt8(8) ^ 0xff, 8)), 'MODEL_MISMATCH');
    rejects(bad((b) => b.writeUInt16LE(128, 6)), 'DIMS_MISMATCH');
    rejects(good.subarray(0, good.length - 1), 'TRUNCATED');
    rejects(good.subarray(0, 10), 'TRUNCATED');
    rejects(Buffer.concat([good, Buffer.from([0])]), 'CORRUPT');
    rejects(bad((b) => b.writeUInt8(b.readUInt8(100) ^ 0x01, 100)), 'CORRUPT');
    // a valid CRC over a vector that is not unit length is still refused
    const scaled = makeTemplate(t.vector.map((x) => x * 2));
    rejects(encodeTemplate(scaled), 'CORRUPT');
  });

  it('refuses to compare templates of different models', () => {
    const other = { ...t, modelId: '0000000000000000' };
    assert.throws(() => compareTemplates(t, other), (e: unknown) => e instanceof TemplateError && e.code === 'MODEL_MISMATCH');
    assert.throws(() => encodeTemplate({ ...t, modelId: 'zz' }), (e: unknown) => e instanceof TemplateError);
  });

  it('identical templates: similarity 1, score 1; unrelated random ones near 0', () => {
    const same = compareTemplates(t, t);
    assert.ok(Math.abs(same.similarity - 1) < 1e-6);
    assert.ok(same.score > 0.999);
    assert.equal(compareTemplates(t, randomTemplate(99)).score, 0);
  });
});

describe('face templates from photos (fr_landmark -> Umeyama -> fr_feature)', () => {
  const obama = 'faces/face_recognition/examples/obama.jpg';
  const obama2 = 'faces/face_recognition/examples/obama2.jpg';
  const biden = 'faces/face_recognition/examples/biden.jpg';
  const have = dataFile(obama) && dataFile(obama2) && dataFile(biden);
  it('the same person scores >= 0.85, another person < 0.85', { skip: have ? false : skipMessage(obama) }, async () => {
    const a = await analyzeMedia(readFileSync(dataFile(obama)!), 'image', { template: true });
    const b = await analyzeMedia(readFileSync(dataFile(obama2)!), 'image', { template: true });
    const c = await analyzeMedia(readFileSync(dataFile(biden)!), 'image', { template: true });
    assert.equal(a.template!.dims, 512);
    assert.equal(a.models.embedding, 'fr_feature');
    const same = compareTemplates(a.template!, b.template!);
    const diff = compareTemplates(a.template!, c.template!);
    assert.ok(same.score >= FACE_SCORE_THRESHOLD, JSON.stringify(same));
    assert.ok(diff.score < FACE_SCORE_THRESHOLD, JSON.stringify(diff));
    // templates survive the binary form unchanged
    assert.equal(compareTemplates(decodeTemplate(encodeTemplate(a.template!)), b.template!).similarity, same.similarity);
  });
});
