/**
 * Per-face attributes for quality and gestures, each fed as shared notes/models.md says:
 *  - fr_eye.onnx: per eye, a square around the mean of the four lid points, side 1.6 x the eye
 *    corner x-distance, clipped (shrunk at the bottom/right edge), 24x24 gray / 255; softmax,
 *    index 0 = closed.
 *  - fr_pose.onnx (HopeNet): the JS square box grown by a quarter on every side (1.5x), clipped,
 *    224x224, v / 255 then ImageNet mean/std per plane; three 66-bin heads (yaw, pitch, roll),
 *    softmax, expectation x 3 - 99 degrees. Channel order: see POSE_ORDER.
 *  - fr_expression.onnx: the ROI starts at the square box's top-left corner and is 1.2x its width
 *    and height (right / down only), capped at the frame, 224x224 RGB, v / 255; softmax over the
 *    FER-2013 labels (index 3 = happy). About 85 ms a face on one core: used sparingly.
 */
import { squareBox, type FaceBox } from './faces';
import { grayRoiToTensor, roiToTensor, type Rect } from './imageops';
import type { Landmarks68 } from './landmarks';
import { getModel, outputData, runModel, softmax } from './onnx';
import type { Frame } from './types';

/** Square eye crop of the JS (integer maths as parseInt does), or null when degenerate. */
export function eyeCrop(lm: Landmarks68, lids: readonly number[], cornerL: number, cornerR: number, width: number, height: number): Rect | null {
  let cx = 0;
  let cy = 0;
  for (const i of lids) {
    cx += lm[2 * i]!;
    cy += lm[2 * i + 1]!;
  }
  cx = Math.trunc(cx / lids.length);
  cy = Math.trunc(cy / lids.length);
  let size = Math.trunc((lm[2 * cornerR]! - lm[2 * cornerL]!) * 1.6);
  if (size < 2) return null;
  const x = Math.max(0, Math.trunc(cx - size / 2));
  const y = Math.max(0, Math.trunc(cy - size / 2));
  if (x + size >= width) size = width - x - 1;
  if (y + size >= height) size = height - y - 1;
  if (size < 2) return null;
  return { x, y, w: size, h: size };
}

export interface EyeState {
  /** p(open) of the eye on the image's left / right; null when it could not be cropped */
  left: number | null;
  right: number | null;
  /** mean p(open) of the eyes that could be cropped (null when neither) */
  open: number | null;
}

async function eyeOpen(frame: Frame, crop: Rect | null): Promise<number | null> {
  if (!crop) return null;
  const m = await getModel('fr_eye');
  const input = grayRoiToTensor(frame, crop, 24, 24, 255);
  const p = softmax(outputData(await runModel(m, input, [1, 1, 24, 24]), 'output'));
  return p[1] ?? null;
}

/** Open / closed probabilities of both eyes. */
export async function eyeState(frame: Frame, lm: Landmarks68): Promise<EyeState> {
  const left = await eyeOpen(frame, eyeCrop(lm, [37, 38, 40, 41], 36, 39, frame.width, frame.height));
  const right = await eyeOpen(frame, eyeCrop(lm, [43, 44, 46, 47], 42, 45, frame.width, frame.height));
  const xs = [left, right].filter((x): x is number => x !== null);
  return { left, right, open: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null };
}

export interface HeadPose {
  /** degrees; see README for the signs */
  yaw: number;
  pitch: number;
  roll: number;
}

/**
 * Channel order fed to fr_pose. The vendor JS sends B,G,R (its swap bug); shared notes measured
 * that RGB agrees better with the landmark yaw proxy (|r| 0.45 vs 0.32). Our own check (flipped
 * photos must give opposite yaw; see test/eval) agreed, so RGB it is.
 */
export const POSE_ORDER: 'RGB' | 'BGR' = 'RGB';

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** The pose crop: the JS square box grown by 1/4 of its side on every side, clipped. */
export function poseCrop(face: FaceBox, width: number, height: number): Rect | null {
  const q = squareBox(face, width, height);
  const w = q.x2 - q.x1;
  const h = q.y2 - q.y1;
  if (w < 2 || h < 2) return null;
  const x1 = Math.max(0, Math.trunc(q.x1 - w / 4));
  const y1 = Math.max(0, Math.trunc(q.y1 - h / 4));
  const x2 = Math.min(width, Math.trunc(q.x2 + w / 4));
  const y2 = Math.min(height, Math.trunc(q.y2 + h / 4));
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

const decodeAngle = (logits: Float32Array): number => {
  const p = softmax(logits);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i]! * i;
  return s * 3 - 99;
};

/** HopeNet yaw / pitch / roll in degrees, or null when the box cannot be cropped. */
export async function headPose(frame: Frame, face: FaceBox, order: 'RGB' | 'BGR' = POSE_ORDER): Promise<HeadPose | null> {
  const crop = poseCrop(face, frame.width, frame.height);
  if (!crop) return null;
  const m = await getModel('fr_pose');
  const t = roiToTensor(frame, crop, 224, 224, { order, mean: 0, std: 255 });
  const plane = 224 * 224;
  for (let c = 0; c < 3; c++) {
    const mu = IMAGENET_MEAN[c]!;
    const sd = IMAGENET_STD[c]!;
    for (let i = c * plane; i < (c + 1) * plane; i++) t[i] = (t[i]! - mu) / sd;
  }
  const out = await runModel(m, t, [1, 3, 224, 224]);
  return { yaw: decodeAngle(outputData(out, 'output')), pitch: decodeAngle(outputData(out, '617')), roll: decodeAngle(outputData(out, '618')) };
}

export const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

/** The expression crop: from the square box's top-left corner, 1.2x its size, capped at the frame. */
export function expressionCrop(face: FaceBox, width: number, height: number): Rect | null {
  const q = squareBox(face, width, height);
  const w = q.x2 - q.x1;
  const h = q.y2 - q.y1;
  if (w < 2 || h < 2) return null;
  const cw = Math.min(Math.trunc(w * 1.2), width - 1 - q.x1);
  const ch = Math.min(Math.trunc(h * 1.2), height - 1 - q.y1);
  if (cw < 2 || ch < 2) return null;
  return { x: q.x1, y: q.y1, w: cw, h: ch };
}

/** p(happy) from fr_expression, or null when the box cannot be cropped. */
export async function happiness(frame: Frame, face: FaceBox): Promise<number | null> {
  const crop = expressionCrop(face, frame.width, frame.height);
  if (!crop) return null;
  const m = await getModel('fr_expression');
  const t = roiToTensor(frame, crop, 224, 224, { order: 'RGB', mean: 0, std: 255 });
  const p = softmax(outputData(await runModel(m, t, [1, 3, 224, 224]), 'output'));
  return p[3] ?? null;
}
