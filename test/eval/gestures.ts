/**
 * Gesture decisions per clip (EVAL_ONLY=gestures): every motion gesture checked on
 *  - the synthetic clips of test/unit/vision/gestures.test.ts (a looped still photo, head turns to
 *    both sides, a smile, a blink, a zoom), made at run time from shared-data photos;
 *  - the presentation-attack videos of pad/dev and pad/acceptance and short_hamilton_clip.mp4 (real
 *    recordings in which nobody was asked for a gesture: measured, never tuned on).
 * Prints one line per clip and tag (passed, evidence, action-shot frame, confidence_spoofing) so
 * two runs can be compared decision by decision (the per-clip list is in results.json).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chooseFace, detectFaces, NoFaceError } from '../../layers/vision';
import { analyzeMediaDetailed } from '../../layers/vision/analyze';
import { detectLandmarks } from '../../layers/vision/landmarks';
import { crossFade, faceWindow, framesToVideo, paintClosedEyes, stillPhotoVideo, windowAround, type RawFrame } from '../unit/vision/helpers';

const MOTION_TAGS = [
  'video_selfie_left',
  'video_selfie_right',
  'video_selfie_down',
  'video_selfie_high',
  'video_selfie_scan',
  'video_selfie_eyes',
  'video_selfie_smile',
  'video_selfie_zoom_in',
  'video_selfie_zoom_out',
];
/** one tag per kind of check on the longer real recordings (turn, blink, smile, zoom) */
const RECORDING_TAGS = ['video_selfie_left', 'video_selfie_eyes', 'video_selfie_smile', 'video_selfie_zoom_in'];

export interface GestureDecision {
  clip: string;
  tag: string;
  /** null when the media has no usable face (NoFaceError) */
  passed: boolean | null;
  evidence: number | null;
  actionFrame: number | null;
  confidenceSpoofing: number | null;
  framesScored: number;
  framesWithFace: number;
  ms: number;
}

async function syntheticClips(faces: string): Promise<Array<{ name: string; video: Buffer }>> {
  const obama = path.join(faces, 'face_recognition/examples/obama.jpg');
  const turned = path.join(faces, 'face_recognition/examples/obama2.jpg');
  const neutral = path.join(faces, 'deepface/tests/unit/dataset/img62.jpg');
  const smiling = path.join(faces, 'deepface/tests/unit/dataset/img17.jpg');
  const front = await faceWindow(obama);
  const open = await faceWindow(neutral);
  const closed = paintClosedEyes(open, (await detectLandmarks(open, chooseFace(await detectFaces(open))!))!);
  const zoom: RawFrame[] = [];
  for (let i = 0; i < 60; i++) {
    const s = 1 + (0.6 * i) / 59;
    zoom.push(windowAround(front, { x1: 240 - 100 / s, y1: 240 - 100 / s, x2: 240 + 100 / s, y2: 240 + 100 / s }, 2.4, 480));
  }
  return [
    { name: 'synthetic: still photo looped 3 s', video: stillPhotoVideo(obama, 3) },
    { name: 'synthetic: turn to the left', video: framesToVideo(crossFade(front, await faceWindow(turned, true))) },
    { name: 'synthetic: turn to the right', video: framesToVideo(crossFade(front, await faceWindow(turned))) },
    { name: 'synthetic: smile', video: framesToVideo(crossFade(open, await faceWindow(smiling))) },
    { name: 'synthetic: blink', video: framesToVideo([...Array<RawFrame>(30).fill(open), ...Array<RawFrame>(6).fill(closed), ...Array<RawFrame>(30).fill(open)]) },
    { name: 'synthetic: zoom in', video: framesToVideo(zoom) },
  ];
}

function recordings(data: string): Array<{ name: string; file: string }> {
  const out: Array<{ name: string; file: string }> = [];
  for (const split of ['dev', 'acceptance']) {
    const dir = path.join(data, 'pad', split, 'videos');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (/\.(mp4|webm|mov)$/i.test(f)) out.push({ name: `pad/${split}/${f}`, file: path.join(dir, f) });
  }
  const hamilton = path.join(data, 'faces/face_recognition/examples/short_hamilton_clip.mp4');
  if (existsSync(hamilton)) out.push({ name: 'faces/short_hamilton_clip.mp4', file: hamilton });
  return out;
}

async function decide(clip: string, video: Buffer, tag: string): Promise<GestureDecision> {
  const t = performance.now();
  try {
    const { analysis: a } = await analyzeMediaDetailed(video, 'video', { liveness: true, bestShot: true, template: true, gesture: tag, actionShot: true });
    return {
      clip,
      tag,
      passed: a.gesture!.passed,
      evidence: a.gesture!.evidence,
      actionFrame: a.actionShot?.frameIndex ?? null,
      confidenceSpoofing: a.confidenceSpoofing === undefined ? null : Math.round(a.confidenceSpoofing * 1e4) / 1e4,
      framesScored: a.framesScored,
      framesWithFace: a.framesWithFace,
      ms: Math.round(performance.now() - t),
    };
  } catch (e) {
    if (!(e instanceof NoFaceError)) throw e;
    return { clip, tag, passed: null, evidence: null, actionFrame: null, confidenceSpoofing: null, framesScored: 0, framesWithFace: 0, ms: Math.round(performance.now() - t) };
  }
}

export async function evalGestures(data: string, log: (s?: string) => void): Promise<{ decisions: GestureDecision[]; passed: number; failed: number; noFace: number }> {
  log('== gesture decisions per clip (synthetic clips: every motion gesture; recordings: turn, blink, smile, zoom) ==');
  const decisions: GestureDecision[] = [];
  const show = (d: GestureDecision): void => {
    const verdict = d.passed === null ? 'no face' : d.passed ? 'PASSED' : 'failed';
    log(`  ${d.clip} | ${d.tag}: ${verdict}, evidence ${d.evidence ?? '-'}, action frame ${d.actionFrame ?? '-'}, confidence_spoofing ${d.confidenceSpoofing ?? '-'} (${d.framesWithFace}/${d.framesScored} frames with the face, ${d.ms} ms)`);
    decisions.push(d);
  };
  for (const c of await syntheticClips(path.join(data, 'faces'))) for (const tag of MOTION_TAGS) show(await decide(c.name, c.video, tag));
  for (const r of recordings(data)) {
    const video = readFileSync(r.file);
    for (const tag of RECORDING_TAGS) show(await decide(r.name, video, tag));
  }
  const passed = decisions.filter((d) => d.passed === true).length;
  const failed = decisions.filter((d) => d.passed === false).length;
  const noFace = decisions.filter((d) => d.passed === null).length;
  const ms = decisions.map((d) => d.ms).sort((a, b) => a - b);
  log(`${decisions.length} decisions: ${passed} passed, ${failed} failed, ${noFace} without a usable face; median ${ms[ms.length >> 1]} ms per analysis`);
  log();
  return { decisions, passed, failed, noFace };
}
