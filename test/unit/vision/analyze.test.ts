import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  analyzeMedia,
  calibrateSpoof,
  chooseFace,
  compareTemplates,
  decodeImage,
  detectFaces,
  NoFaceError,
  SELFIE_DETECT,
  SPOOF_CALIBRATION,
  uncalibrateSpoof,
} from '../../../layers/vision';
import { analyzeMediaDetailed } from '../../../layers/vision/analyze';
import { dataFile, makeZip, skipMessage, stillPhotoVideo } from './helpers';

const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA2 = 'faces/face_recognition/examples/obama2.jpg';
const TWO = 'faces/face_recognition/examples/two_people.jpg';
const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed', 'antispoof', 'gestures', 'bestshot', 'total'];

describe('the layer\'s exports the worker relies on', () => {
  it('keeps the existing entry points', async () => {
    const v = await import('../../../layers/vision');
    for (const k of ['analyzeLiveness', 'analyzeMedia', 'inspectMedia', 'decodeShotSet', 'compareTemplates', 'encodeTemplate', 'decodeTemplate']) {
      assert.equal(typeof (v as Record<string, unknown>)[k], 'function', k);
    }
    assert.equal(v.MIN_KEYFRAME_SAMPLES, 5);
    assert.equal(new v.MediaError('CORRUPT_MEDIA', 'x').code, 'CORRUPT_MEDIA');
    assert.equal(new v.NoFaceError().code, 'NO_FACE');
    assert.equal(new v.TemplateError('TRUNCATED', 'x').code, 'TRUNCATED');
  });
});

describe('liveness calibration', () => {
  it('maps each model\'s dev operating point to 0.5, monotone, 0 -> 0 and 1 -> 1', () => {
    for (const [model, c] of Object.entries(SPOOF_CALIBRATION)) {
      assert.ok(Math.abs(calibrateSpoof(c.rawThreshold, model) - 0.5) < 1e-9, model);
      assert.equal(calibrateSpoof(0, model), 0);
      assert.equal(calibrateSpoof(1, model), 1);
      let prev = -1;
      for (let x = 0; x <= 1.00001; x += 0.005) {
        const s = calibrateSpoof(Math.min(1, x), model);
        assert.ok(s >= prev, `${model} at ${x}`);
        prev = s;
      }
      for (const s of [0.1, 0.5, 0.9]) assert.ok(Math.abs(calibrateSpoof(uncalibrateSpoof(s, model), model) - s) < 1e-9);
    }
    assert.throws(() => calibrateSpoof(0.5, 'nope'));
  });
});

describe('analyzeMedia', () => {
  it('throws NoFaceError when there is no face', async () => {
    const gray = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    await assert.rejects(analyzeMedia(gray, 'image', { liveness: true, template: true }), (e: unknown) => e instanceof NoFaceError && e.code === 'NO_FACE');
  });

  it('an image: liveness, template and best shot from one decode, with models and per-stage timings', { skip: dataFile(OBAMA) ? false : skipMessage(OBAMA) }, async () => {
    const bytes = readFileSync(dataFile(OBAMA)!);
    const r = await analyzeMedia(bytes, 'image', { liveness: true, template: true, bestShot: true });
    assert.equal(r.framesScored, 1);
    assert.equal(r.framesWithFace, 1);
    assert.ok(r.confidenceSpoofing! >= 0 && r.confidenceSpoofing! <= 1);
    assert.equal(r.confidenceSpoofing, r.passiveSpoofing);
    assert.equal(r.template!.vector.length, 512);
    const decoded = await decodeImage(bytes);
    const b = r.bestShot!;
    assert.equal(b.frameIndex, 0);
    assert.deepEqual([b.width, b.height], [decoded.width, decoded.height]);
    const meta = await sharp(b.jpeg).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.deepEqual([meta.width, meta.height], [b.width, b.height]);
    assert.ok(b.quality > 0.5 && b.quality <= 1, String(b.quality));
    for (const k of STAGES) assert.equal(typeof r.timings[k], 'number', k);
    assert.equal(r.models.detector, 'fr_detect');
    assert.equal(r.models.landmarks, 'fr_landmark');
    assert.equal(r.models.embedding, 'fr_feature');
    assert.ok(r.models.liveness);
    assert.equal(r.gesture, undefined);
    assert.equal(r.actionShot, undefined);
  });

  it('uses one face for everything: the primary face (highest detector score)', { skip: dataFile(TWO) ? false : skipMessage(TWO) }, async () => {
    const bytes = readFileSync(dataFile(TWO)!);
    const frame = await decodeImage(bytes);
    const want = chooseFace(await detectFaces(frame, SELFIE_DETECT))!;
    const { analysis, details } = await analyzeMediaDetailed(bytes, 'image', { liveness: true, template: true });
    assert.deepEqual(details.primary[0], want);
    assert.equal(details.frameSpoof.filter((x) => x !== null).length, 1);
    assert.ok(analysis.template);
  });

  it('a document photo may show a small face; a selfie may not', { skip: dataFile(OBAMA) ? false : skipMessage(OBAMA) }, async () => {
    const small = await sharp(readFileSync(dataFile(OBAMA)!)).resize({ height: 180 }).toBuffer();
    const doc = await sharp({ create: { width: 1280, height: 800, channels: 3, background: '#d8d0c0' } })
      .composite([{ input: small, left: 80, top: 300 }])
      .jpeg()
      .toBuffer();
    await assert.rejects(analyzeMedia(doc, 'image', { template: true }), NoFaceError);
    const r = await analyzeMedia(doc, 'image', { template: true, document: true });
    assert.equal(r.framesWithFace, 1);
    assert.equal(r.template!.dims, 512);
  });

  it('a shot set: the sharpest frame is the best shot', { skip: dataFile(OBAMA) ? false : skipMessage(OBAMA) }, async () => {
    const sharpJpeg = readFileSync(dataFile(OBAMA)!);
    const blurred = await sharp(sharpJpeg).blur(6).jpeg().toBuffer();
    const zip = makeZip([
      { name: '0.jpg', data: blurred },
      { name: '1.jpg', data: sharpJpeg },
      { name: '2.jpg', data: blurred },
    ]);
    const r = await analyzeMedia(zip, 'zip', { bestShot: true, template: true, liveness: true });
    assert.equal(r.framesScored, 3);
    assert.equal(r.framesWithFace, 3);
    assert.equal(r.bestShot!.frameIndex, 1);
    assert.ok(r.template);
  });

  it('a video: best shot (a decoded frame as JPEG), template and liveness over the sampled frames', { skip: dataFile(OBAMA2) ? false : skipMessage(OBAMA2) }, async () => {
    const video = stillPhotoVideo(dataFile(OBAMA2)!, 3);
    const r = await analyzeMedia(video, 'video', { liveness: true, template: true, bestShot: true });
    assert.ok(r.framesScored >= 5 && r.framesScored <= 8, String(r.framesScored));
    assert.equal(r.framesWithFace, r.framesScored);
    const b = r.bestShot!;
    assert.ok(b.frameIndex >= 0 && b.frameIndex < r.framesScored);
    assert.ok(Math.max(b.width, b.height) <= 640);
    const meta = await sharp(b.jpeg).metadata();
    assert.deepEqual([meta.width, meta.height], [b.width, b.height]);
    const still = await analyzeMedia(readFileSync(dataFile(OBAMA2)!), 'image', { template: true });
    assert.ok(compareTemplates(r.template!, still.template!).score >= 0.85);
  });
});
