/**
 * Active liveness: did the face in a video do what its video_selfie_* tag asks?
 *
 * Every check looks at the primary face across the (densely) sampled frames and measures how far
 * a signal moved in the asked direction *during* the clip, as a ratio to what is required (1 =
 * just enough). Two signals are combined where two exist: a landmark-geometry proxy (immune to
 * planar tricks: a bent or tilted photo does not move the nose relative to the eyes) and a network
 * (fr_pose, fr_eye, fr_expression). evidence = ratio / 2 clamped to 0..1, so 0.5 is the pass mark;
 * passed needs the combined ratio >= 1 and the leading signal at least 0.75 of its own requirement.
 * A video made from one still photo moves nothing and fails every gesture but _blank / _oneshot.
 *
 * Directions are the subject's own: video_selfie_left = the person turns their head to their left.
 * In a camera image that is not mirrored, their nose then moves towards the image's right. Set
 * OZ_SELFIE_MIRRORED=1 when the clients record mirrored (preview-like) videos.
 *
 * Checks (rise(x) = the largest increase of x from any frame to a later one):
 *   _left / _right  yaw: landmark proxy (nose x - eye-midpoint x) / eye distance, rise >= 0.12
 *                   and the peak >= 0.12 towards that side (about 12 degrees); fr_pose yaw rise
 *                   >= 20 degrees. ratio = 0.7 * proxy + 0.3 * pose.
 *   _down / _high   pitch: landmark proxy (nose tip between eye line 0 and mouth line 1) rise
 *                   >= 0.10 downward / upward; fr_pose pitch rise >= 15 degrees. 0.7 / 0.3.
 *   _scan           a scan of the face from both sides: yaw proxy reaching >= 0.12 on BOTH sides
 *                   of frontal (and fr_pose >= 15 degrees on both sides), i.e. the head (or the
 *                   phone) swept across; ratio from the weaker side.
 *   _eyes           blink: fr_eye p(open) falls by >= 0.5 from an earlier frame to a frame and
 *                   recovers after it (closed, then open again); the eye aspect ratio drops by
 *                   >= 35 % there. 0.7 * fr_eye + 0.3 * aspect ratio.
 *   _smile          fr_expression p(happy) rises by >= 0.3 to >= 0.5 (on a few frames: the widest
 *                   and narrowest mouths and 3 evenly spread frames, the net costs 85 ms a frame);
 *                   mouth width / eye distance rises by >= 0.08. 0.5 * expression + 0.5 * mouth.
 *   _zoom_in/_out   face height / frame height grows (shrinks) by a factor >= 1.25.
 *   _blank/_oneshot no gesture: passed, evidence 1.
 */
import type { EyeState, HeadPose } from './attributes';
import type { FaceBox } from './faces';
import type { LandmarkGeometry } from './landmarks';
import { visionSettings } from './settings';

export const GESTURE_TAGS = [
  'video_selfie_left',
  'video_selfie_right',
  'video_selfie_down',
  'video_selfie_high',
  'video_selfie_smile',
  'video_selfie_eyes',
  'video_selfie_scan',
  'video_selfie_zoom_in',
  'video_selfie_zoom_out',
  'video_selfie_oneshot',
  'video_selfie_blank',
] as const;
export type GestureTag = (typeof GESTURE_TAGS)[number];

export function isGestureTag(tag: string): tag is GestureTag {
  return (GESTURE_TAGS as readonly string[]).includes(tag);
}

/** What the face did in one frame (only frames where the primary face was found). */
export interface FaceObservation {
  /** index among the analysed frames */
  index: number;
  box: FaceBox;
  /** frame height in pixels */
  frameHeight: number;
  geometry?: LandmarkGeometry;
  pose?: HeadPose | null;
  eyes?: EyeState;
  /** p(happy), only on the frames where fr_expression ran */
  happy?: number | null;
}

