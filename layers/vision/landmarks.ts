/**
 * 68-point landmarks with fr_landmark.onnx, fed as shared notes/models.md measured best: the
 * Python SDK's crop (a square of side sqrt(w * h) on the detector box centre, widened 5 % left and
 * right, extended 10 % downward, clipped, truncated), bilinear to 64x64, gray (OpenCV weights),
 * gray / 256. The output (136 values) is normalised to the crop.
 * Also: the five ArcFace points, and cheap geometric proxies for yaw, pitch, roll, eye and mouth
 * opening computed from the 68 points.
 */
import type { FaceBox } from './faces';
import { grayRoiToTensor, type Rect } from './imageops';
import { getModel, outputData, runModel } from './onnx';
import type { Frame } from './types';

/** 68 (x, y) points in frame pixels, iBUG-68 order: [x0, y0, x1, y1, ...]. */
export type Landmarks68 = Float32Array;

/** The Python SDK's landmark crop (integer rectangle inside the frame), or null when degenerate. */
export function landmarkCrop(face: FaceBox, width: number, height: number): Rect | null {
  const w = face.x2 - face.x1;
  const h = face.y2 - face.y1;
  if (!(w > 1 && h > 1)) return null;
  const side = Math.sqrt(w * h);
  const cx = (face.x1 + face.x2) / 2;
  const cy = (face.y1 + face.y2) / 2;
  const x1 = Math.trunc(Math.max(0, cx - side / 2 - 0.05 * side));
  const x2 = Math.trunc(Math.min(width - 1, cx + side / 2 + 0.05 * side));
  const y1 = Math.trunc(Math.max(0, cy - side / 2));
  const y2 = Math.trunc(Math.min(height - 1, cy + side / 2 + 0.1 * side));
  if (x2 - x1 < 2 || y2 - y1 < 2) return null;
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

/** 68 landmarks of a detected face, in frame pixels; null when the box cannot be cropped. */
export async function detectLandmarks(frame: Frame, face: FaceBox): Promise<Landmarks68 | null> {
  const crop = landmarkCrop(face, frame.width, frame.height);
  if (!crop) return null;
  const m = await getModel('fr_landmark');
  const input = grayRoiToTensor(frame, crop, 64, 64, 256);
  const out = outputData(await runModel(m, input, [1, 1, 64, 64]), 'output');
  const pts = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    pts[2 * i] = out[2 * i]! * crop.w + crop.x;
    pts[2 * i + 1] = out[2 * i + 1]! * crop.h + crop.y;
  }
  return pts;
}

const px = (lm: Landmarks68, i: number): number => lm[2 * i]!;
const py = (lm: Landmarks68, i: number): number => lm[2 * i + 1]!;
const meanOf = (lm: Landmarks68, idx: readonly number[]): [number, number] => {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += px(lm, i);
    y += py(lm, i);
  }
  return [x / idx.length, y / idx.length];
};

/** Eye-lid points (0-based) of the eye on the image's left (the subject's right) and right. */
export const LEFT_EYE_LIDS = [37, 38, 40, 41] as const;
export const RIGHT_EYE_LIDS = [43, 44, 46, 47] as const;

/** Five points for alignment: left eye, right eye, nose tip, left and right mouth corners (image sides). */
export function fivePoints(lm: Landmarks68): Array<[number, number]> {
  return [
    meanOf(lm, LEFT_EYE_LIDS),
    meanOf(lm, RIGHT_EYE_LIDS),
    [px(lm, 30), py(lm, 30)],
    meanOf(lm, [48, 60]),
    meanOf(lm, [54, 64]),
  ];
}

export interface LandmarkGeometry {
  /** distance between the eye centres, pixels */
  interOcular: number;
  /**
   * (nose tip x - eye midpoint x) / inter-ocular distance, in the face's own frame (roll
   * removed). Positive when the nose points to the image's right. About 0 when frontal.
   */
  yaw: number;
  /**
   * vertical position of the nose tip between the eye line (0) and the mouth line (1), in the face's
   * frame. Larger when the head tilts down, smaller when it is raised.
   */
  pitch: number;
  /** angle of the eye line, degrees (positive = clockwise in the image) */
  roll: number;
  /** eye aspect ratio (lid opening / eye width), mean of both eyes; about 0.25-0.35 open, < 0.15 closed */
  eyeOpening: number;
  /** mouth corner distance / inter-ocular distance (grows with a smile) */
  mouthWidth: number;
  /** left-right symmetry 0..1 of the jaw outline about the nose (1 = symmetric, i.e. frontal) */
  symmetry: number;
}

const dist = (a: [number, number], b: [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Geometric pose / expression proxies from the 68 points. */
export function landmarkGeometry(lm: Landmarks68): LandmarkGeometry {
  const le = meanOf(lm, LEFT_EYE_LIDS);
  const re = meanOf(lm, RIGHT_EYE_LIDS);
  const iod = Math.max(1e-6, dist(le, re));
  const ang = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const cos = Math.cos(-ang);
  const sin = Math.sin(-ang);
  const mid: [number, number] = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  // rotate into the face frame (eye line horizontal), origin at the eye midpoint
  const rot = (p: [number, number]): [number, number] => {
    const x = p[0] - mid[0];
    const y = p[1] - mid[1];
    return [x * cos - y * sin, x * sin + y * cos];
  };
  const nose = rot([px(lm, 30), py(lm, 30)]);
  const mouth = rot(meanOf(lm, [48, 54, 60, 64]));
  const ear = (a: number, b: number, c: number, d: number, l: number, r: number): number =>
    (dist([px(lm, a), py(lm, a)], [px(lm, d), py(lm, d)]) + dist([px(lm, b), py(lm, b)], [px(lm, c), py(lm, c)])) /
    (2 * Math.max(1e-6, dist([px(lm, l), py(lm, l)], [px(lm, r), py(lm, r)])));
  const earL = ear(37, 38, 40, 41, 36, 39);
  const earR = ear(43, 44, 46, 47, 42, 45);
  const mouthW = dist(meanOf(lm, [48, 60]), meanOf(lm, [54, 64]));
  // jaw symmetry: distances from the nose tip to the jaw points on both sides (0..7 vs 16..9)
  const n: [number, number] = [px(lm, 30), py(lm, 30)];
  let sym = 0;
  for (let i = 0; i < 8; i++) {
    const dl = dist(n, [px(lm, i), py(lm, i)]);
    const dr = dist(n, [px(lm, 16 - i), py(lm, 16 - i)]);
    sym += Math.min(dl, dr) / Math.max(1e-6, Math.max(dl, dr));
  }
  return {
    interOcular: iod,
    yaw: nose[0] / iod,
    pitch: mouth[1] > 1e-6 ? nose[1] / mouth[1] : 0.5,
    roll: (ang * 180) / Math.PI,
    eyeOpening: (earL + earR) / 2,
    mouthWidth: mouthW / iod,
    symmetry: sym / 8,
  };
}
