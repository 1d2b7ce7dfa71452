import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { chooseFace, decodeImage, detectFaces, squareBox, type FaceBox } from '../../../layers/vision';
import { nms, postprocess } from '../../../layers/vision/faces';
import { dataFile, skipMessage } from './helpers';

const box = (x1: number, y1: number, x2: number, y2: number, score: number): FaceBox => ({ x1, y1, x2, y2, score });

describe('face post-processing', () => {
  it('hard NMS keeps the best of overlapping boxes and separate faces', () => {
    const kept = nms([box(0, 0, 10, 10, 0.99), box(1, 1, 11, 11, 0.98), box(50, 50, 60, 60, 0.9)], 0.3);
    assert.deepEqual(kept.map((b) => b.score), [0.99, 0.9]);
  });

  it('chooses the highest score, not the largest box; near-ties go to the larger box', () => {
    // deepface img41: a blurred background face (0.989) bigger than the subject (1.000)
    assert.equal(chooseFace([box(0, 0, 300, 300, 0.989), box(400, 100, 500, 220, 1.0)])!.score, 1.0);
    const tie = chooseFace([box(0, 0, 50, 50, 0.9999), box(100, 100, 300, 300, 0.9995)]);
    assert.equal(tie!.x2, 300);
    assert.equal(chooseFace([]), null);
  });

  it('thresholds at 0.6, scales to the frame, clips, and drops faces below the minimum size', () => {
    // 3 anchors: a big face, a low-score one, a tiny face
    const scores = new Float32Array([0, 0.95, 0.5, 0.5, 0, 0.99]);
    const boxes = new Float32Array([0.1, 0.1, 0.5, 0.6, 0.6, 0.6, 0.9, 0.9, 0.9, 0.9, 0.92, 0.93]);
    const faces = postprocess(scores, boxes, 640, 480);
    assert.equal(faces.length, 1);
    assert.equal(Math.round(faces[0]!.x1), 64);
    assert.equal(Math.round(faces[0]!.y2), 288);
    const loose = postprocess(scores, boxes, 640, 480, { minFacePx: 1, minFaceFraction: 0 });
    assert.equal(loose.length, 2);
    const clipped = postprocess(new Float32Array([0, 0.9]), new Float32Array([-0.2, -0.1, 0.5, 1.2]), 100, 100, { minFacePx: 1 });
    assert.deepEqual([clipped[0]!.x1, clipped[0]!.y1, clipped[0]!.y2], [0, 0, 99]);
  });

  it('builds the JS square box (side = height, centred, clipped, truncated)', () => {
    assert.deepEqual(squareBox(box(100, 100, 180, 200, 1), 640, 480), { x1: 90, y1: 100, x2: 190, y2: 200 });
    assert.deepEqual(squareBox(box(0, 10, 40, 110, 1), 640, 480), { x1: 0, y1: 10, x2: 70, y2: 110 });
  });
});

describe('detectFaces (fr_detect.onnx)', () => {
  const obama = 'faces/face_recognition/examples/obama.jpg';
  it('finds the face in obama.jpg', { skip: dataFile(obama) ? false : skipMessage(obama) }, async () => {
    const frame = await decodeImage(readFileSync(dataFile(obama)!));
    const faces = await detectFaces(frame);
    assert.ok(faces.length >= 1);
    const f = chooseFace(faces)!;
    assert.ok(f.score > 0.9, String(f.score));
    const h = f.y2 - f.y1;
    assert.ok(h > frame.height * 0.2 && h < frame.height * 0.8, `face height ${h} of ${frame.height}`);
    const cx = (f.x1 + f.x2) / 2;
    assert.ok(cx > frame.width * 0.3 && cx < frame.width * 0.7, `face centre x ${cx} of ${frame.width}`);
  });

  const two = 'faces/face_recognition/examples/two_people.jpg';
  it('finds both faces in two_people.jpg', { skip: dataFile(two) ? false : skipMessage(two) }, async () => {
    const faces = await detectFaces(await decodeImage(readFileSync(dataFile(two)!)));
    assert.equal(faces.length, 2);
  });

  it('finds no face in a flat gray image', async () => {
    const sharp = (await import('sharp')).default;
    const gray = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } }).png().toBuffer();
    assert.deepEqual(await detectFaces(await decodeImage(gray)), []);
  });
});