export interface GestureNeeds {
  landmarks: boolean;
  pose: boolean;
  eyes: boolean;
  expression: boolean;
  /** the gesture needs motion, hence dense sampling */
  motion: boolean;
  /**
   * the check only measures largest rises, peaks and extremes over the frames, so a pass on some of
   * them is a pass on all (the analysis may then look coarse to fine); false for the blink and the
   * smile, whose verdict can fall as well as rise with more frames
   */
  monotone: boolean;
}

export interface GestureResult {
  tag: string;
  passed: boolean;
  /** 0..1; 0.5 is the pass mark */
  evidence: number;
  message: string;
  /** analysed-frame index where the gesture peaks (action shot), when one does */
  peakIndex: number | null;
}

interface Spec {
  label: string;
  needs: GestureNeeds;
}

const NONE: GestureNeeds = { landmarks: false, pose: false, eyes: false, expression: false, motion: false, monotone: false };
const TURN: GestureNeeds = { landmarks: true, pose: true, eyes: false, expression: false, motion: true, monotone: true };

const SPECS: Record<GestureTag, Spec> = {
  video_selfie_left: { label: 'head turn to the left', needs: TURN },
  video_selfie_right: { label: 'head turn to the right', needs: TURN },
  video_selfie_down: { label: 'head tilt down', needs: TURN },
  video_selfie_high: { label: 'head raise', needs: TURN },
  video_selfie_scan: { label: 'face scan (head turned to both sides)', needs: TURN },
  video_selfie_eyes: { label: 'blink', needs: { landmarks: true, pose: false, eyes: true, expression: false, motion: true, monotone: false } },
  video_selfie_smile: { label: 'smile', needs: { landmarks: true, pose: false, eyes: false, expression: true, motion: true, monotone: false } },
  video_selfie_zoom_in: { label: 'zoom in (face moving closer)', needs: { ...NONE, motion: true, monotone: true } },
  video_selfie_zoom_out: { label: 'zoom out (face moving away)', needs: { ...NONE, motion: true, monotone: true } },
  video_selfie_oneshot: { label: 'one shot', needs: NONE },
  video_selfie_blank: { label: 'no gesture', needs: NONE },
};

export function gestureNeeds(tag: GestureTag): GestureNeeds {
  return SPECS[tag].needs;
}

export function gestureLabel(tag: GestureTag): string {
  return SPECS[tag].label;
}

/** Thresholds (see the file comment). */
export const GESTURE_THRESHOLDS = {
  yawProxy: 0.12,
  yawPoseDeg: 20,
  scanPoseDeg: 15,
  pitchProxy: 0.1,
  pitchPoseDeg: 15,
  eyeDrop: 0.5,
  earDropFraction: 0.35,
  happyRise: 0.3,
  happyPeak: 0.5,
  mouthRise: 0.08,
  zoomFactor: 1.25,
  /** the leading signal must reach this share of its own requirement */
  leadMin: 0.75,
  minFrames: 3,
} as const;

const mirrored = (): boolean => visionSettings().selfieMirrored;

const cap2 = (x: number): number => (Number.isFinite(x) ? Math.min(2, Math.max(0, x)) : 0);
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Largest increase from any element to a later one, and where the later one is. */
export function rise(xs: ReadonlyArray<number | null>): { value: number; at: number } {
  let lo = Infinity;
  let best = 0;
  let at = -1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null || x === undefined || !Number.isFinite(x)) continue;
    if (x - lo > best) {
      best = x - lo;
      at = i;
    }
    if (x < lo) lo = x;
  }
  return { value: best, at };
}

function argmax(xs: ReadonlyArray<number | null>): number {
  let b = -Infinity;
  let at = -1;
  xs.forEach((x, i) => {
    if (x !== null && Number.isFinite(x) && x > b) {
      b = x;
      at = i;
    }
  });
  return at;
}

interface Verdict {
  ratio: number;
  lead: number;
  peak: number;
  detail: string;
}

