/**
 * Active liveness. The clips are made at test time from shared-data photos:
 *  - negatives: one still photo looped into a video (ffmpeg -loop 1): nothing moves, so every
 *    gesture but _blank / _oneshot must fail, and confidence_spoofing must rise above 0.5;
 *  - synthetic positives (a check of the pipeline on unambiguous input, not proof on real
 *    gestures): a frontal photo cross-fading into a turned photo of the same person (mirrored for
 *    the other side), a neutral photo into a smiling one of the same person, painted-on closed
 *    eyelids for two frames, and a zoom made by scaling the photo.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeMedia, chooseFace, configureVision, detectFaces, FAILED_GESTURE_FLOOR, GESTURE_TAGS } from '../../../layers/vision';
import type { HeadPose } from '../../../layers/vision/attributes';
import { analyzeMediaDetailed } from '../../../layers/vision/analyze';
import { combineSpoofing, evaluateGesture, rise, type FaceObservation } from '../../../layers/vision/gestures';
import { detectLandmarks, type LandmarkGeometry } from '../../../layers/vision/landmarks';
import { crossFade, dataFile, faceWindow, framesToVideo, paintClosedEyes, skipMessage, stillPhotoVideo, windowAround, type RawFrame } from './helpers';

const geo = (o: Partial<LandmarkGeometry> = {}): LandmarkGeometry => ({
  interOcular: 60,
  yaw: 0,
  pitch: 0.55,
  roll: 0,
  eyeOpening: 0.3,
  mouthWidth: 0.8,
  symmetry: 0.95,
  ...o,
});
const pose = (yaw = 0, pitch = -5): HeadPose => ({ yaw, pitch, roll: 0 });

function obs(n: number, f: (i: number) => Partial<FaceObservation>): FaceObservation[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    box: { x1: 100, y1: 100, x2: 260, y2: 300, score: 0.99 },
    frameHeight: 480,
    geometry: geo(),
    pose: pose(),
    eyes: { left: 0.99, right: 0.99, open: 0.99 },
    ...f(i),
  }));
}

describe('gesture checks (logic)', () => {
  it('rise() is the largest increase from a frame to a later one', () => {
    assert.deepEqual(rise([3, 1, 2, 5, 0]), { value: 4, at: 3 });
    assert.equal(rise([5, 4, 3]).value, 0);
    assert.equal(rise([null, 1, null, 2]).value, 1);
  });

  it('a turn to the subject\'s left passes _left and fails _right (nose moving to the image right)', () => {
    const o = obs(20, (i) => ({ geometry: geo({ yaw: i < 8 ? 0 : Math.min(0.3, (i - 8) * 0.05) }), pose: pose(i < 8 ? 0 : -Math.min(30, (i - 8) * 5)) }));
    const l = evaluateGesture('video_selfie_left', o);
    assert.equal(l.passed, true, l.message);
    assert.ok(l.evidence >= 0.5 && l.evidence <= 1);
    assert.equal(l.peakIndex !== null && l.peakIndex >= 14, true);
    const r = evaluateGesture('video_selfie_right', o);
    assert.equal(r.passed, false);
    assert.match(r.message, /head turn to the right \(video_selfie_right\) was not detected/);
  });

  it('OZ_SELFIE_MIRRORED swaps the sides', () => {
    const o = obs(12, (i) => ({ geometry: geo({ yaw: i < 4 ? 0 : 0.25 }) }));
    configureVision({ selfieMirrored: true }); // OZ_SELFIE_MIRRORED
    try {
      assert.equal(evaluateGesture('video_selfie_right', o).passed, true);
      assert.equal(evaluateGesture('video_selfie_left', o).passed, false);
    } finally {
      configureVision({});
    }
  });

  it('a landmark-still face cannot pass a turn on fr_pose alone (a tilted photo)', () => {
    const o = obs(12, (i) => ({ pose: pose(i < 4 ? 0 : -60) }));
    assert.equal(evaluateGesture('video_selfie_left', o).passed, false);
  });

  it('down / high from the pitch proxy and fr_pose', () => {
    const down = obs(12, (i) => ({ geometry: geo({ pitch: i < 4 ? 0.55 : 0.75 }), pose: pose(0, i < 4 ? -5 : -25) }));
    assert.equal(evaluateGesture('video_selfie_down', down).passed, true);
    assert.equal(evaluateGesture('video_selfie_high', down).passed, false);
  });

  it('scan needs both sides', () => {
    const oneSide = obs(12, (i) => ({ geometry: geo({ yaw: i < 6 ? 0 : 0.3 }) }));
    assert.equal(evaluateGesture('video_selfie_scan', oneSide).passed, false);
    const both = obs(12, (i) => ({ geometry: geo({ yaw: i < 4 ? -0.25 : i < 8 ? 0 : 0.25 }), pose: pose(i < 4 ? 25 : i < 8 ? 0 : -25) }));
    assert.equal(evaluateGesture('video_selfie_scan', both).passed, true);
  });

  it('blink: closed then open again; closed to the end is not a blink', () => {
    const blink = obs(15, (i) => (i === 7 ? { eyes: { left: 0.02, right: 0.03, open: 0.025 }, geometry: geo({ eyeOpening: 0.12 }) } : {}));
    const b = evaluateGesture('video_selfie_eyes', blink);
    assert.equal(b.passed, true, b.message);
    assert.equal(b.peakIndex, 7);
    const closing = obs(15, (i) => (i >= 12 ? { eyes: { left: 0.02, right: 0.03, open: 0.025 } } : {}));
    assert.equal(evaluateGesture('video_selfie_eyes', closing).passed, false);
  });

  it('smile: p(happy) rising to >= 0.5 with a wider mouth; an already smiling still face fails', () => {
    const s = obs(12, (i) => ({ geometry: geo({ mouthWidth: i < 6 ? 0.78 : 0.95 }), happy: i === 0 || i === 5 ? 0.1 : i === 11 ? 0.97 : undefined }));
    assert.equal(evaluateGesture('video_selfie_smile', s).passed, true);
    const still = obs(12, (i) => ({ happy: i % 5 === 0 ? 0.99 : undefined }));
    const r = evaluateGesture('video_selfie_smile', still);
    assert.equal(r.passed, false);
    assert.match(r.message, /smile \(video_selfie_smile\) was not detected/);
  });

  it('zoom in / out from the face size', () => {
    const grow = obs(10, (i) => ({ box: { x1: 100, y1: 100, x2: 100 + 80 * (1 + i * 0.05), y2: 100 + 100 * (1 + i * 0.05), score: 0.99 } }));
    assert.equal(evaluateGesture('video_selfie_zoom_in', grow).passed, true);
    assert.equal(evaluateGesture('video_selfie_zoom_out', grow).passed, false);
  });

  it('_blank and _oneshot need no gesture; too few frames fail the others', () => {
    for (const t of ['video_selfie_blank', 'video_selfie_oneshot'] as const) assert.deepEqual(evaluateGesture(t, []).passed, true);
    const r = evaluateGesture('video_selfie_left', obs(2, () => ({})));
    assert.equal(r.passed, false);
    assert.equal(r.evidence, 0);
    assert.equal(GESTURE_TAGS.length, 11);
  });

  it('a failed gesture raises confidence_spoofing above 0.5; a passed one leaves it', () => {
    assert.equal(combineSpoofing(0.1, { passed: true, evidence: 0.9 }, FAILED_GESTURE_FLOOR), 0.1);
    assert.equal(combineSpoofing(0.1, { passed: false, evidence: 0 }, FAILED_GESTURE_FLOOR), 1);
    const near = combineSpoofing(0.1, { passed: false, evidence: 0.45 }, FAILED_GESTURE_FLOOR);
    assert.ok(near >= FAILED_GESTURE_FLOOR && near < 0.8, String(near));
    assert.equal(combineSpoofing(0.95, { passed: false, evidence: 0.45 }, FAILED_GESTURE_FLOOR), 0.95);
    assert.equal(combineSpoofing(0.2, undefined, FAILED_GESTURE_FLOOR), 0.2);
  });
});

const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA_TURNED = 'faces/face_recognition/examples/obama2.jpg';
const NEUTRAL = 'faces/deepface/tests/unit/dataset/img62.jpg';
const SMILING = 'faces/deepface/tests/unit/dataset/img17.jpg';
const have = [OBAMA, OBAMA_TURNED, NEUTRAL, SMILING].every((p) => dataFile(p));

describe('gestures on videos made from photos', { skip: have ? false : skipMessage(OBAMA) }, () => {
  let still: Buffer;
  before(() => {
    still = stillPhotoVideo(dataFile(OBAMA)!, 3);
  });

  for (const tag of ['video_selfie_eyes', 'video_selfie_left', 'video_selfie_right', 'video_selfie_smile']) {
    it(`a still photo looped into a video fails ${tag} and is scored as an attack`, async () => {
      const r = await analyzeMedia(still, 'video', { liveness: true, gesture: tag, actionShot: true });
      assert.equal(r.gesture!.tag, tag);
      assert.equal(r.gesture!.passed, false, r.gesture!.message);
      assert.ok(r.gesture!.evidence < 0.5);
      assert.match(r.gesture!.message, new RegExp(`\\(${tag}\\) was not detected`));
      assert.ok(r.confidenceSpoofing! > 0.5 && r.confidenceSpoofing! >= FAILED_GESTURE_FLOOR, String(r.confidenceSpoofing));
      assert.ok(r.passiveSpoofing! <= r.confidenceSpoofing!);
      // dense sampling: about 10 frames a second over the 3 s clip, scaled small
      assert.ok(r.framesScored >= 20 && r.framesScored <= 40, String(r.framesScored));
      // a failed check has every frame analysed, as a full analysis would
      assert.equal(r.framesWithFace, r.framesScored);
      assert.ok(r.timings.gestures! > 0);
    });
  }

  it('_blank needs no gesture: liveness is the passive score, sampled as for passive liveness', async () => {
    const r = await analyzeMedia(still, 'video', { liveness: true, gesture: 'video_selfie_blank' });
    assert.equal(r.gesture!.passed, true);
    assert.equal(r.confidenceSpoofing, r.passiveSpoofing);
    assert.ok(r.framesScored <= 8);
  });

  it('synthetic head turn: passes _left, fails _right; mirrored it is the other way round; the action shot is the turned face', async () => {
    const front = await faceWindow(dataFile(OBAMA)!);
    // obama2 looks to the image's left; mirrored, his nose points to the image's right = his left
    const toLeft = framesToVideo(crossFade(front, await faceWindow(dataFile(OBAMA_TURNED)!, true)));
    const l = await analyzeMedia(toLeft, 'video', { gesture: 'video_selfie_left', actionShot: true });
    assert.equal(l.gesture!.passed, true, l.gesture!.message);
    // the turn starts with the cross-fade at 1.0 s of 2.4 s
    assert.ok(l.actionShot && l.actionShot.frameIndex >= Math.floor((l.framesScored * 1.0) / 2.4), `${l.actionShot?.frameIndex} of ${l.framesScored}`);
    assert.equal(l.actionShot!.tag, 'video_selfie_left');
    assert.equal(l.actionShot!.jpeg.subarray(0, 2).toString('hex'), 'ffd8');
    // coarse to fine: the pass was found on a quarter of the frames (and those around the peak); with
    // every frame analysed the decision is the same
    assert.ok(l.framesWithFace < l.framesScored * 0.6, `${l.framesWithFace} of ${l.framesScored} frames analysed`);
    const every = await analyzeMediaDetailed(toLeft, 'video', { gesture: 'video_selfie_left' }, { coarseToFine: false });
    assert.equal(every.analysis.framesWithFace, every.analysis.framesScored);
    assert.equal(every.analysis.gesture!.passed, true);
    const lr = await analyzeMedia(toLeft, 'video', { gesture: 'video_selfie_right' });
    assert.equal(lr.gesture!.passed, false, lr.gesture!.message);
    const toRight = framesToVideo(crossFade(front, await faceWindow(dataFile(OBAMA_TURNED)!)));
    const r = await analyzeMedia(toRight, 'video', { gesture: 'video_selfie_right' });
    assert.equal(r.gesture!.passed, true, r.gesture!.message);
  });

  it('synthetic smile (neutral photo into a smiling photo of the same person) passes _smile', async () => {
    const clip = framesToVideo(crossFade(await faceWindow(dataFile(NEUTRAL)!), await faceWindow(dataFile(SMILING)!)));
    const r = await analyzeMedia(clip, 'video', { gesture: 'video_selfie_smile', actionShot: true });
    assert.equal(r.gesture!.passed, true, r.gesture!.message);
    assert.equal(r.models.expression, 'fr_expression');
  });

  it('synthetic blink (painted closed eyelids for 0.24 s) passes _eyes', async () => {
    const open = await faceWindow(dataFile(NEUTRAL)!);
    const lm = (await detectLandmarks(open, chooseFace(await detectFaces(open))!))!;
    const closed = paintClosedEyes(open, lm);
    const frames: RawFrame[] = [...Array<RawFrame>(30).fill(open), ...Array<RawFrame>(6).fill(closed), ...Array<RawFrame>(30).fill(open)];
    const r = await analyzeMedia(framesToVideo(frames), 'video', { gesture: 'video_selfie_eyes', actionShot: true });
    assert.equal(r.gesture!.passed, true, r.gesture!.message);
    assert.ok(Math.abs(r.actionShot!.frameIndex - r.framesScored / 2) <= 3, String(r.actionShot!.frameIndex));
  });

  it('a zoom made by scaling the photo passes _zoom_in and fails _zoom_out', async () => {
    const front = await faceWindow(dataFile(OBAMA)!);
    const frames: RawFrame[] = [];
    for (let i = 0; i < 60; i++) {
      const s = 1 + (0.6 * i) / 59; // the face grows 1.6 times
      frames.push(windowAround(front, { x1: 240 - 100 / s, y1: 240 - 100 / s, x2: 240 + 100 / s, y2: 240 + 100 / s }, 2.4, 480));
    }
    const clip = framesToVideo(frames);
    assert.equal((await analyzeMedia(clip, 'video', { gesture: 'video_selfie_zoom_in' })).gesture!.passed, true);
    assert.equal((await analyzeMedia(clip, 'video', { gesture: 'video_selfie_zoom_out' })).gesture!.passed, false);
  });
});
