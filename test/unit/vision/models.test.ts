import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { findOptionalModel, getModelSpec, MODEL_MANIFEST, ModelError, resolveModel, sha256File } from '../../../models/manifest';

describe('model manifest and loader', () => {
  let saved: string | undefined;
  let dir: string;
  beforeEach(() => {
    saved = process.env.OZ_MODEL_DIR;
    delete process.env.OZ_MODEL_DIR;
    dir = mkdtempSync(path.join(os.tmpdir(), 'oz-models-test-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.OZ_MODEL_DIR;
    else process.env.OZ_MODEL_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('pins every shipped model to the npm package, with a sha256 that matches the installed file', () => {
    for (const spec of MODEL_MANIFEST.filter((m) => !m.optional)) {
      assert.equal(spec.source.package, 'faceplugin-face-recognition-js');
      assert.equal(spec.source.version, '0.0.1');
      assert.match(spec.licence, /^MIT/);
      const r = resolveModel(spec.name);
      assert.equal(r.from, 'npm');
      assert.equal(sha256File(r.path), spec.sha256, spec.name);
      assert.equal(statSync(r.path).size, spec.bytes, spec.name);
    }
  });

  it('lists the MiniFASNet models as optional with pinned upstream URLs', () => {
    for (const name of ['MiniFASNetV2', 'MiniFASNetV1SE']) {
      const s = getModelSpec(name);
      assert.equal(s.optional, true);
      assert.match(s.source.url ?? '', /^https:\/\/raw\.githubusercontent\.com\/yakhyo\/face-anti-spoofing\/[0-9a-f]{40}\/weights\//);
      assert.equal(s.input.colorOrder, 'BGR');
      assert.deepEqual(s.input.shape, [1, 3, 80, 80]);
    }
  });

  it('finds optional models only in OZ_MODEL_DIR; absent means null', () => {
    assert.equal(findOptionalModel('MiniFASNetV2'), null);
    process.env.OZ_MODEL_DIR = dir;
    assert.equal(findOptionalModel('MiniFASNetV2'), null);
    assert.throws(() => resolveModel('MiniFASNetV2'), (e: unknown) => e instanceof ModelError && e.code === 'MODEL_NOT_FOUND' && /OZ_MODEL_DIR/.test(e.message));
  });

  it('prefers OZ_MODEL_DIR and rejects a file whose sha256 does not match', () => {
    process.env.OZ_MODEL_DIR = dir;
    writeFileSync(path.join(dir, 'fr_detect.onnx'), 'not the model');
    assert.throws(() => resolveModel('fr_detect'), (e: unknown) => e instanceof ModelError && e.code === 'MODEL_CHECKSUM_MISMATCH' && /fr_detect/.test(e.message));
    writeFileSync(path.join(dir, 'MiniFASNetV2.onnx'), 'not the model either');
    assert.throws(() => findOptionalModel('MiniFASNetV2'), (e: unknown) => e instanceof ModelError && e.code === 'MODEL_CHECKSUM_MISMATCH');
  });

  it('uses a verified copy in OZ_MODEL_DIR', () => {
    const src = resolveModel('fr_liveness').path;
    copyFileSync(src, path.join(dir, 'fr_liveness.onnx'));
    process.env.OZ_MODEL_DIR = dir;
    const r = resolveModel('fr_liveness');
    assert.equal(r.from, 'OZ_MODEL_DIR');
    assert.equal(r.path, path.join(dir, 'fr_liveness.onnx'));
  });

  it('rejects unknown model names', () => {
    assert.throws(() => resolveModel('nope'), (e: unknown) => e instanceof ModelError && e.code === 'UNKNOWN_MODEL');
  });
});