function result(tag: GestureTag, obs: readonly FaceObservation[], v: Verdict): GestureResult {
  const passed = v.ratio >= 1 && v.lead >= GESTURE_THRESHOLDS.leadMin;
  let evidence = Math.min(1, Math.max(0, v.ratio / 2));
  evidence = passed ? Math.max(0.5, evidence) : Math.min(0.49, evidence);
  const what = `${SPECS[tag].label} (${tag})`;
  return {
    tag,
    passed,
    evidence: round2(evidence),
    message: passed ? `${what} detected: ${v.detail}` : `${what} was not detected: ${v.detail}`,
    peakIndex: v.peak >= 0 ? (obs[v.peak]?.index ?? null) : null,
  };
}

function turn(tag: GestureTag, obs: readonly FaceObservation[], sign: 1 | -1): GestureResult {
  const T = GESTURE_THRESHOLDS;
  // towards the asked side: + for the subject's left (nose to the image's right when not mirrored)
  const s = obs.map((o) => (o.geometry ? sign * o.geometry.yaw : null));
  // fr_pose yaw is positive when the nose points to the image's left (measured: README)
  const p = obs.map((o) => (o.pose ? -sign * o.pose.yaw : null));
  const rl = rise(s);
  const peakVal = s.reduce<number>((m, x) => (x !== null && x > m ? x : m), -Infinity);
  const rp = rise(p);
  const rLm = Math.min(rl.value / T.yawProxy, peakVal / T.yawProxy);
  const rPose = rp.value / T.yawPoseDeg;
  const ratio = 0.7 * cap2(rLm) + 0.3 * cap2(rPose);
  const combined = s.map((x, i) => (x === null ? null : x / T.yawProxy + 0.3 * ((p[i] ?? 0) / T.yawPoseDeg)));
  return result(tag, obs, {
    ratio,
    lead: rLm,
    peak: argmax(combined),
    detail: `landmark yaw moved ${round2(rl.value)} towards that side (peak ${round2(Number.isFinite(peakVal) ? peakVal : 0)}; ${T.yawProxy} needed), head pose ${Math.round(rp.value)} degrees (${T.yawPoseDeg} needed)`,
  });
}

function tilt(tag: GestureTag, obs: readonly FaceObservation[], down: boolean): GestureResult {
  const T = GESTURE_THRESHOLDS;
  const sg = down ? 1 : -1;
  // the pitch proxy grows when the head tilts down; fr_pose pitch is positive when it is raised
  const s = obs.map((o) => (o.geometry ? sg * o.geometry.pitch : null));
  const p = obs.map((o) => (o.pose ? -sg * o.pose.pitch : null));
  const rl = rise(s);
  const rp = rise(p);
  const rLm = rl.value / T.pitchProxy;
  const rPose = rp.value / T.pitchPoseDeg;
  const ratio = 0.7 * cap2(rLm) + 0.3 * cap2(rPose);
  const combined = s.map((x, i) => (x === null ? null : x / T.pitchProxy + 0.3 * ((p[i] ?? 0) / T.pitchPoseDeg)));
  return result(tag, obs, {
    ratio,
    lead: rLm,
    peak: argmax(combined),
    detail: `landmark pitch moved ${round2(rl.value)} (${T.pitchProxy} needed), head pose ${Math.round(rp.value)} degrees (${T.pitchPoseDeg} needed)`,
  });
}

