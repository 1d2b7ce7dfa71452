import { MIN_KEYFRAME_SAMPLES } from '../../../layers/vision/video';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sharp from 'sharp';
import { analyzeLiveness, configureVision, NoFaceError, visionVersions, warmUp } from '../../../layers/vision';
import { silentFaceCrop } from '../../../layers/vision/liveness';
import { dataFile, SHARED_MODELS, skipMessage } from './helpers';

describe('Silent-Face crop', () => {
  it('scales the box about its centre', () => {
    assert.deepEqual(silentFaceCrop({ x: 300, y: 200, w: 100, h: 100 }, 1000, 1000, 2), { x: 250, y: 150, w: 201, h: 201 });
  });
  it('shifts the crop back inside the frame', () => {
    const c = silentFaceCrop({ x: 0, y: 0, w: 100, h: 100 }, 1000, 1000, 2.7);
    assert.equal(c.x, 0);
    assert.equal(c.y, 0);
    assert.equal(c.w, 271);
  });
  it('caps the scale so the crop fits', () => {
    const c = silentFaceCrop({ x: 100, y: 100, w: 200, h: 200 }, 400, 300, 2.7);
    assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.w <= 400 && c.y + c.h <= 300, JSON.stringify(c));
  });
});

describe('analyzeLiveness', () => {
  let savedDir: string | undefined;
  beforeEach(() => {
    savedDir = process.env.OZ_MODEL_DIR;
    // the shipped model unless a test says otherwise
    delete process.env.OZ_MODEL_DIR;
    configureVision({});
  });
  afterEach(() => {
    configureVision({});
    if (savedDir === undefined) delete process.env.OZ_MODEL_DIR;
    else process.env.OZ_MODEL_DIR = savedDir;
  });

  it('warms up and reports model versions', async () => {
    await warmUp();
    const v = visionVersions();
    assert.deepEqual(v.map((x) => x.name), ['fr_detect', 'fr_liveness']);
    for (const x of v) assert.match(x.sha256, /^[0-9a-f]{64}$/);
  });

  const clip = 'faces/face_recognition/examples/short_hamilton_clip.mp4';
  it('scores a video: a number in [0,1] with faces found', { skip: dataFile(clip) ? false : skipMessage(clip) }, async () => {
    const r = await analyzeLiveness(readFileSync(dataFile(clip)!), 'video');
    assert.ok(r.confidenceSpoofing >= 0 && r.confidenceSpoofing <= 1, String(r.confidenceSpoofing));
    // 8 evenly spread frames, or every keyframe when the clip has at least 5 (the cheap path)
    assert.ok(r.framesScored >= MIN_KEYFRAME_SAMPLES && r.framesScored <= 8, String(r.framesScored));
    assert.ok(r.framesWithFace > 0);
    assert.equal(r.model, 'fr_liveness');
    assert.ok(r.timings.decodeMs > 0 && r.timings.detectMs > 0 && r.timings.livenessMs > 0);
  });

  const real = 'faces/silent_face/images/sample/image_T1.jpg';
  const fake = 'faces/silent_face/images/sample/image_F2.jpg';
  const haveSamples = dataFile(real) && dataFile(fake);
  it('scores the real sample lower than the spoof sample', { skip: haveSamples ? false : skipMessage(real) }, async () => {
    const r = await analyzeLiveness(readFileSync(dataFile(real)!), 'image');
    const f = await analyzeLiveness(readFileSync(dataFile(fake)!), 'image');
    assert.equal(r.framesWithFace, 1);
    assert.ok(r.confidenceSpoofing < f.confidenceSpoofing, `real ${r.confidenceSpoofing} vs spoof ${f.confidenceSpoofing}`);
    // fr_liveness's dev operating point (BPCER 5 % on pad/dev, which NUAA's 75 webcam reals
    // dominate) rejects this real sample: only the order is asserted for it (see README)
    assert.ok(f.confidenceSpoofing > 0.5, `spoof ${f.confidenceSpoofing}`);
  });

  const haveMiniFas = existsSync(path.join(SHARED_MODELS, 'MiniFASNetV2.onnx'));
  it(
    'prefers MiniFASNetV2 when OZ_MODEL_DIR has it, and it separates the samples too',
    { skip: haveSamples && haveMiniFas ? false : `needs ${SHARED_MODELS}/MiniFASNetV2.onnx and the silent_face samples` },
    async () => {
      process.env.OZ_MODEL_DIR = SHARED_MODELS;
      const r = await analyzeLiveness(readFileSync(dataFile(real)!), 'image');
      const f = await analyzeLiveness(readFileSync(dataFile(fake)!), 'image');
      assert.equal(r.model, 'MiniFASNetV2');
      assert.ok(r.confidenceSpoofing < f.confidenceSpoofing, `real ${r.confidenceSpoofing} vs spoof ${f.confidenceSpoofing}`);
      // calibrated: 0.5 is MiniFASNetV2's dev operating point
      assert.ok(r.confidenceSpoofing < 0.5, `real ${r.confidenceSpoofing}`);
      assert.ok(f.confidenceSpoofing > 0.5, `spoof ${f.confidenceSpoofing}`);
      configureVision({ livenessModel: 'minifasnet-ensemble' }); // OZ_LIVENESS_MODEL
      const e = await analyzeLiveness(readFileSync(dataFile(real)!), 'image');
      assert.equal(e.model, 'MiniFASNetV2+MiniFASNetV1SE');
      assert.ok(e.confidenceSpoofing >= 0 && e.confidenceSpoofing <= 1);
      assert.deepEqual(visionVersions().map((x) => x.name), ['fr_detect', 'MiniFASNetV2', 'MiniFASNetV1SE']);
    },
  );

  it('throws NoFaceError (code NO_FACE) when there is no face', async () => {
    const gray = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    await assert.rejects(analyzeLiveness(gray, 'image'), (e: unknown) => {
      assert.ok(e instanceof NoFaceError);
      assert.equal(e.code, 'NO_FACE');
      return true;
    });
  });
});
