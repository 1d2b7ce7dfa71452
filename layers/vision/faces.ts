/**
 * Face detection with fr_detect.onnx (Ultra-Light-Fast-Generic-Face-Detector RFB 320x240), fed as
 * measured in shared notes/models.md: the whole frame stretched to 320x240 (bilinear, no
 * letterbox), (v - 127) / 128, RGB (order measured not to matter). The graph already softmaxes
 * the scores and decodes the boxes (corner form, 0..1): no prior decoding here.
 * Post-processing: score >= 0.6, hard NMS at IoU 0.3 in score order (not the vendor JS's
 * bottom-edge order), boxes scaled to the frame and clipped, then boxes smaller than the minimum
 * face size are dropped. The face to use is the highest score, near-ties broken by area.
 */
import { roiToTensor, type Rect } from './imageops';
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
  /**
   * Also search overlapping tiles of the frame at about the detector's own scale, so that faces
   * too small to survive the whole-frame squeeze to 320x240 are found (default false)
   */
  tiles?: boolean;
}

export const DETECT_DEFAULTS: Required<DetectOptions> = {
  scoreThreshold: 0.6,
  nmsIou: 0.3,
  minFacePx: 40,
  minFaceFraction: 0.05,
  topK: 750,
  tiles: false,
};

const DET_W = 320;
const DET_H = 240;

function iou(a: FaceBox, b: FaceBox): number {
  const inter = intersection(a, b);
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
  const whole = await detectInRoi(frame, { x: 0, y: 0, w: frame.width, h: frame.height }, opts);
  if (!opts.tiles) return whole;
  return mergeTileFaces(whole, await detectInTiles(frame, opts), opts.nmsIou ?? DETECT_DEFAULTS.nmsIou);
}

/** Faces in one region of the frame, in frame coordinates. */
async function detectInRoi(frame: Frame, roi: Rect, opts: DetectOptions): Promise<FaceBox[]> {
  const m = await getModel('fr_detect');
  const input = roiToTensor(frame, roi, DET_W, DET_H, { order: 'RGB', mean: 127, std: 128 });
  const out = await runModel(m, input, [1, 3, DET_H, DET_W]);
  const faces = postprocess(outputData(out, 'scores'), outputData(out, 'boxes'), roi.w, roi.h, opts);
  if (roi.x === 0 && roi.y === 0) return faces;
  return faces.map((f) => ({ ...f, x1: f.x1 + roi.x, y1: f.y1 + roi.y, x2: f.x2 + roi.x, y2: f.y2 + roi.y }));
}

/**
 * Tiles are the detector's input size in frame pixels (so a 20 px face reaches the network at
 * 20 px, twice its smallest anchor) and overlap by a quarter, so every face up to TILE_FACE_MAX
 * of a tile's height lies whole inside at least one tile. Larger faces are the whole-frame pass's.
 */
const TILE_W = DET_W;
const TILE_H = DET_H;
const TILE_STEP = 0.75;
const TILE_FACE_MAX = 0.25;
/** The largest face the tile pass adds, in frame pixels. */
export const TILE_MAX_FACE_PX = TILE_FACE_MAX * TILE_H;
/** A tile face touching a tile edge inside the frame may be a part of a face: dropped. */
const TILE_EDGE_PX = 2;

/** Tile origins along one axis: evenly spread, first at 0, last flush with the far edge. */
function tileStarts(length: number, tile: number): number[] {
  if (length <= tile) return [0];
  const n = Math.ceil((length - tile) / (tile * TILE_STEP)) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
}

async function detectInTiles(frame: Frame, opts: DetectOptions): Promise<FaceBox[]> {
  // a frame no larger than a tile is already seen at (at least) the detector's scale
  if (frame.width <= TILE_W * 1.25 && frame.height <= TILE_H * 1.25) return [];
  const tw = Math.min(TILE_W, frame.width);
  const th = Math.min(TILE_H, frame.height);
  const o = { ...DETECT_DEFAULTS, ...opts };
  // the minimum size is the frame's, not the tile's
  const minSide = Math.max(o.minFacePx, o.minFaceFraction * Math.min(frame.width, frame.height));
  const found: FaceBox[] = [];
  for (const y of tileStarts(frame.height, th)) {
    for (const x of tileStarts(frame.width, tw)) {
      for (const f of await detectInRoi(frame, { x, y, w: tw, h: th }, { ...o, minFaceFraction: 0, minFacePx: minSide })) {
        const inner = (v: number, edge: number, frameEdge: number) => edge !== frameEdge && Math.abs(v - edge) <= TILE_EDGE_PX;
        const cut = inner(f.x1, x, 0) || inner(f.y1, y, 0) || inner(f.x2, x + tw - 1, frame.width - 1) || inner(f.y2, y + th - 1, frame.height - 1);
        if (!cut && f.y2 - f.y1 <= TILE_FACE_MAX * th) found.push(f);
      }
    }
  }
  const confirmed: FaceBox[] = [];
  for (const f of found) if (await confirmSmallFace(frame, f, o)) confirmed.push(f);
  return confirmed;
}

/** A second look at a small tile face, zoomed in with its surroundings, must find it again. */
const CONFIRM_CONTEXT = 4;
const CONFIRM_SCORE = 0.8;

async function confirmSmallFace(frame: Frame, f: FaceBox, o: Required<DetectOptions>): Promise<boolean> {
  const h = f.y2 - f.y1;
  const w = Math.min(frame.width, Math.round((CONFIRM_CONTEXT * h * DET_W) / DET_H));
  const hh = Math.min(frame.height, Math.round(CONFIRM_CONTEXT * h));
  const x = Math.max(0, Math.min(frame.width - w, Math.round((f.x1 + f.x2) / 2 - w / 2)));
  const y = Math.max(0, Math.min(frame.height - hh, Math.round((f.y1 + f.y2) / 2 - hh / 2)));
  const again = await detectInRoi(frame, { x, y, w, h: hh }, { ...o, minFacePx: 1, minFaceFraction: 0, scoreThreshold: CONFIRM_SCORE });
  return again.some((g) => iou(g, f) >= 0.4);
}

/** Whole-frame faces first, then tile faces that are neither overlapping nor inside a kept face. */
function mergeTileFaces(whole: FaceBox[], tiled: FaceBox[], nmsIou: number): FaceBox[] {
  const kept = [...whole];
  for (const f of [...tiled].sort((a, b) => b.score - a.score)) {
    if (kept.every((k) => iou(k, f) <= nmsIou && intersection(k, f) <= 0.5 * Math.min(area(k), area(f)))) kept.push(f);
  }
  return kept.sort((a, b) => b.score - a.score);
}

function intersection(a: FaceBox, b: FaceBox): number {
  return Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
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