function scan(tag: GestureTag, obs: readonly FaceObservation[]): GestureResult {
  const T = GESTURE_THRESHOLDS;
  const ys = obs.map((o) => o.geometry?.yaw ?? null).filter((x): x is number => x !== null);
  const ps = obs.map((o) => (o.pose ? -o.pose.yaw : null)).filter((x): x is number => x !== null);
  const maxOf = (xs: number[]): number => (xs.length ? Math.max(...xs) : 0);
  const minOf = (xs: number[]): number => (xs.length ? Math.min(...xs) : 0);
  const rLm = Math.min(maxOf(ys) / T.yawProxy, -minOf(ys) / T.yawProxy);
  const rPose = Math.min(maxOf(ps) / T.scanPoseDeg, -minOf(ps) / T.scanPoseDeg);
  const ratio = 0.7 * cap2(rLm) + 0.3 * cap2(rPose);
  return result(tag, obs, {
    ratio,
    lead: rLm,
    peak: argmax(obs.map((o) => (o.geometry ? Math.abs(o.geometry.yaw) : null))),
    detail: `landmark yaw reached ${round2(maxOf(ys))} and ${round2(minOf(ys))} (+-${T.yawProxy} needed on both sides), head pose ${Math.round(maxOf(ps))} and ${Math.round(minOf(ps))} degrees (+-${T.scanPoseDeg} needed)`,
  });
}

function blink(tag: GestureTag, obs: readonly FaceObservation[]): GestureResult {
  const T = GESTURE_THRESHOLDS;
  const open = obs.map((o) => o.eyes?.open ?? null);
  const ear = obs.map((o) => o.geometry?.eyeOpening ?? null);
  // for each frame: how far p(open) fell from the most open frame before it, limited by how far it
  // recovers in a later frame (closed, then open again)
  let best = 0;
  let bestEar = 0;
  let at = -1;
  for (let i = 1; i < obs.length - 1; i++) {
    const x = open[i];
    if (x === null || x === undefined) continue;
    let before = -Infinity;
    let after = -Infinity;
    let earBefore = -Infinity;
    let earAfter = -Infinity;
    for (let j = 0; j < i; j++) {
      before = Math.max(before, open[j] ?? -Infinity);
      earBefore = Math.max(earBefore, ear[j] ?? -Infinity);
    }
    for (let j = i + 1; j < obs.length; j++) {
      after = Math.max(after, open[j] ?? -Infinity);
      earAfter = Math.max(earAfter, ear[j] ?? -Infinity);
    }
    const drop = Math.min(before, after) - x;
    if (drop > best) {
      best = drop;
      at = i;
      const e = ear[i];
      const ref = Math.min(earBefore, earAfter);
      bestEar = e !== null && e !== undefined && ref > 0 ? (ref - e) / ref : 0;
    }
  }
  const rEye = best / T.eyeDrop;
  const rEar = bestEar / T.earDropFraction;
  const ratio = 0.7 * cap2(rEye) + 0.3 * cap2(rEar);
  return result(tag, obs, {
    ratio,
    lead: rEye,
    peak: at,
    detail: `eyes-open probability fell by ${round2(best)} and recovered (${T.eyeDrop} needed), eye aspect ratio fell ${Math.round(bestEar * 100)} % (${Math.round(T.earDropFraction * 100)} % needed)`,
  });
}

/** Analysed-frame positions (into `obs`) where fr_expression should run for the smile check. */
export function smileCandidates(obs: readonly FaceObservation[]): number[] {
  const mw = obs.map((o) => o.geometry?.mouthWidth ?? null);
  const picks = new Set<number>();
  const hi = argmax(mw);
  if (hi >= 0) {
    picks.add(hi);
    const lo = argmax(mw.slice(0, hi + 1).map((x) => (x === null ? null : -x)));
    if (lo >= 0) picks.add(lo);
  }
  const n = obs.length;
  for (const f of [0, 0.5, 1]) if (n > 0) picks.add(Math.min(n - 1, Math.round(f * (n - 1))));
  return [...picks].sort((a, b) => a - b);
}

