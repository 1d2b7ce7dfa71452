/**
 * Face detection with fr_detect.onnx (Ultra-Light-Fast-Generic-Face-Detector RFB 320x240), fed as
 * measured in shared notes/models.md: the whole frame stretched to 320x240 (bilinear, no
 * letterbox), (v - 127) / 128, RGB (order measured not to matter). The graph already softmaxes
 * the scores and decodes the boxes (corner form, 0..1): no prior decoding here.
 * Post-processing: score >= 0.6, hard NMS at IoU 0.3 in score order (not the vendor JS's
 * bottom-edge order), boxes scaled to the frame and clipped, then boxes smaller than the minimum
 * face size are dropped. The face to use is the highest score, near-ties broken by area.
 */
import { roiToTensor } from './imageops';
import { getModel, outputData, runModel } from './onnx';
import type { Frame } from './types';

export interface FaceBox {
  /** corners in frame pixels (clipped to the frame) */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** detector face probability */
  score: number;
}

export interface DetectOptions {
  /** minimum face probability (default 0.6, the Python SDK's) */
  scoreThreshold?: number;
  /** hard-NMS IoU (default 0.3) */
  nmsIou?: number;
  /** a face's box height must be at least this many frame pixels (default 40) ... */
  minFacePx?: number;
  /** ... and at least this fraction of the frame's shorter side (default 0.05) */
  minFaceFraction?: number;
  /** candidates kept before NMS (default 750, the vendor's top_k) */
  topK?: number;
}

export const DETECT_DEFAULTS: Required<DetectOptions> = {
  scoreThreshold: 0.6,
  nmsIou: 0.3,
  minFacePx: 40,
  minFaceFraction: 0.05,
  topK: 750,
};

const DET_W = 320;
const DET_H = 240;

function iou(a: FaceBox, b: FaceBox): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const ua = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return ua > 0 ? inter / ua : 0;
}

/** Hard NMS: boxes sorted by score (descending); a box is dropped when IoU > thr with a kept one. */
export function nms(sorted: FaceBox[], thr: number): FaceBox[] {
  const keep: FaceBox[] = [];
  for (const b of sorted) {
    if (keep.every((k) => iou(k, b) <= thr)) keep.push(b);
  }
  return keep;
}

/** Turns raw model outputs into frame-space boxes (threshold, top-k, NMS, scale, clip). */
export function postprocess(scores: Float32Array, boxes: Float32Array, width: number, height: number, opts: DetectOptions = {}): FaceBox[] {
  const o = { ...DETECT_DEFAULTS, ...opts };
  const n = Math.min(scores.length / 2, boxes.length / 4);
  const cands: FaceBox[] = [];
  for (let i = 0; i < n; i++) {
    const s = scores[i * 2 + 1]!;
    if (!(s >= o.scoreThreshold)) continue;
    cands.push({ x1: boxes[i * 4]!, y1: boxes[i * 4 + 1]!, x2: boxes[i * 4 + 2]!, y2: boxes[i * 4 + 3]!, score: s });
  }
  cands.sort((a, b) => b.score - a.score);
  if (cands.length > o.topK) cands.length = o.topK;
  const kept = nms(cands, o.nmsIou);
  const minSide = Math.max(o.minFacePx, o.minFaceFraction * Math.min(width, height));
  const out: FaceBox[] = [];
  for (const b of kept) {
    const f: FaceBox = {
      x1: Math.max(0, Math.min(width - 1, b.x1 * width)),
      y1: Math.max(0, Math.min(height - 1, b.y1 * height)),
      x2: Math.max(0, Math.min(width - 1, b.x2 * width)),
      y2: Math.max(0, Math.min(height - 1, b.y2 * height)),
      score: b.score,
    };
    if (f.x2 - f.x1 < 1 || f.y2 - f.y1 < minSide) continue;
    out.push(f);
  }
  return out;
}

/** All faces in the frame, highest score first. */
export async function detectFaces(frame: Frame, opts: DetectOptions = {}): Promise<FaceBox[]> {
  const m = await getModel('fr_detect');
  const input = roiToTensor(frame, { x: 0, y: 0, w: frame.width, h: frame.height }, DET_W, DET_H, { order: 'RGB', mean: 127, std: 128 });
  const out = await runModel(m, input, [1, 3, DET_H, DET_W]);
  return postprocess(outputData(out, 'scores'), outputData(out, 'boxes'), frame.width, frame.height, opts);
}

/** Scores closer than this count as a tie (broken by area). */
export const SCORE_TIE = 1e-3;

/** The face to analyse: the highest score; among near-equal scores, the largest box. */
export function chooseFace(faces: readonly FaceBox[]): FaceBox | null {
  if (faces.length === 0) return null;
  let best = -Infinity;
  for (const f of faces) best = Math.max(best, f.score);
  let pick: FaceBox | null = null;
  for (const f of faces) {
    if (f.score < best - SCORE_TIE) continue;
    if (!pick || area(f) > area(pick)) pick = f;
  }
  return pick;
}

export function area(f: FaceBox): number {
  return (f.x2 - f.x1) * (f.y2 - f.y1);
}

/** The detected face to analyse in a frame, or null. */
export async function detectFace(frame: Frame, opts: DetectOptions = {}): Promise<FaceBox | null> {
  return chooseFace(await detectFaces(frame, opts));
}

/**
 * The vendor JS "square box": side = box height, centred on the box, clipped to the frame, then
 * truncated to integers (the JS parseInt) as its liveness code does.
 */
export function squareBox(f: FaceBox, width: number, height: number): { x1: number; y1: number; x2: number; y2: number } {
  const side = f.y2 - f.y1;
  const cx = (f.x1 + f.x2) / 2;
  const cy = (f.y1 + f.y2) / 2;
  return {
    x1: Math.trunc(Math.max(0, cx - side / 2)),
    y1: Math.trunc(Math.max(0, cy - side / 2)),
    x2: Math.trunc(Math.min(width - 1, cx + side / 2)),
    y2: Math.trunc(Math.min(height - 1, cy + side / 2)),
  };
}