function smile(tag: GestureTag, obs: readonly FaceObservation[]): GestureResult {
  const T = GESTURE_THRESHOLDS;
  const mw = obs.map((o) => o.geometry?.mouthWidth ?? null);
  const happy = obs.map((o) => (o.happy === undefined ? null : o.happy));
  const rm = rise(mw);
  const rh = rise(happy);
  const peakHappy = happy.reduce<number>((m, x) => (x !== null && x > m ? x : m), 0);
  const rExpr = Math.min(rh.value / T.happyRise, peakHappy / T.happyPeak);
  const rMouth = rm.value / T.mouthRise;
  const ratio = 0.5 * cap2(rExpr) + 0.5 * cap2(rMouth);
  const peak = argmax(happy.map((h, i) => (h === null ? null : h + 0.01 * (mw[i] ?? 0))));
  return result(tag, obs, {
    ratio,
    lead: rExpr,
    peak: peak >= 0 ? peak : argmax(mw),
    detail: `p(happy) rose by ${round2(rh.value)} to ${round2(peakHappy)} (a rise of ${T.happyRise} to ${T.happyPeak} needed), mouth width rose by ${round2(rm.value)} eye distances (${T.mouthRise} needed)`,
  });
}

function zoom(tag: GestureTag, obs: readonly FaceObservation[], zoomIn: boolean): GestureResult {
  const T = GESTURE_THRESHOLDS;
  // log size, so that in and out are symmetric
  const ls = obs.map((o) => Math.log(Math.max(1e-6, (o.box.y2 - o.box.y1) / o.frameHeight)) * (zoomIn ? 1 : -1));
  const r = rise(ls);
  const factor = Math.exp(r.value);
  const need = Math.log(T.zoomFactor);
  const rz = r.value / need;
  return result(tag, obs, {
    ratio: cap2(rz),
    lead: rz,
    peak: argmax(ls),
    detail: `the face ${zoomIn ? 'grew' : 'shrank'} by a factor of ${round2(factor)} (${T.zoomFactor} needed)`,
  });
}

/**
 * Checks a gesture on the primary face's observations (frames in order). Needs at least three
 * frames with the face for any gesture that involves motion.
 */
export function evaluateGesture(tag: GestureTag, obs: readonly FaceObservation[]): GestureResult {
  const spec = SPECS[tag];
  if (!spec.needs.motion) return { tag, passed: true, evidence: 1, message: `${spec.label} (${tag}): no gesture to check`, peakIndex: null };
  if (obs.length < GESTURE_THRESHOLDS.minFrames) {
    return {
      tag,
      passed: false,
      evidence: 0,
      message: `${spec.label} (${tag}) was not detected: the face was found in ${obs.length} frame(s); a gesture needs a video with the face in at least ${GESTURE_THRESHOLDS.minFrames}`,
      peakIndex: null,
    };
  }
  const m = mirrored() ? -1 : 1;
  switch (tag) {
    case 'video_selfie_left':
      return turn(tag, obs, m === 1 ? 1 : -1);
    case 'video_selfie_right':
      return turn(tag, obs, m === 1 ? -1 : 1);
    case 'video_selfie_down':
      return tilt(tag, obs, true);
    case 'video_selfie_high':
      return tilt(tag, obs, false);
    case 'video_selfie_scan':
      return scan(tag, obs);
    case 'video_selfie_eyes':
      return blink(tag, obs);
    case 'video_selfie_smile':
      return smile(tag, obs);
    case 'video_selfie_zoom_in':
      return zoom(tag, obs, true);
    case 'video_selfie_zoom_out':
      return zoom(tag, obs, false);
    default:
      return { tag, passed: true, evidence: 1, message: `${spec.label} (${tag}): no gesture to check`, peakIndex: null };
  }
}

/**
 * confidence_spoofing with the gesture taken into account: a failed gesture raises the passive
 * score to at least 0.75, up to 1 when nothing of the gesture was seen; a passed one leaves it.
 */
export function combineSpoofing(passive: number, gesture: Pick<GestureResult, 'passed' | 'evidence'> | null | undefined, floor: number): number {
  if (!gesture || gesture.passed) return passive;
  const lack = Math.min(1, Math.max(0, 1 - gesture.evidence / 0.5));
  return Math.max(passive, floor + (1 - floor) * lack);
}
