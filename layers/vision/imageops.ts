/**
 * Pixel operations on packed RGB frames, written by hand: a region resized with OpenCV's
 * INTER_LINEAR convention (half-pixel centres, no antialiasing, result rounded to 8 bits like
 * cv2.resize on uint8 images, which is what the models were trained with), written straight into
 * a float32 NCHW tensor. Faster than a sharp extract+resize round trip for these small crops
 * (see test/bench/vision.ts).
 */
import type { Frame } from './types';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TensorRecipe {
  /** channel order written to the tensor planes */
  order: 'RGB' | 'BGR';
  /** value = (v - mean) / std */
  mean: number;
  std: number;
}

interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array;
}

function axis(srcStart: number, srcLen: number, dstLen: number): Axis {
  const i0 = new Int32Array(dstLen);
  const i1 = new Int32Array(dstLen);
  const w1 = new Float32Array(dstLen);
  const scale = srcLen / dstLen;
  for (let d = 0; d < dstLen; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    let a = Math.floor(s);
    let f = s - a;
    if (a >= srcLen - 1) {
      a = srcLen - 1;
      f = 0;
    }
    const b = Math.min(a + 1, srcLen - 1);
    i0[d] = srcStart + a;
    i1[d] = srcStart + b;
    w1[d] = f;
  }
  return { i0, i1, w1 };
}

/**
 * Resizes `roi` of `frame` to outW x outH (bilinear) and writes a normalised 1x3xHxW tensor into
 * `out` (allocated when absent). The roi must lie inside the frame and have w, h >= 1.
 */
export function roiToTensor(
  frame: Frame,
  roi: Rect,
  outW: number,
  outH: number,
  recipe: TensorRecipe,
  out?: Float32Array,
): Float32Array {
  const plane = outW * outH;
  const t = out ?? new Float32Array(3 * plane);
  const rx = Math.max(0, Math.min(frame.width - 1, Math.floor(roi.x)));
  const ry = Math.max(0, Math.min(frame.height - 1, Math.floor(roi.y)));
  const rw = Math.max(1, Math.min(frame.width - rx, Math.floor(roi.w)));
  const rh = Math.max(1, Math.min(frame.height - ry, Math.floor(roi.h)));
  const ax = axis(rx, rw, outW);
  const ay = axis(ry, rh, outH);
  const src = frame.data;
  const stride = frame.width * 3;
  const inv = 1 / recipe.std;
  const m = recipe.mean;
  // plane offsets for source channels R, G, B
  const pR = recipe.order === 'RGB' ? 0 : 2 * plane;
  const pG = plane;
  const pB = recipe.order === 'RGB' ? 2 * plane : 0;
  for (let dy = 0; dy < outH; dy++) {
    const row0 = ay.i0[dy]! * stride;
    const row1 = ay.i1[dy]! * stride;
    const fy = ay.w1[dy]!;
    const gy = 1 - fy;
    const o = dy * outW;
    for (let dx = 0; dx < outW; dx++) {
      const c0 = ax.i0[dx]! * 3;
      const c1 = ax.i1[dx]! * 3;
      const fx = ax.w1[dx]!;
      const gx = 1 - fx;
      const a = row0 + c0;
      const b = row0 + c1;
      const c = row1 + c0;
      const d = row1 + c1;
      const r = Math.round(gy * (gx * src[a]! + fx * src[b]!) + fy * (gx * src[c]! + fx * src[d]!));
      const g = Math.round(gy * (gx * src[a + 1]! + fx * src[b + 1]!) + fy * (gx * src[c + 1]! + fx * src[d + 1]!));
      const bl = Math.round(gy * (gx * src[a + 2]! + fx * src[b + 2]!) + fy * (gx * src[c + 2]! + fx * src[d + 2]!));
      t[pR + o + dx] = (r - m) * inv;
      t[pG + o + dx] = (g - m) * inv;
      t[pB + o + dx] = (bl - m) * inv;
    }
  }
  return t;
}

/** Resizes a whole frame to w x h (bilinear, same convention), returning a new packed RGB frame. */
export function resizeFrame(frame: Frame, w: number, h: number): Frame {
  const ax = axis(0, frame.width, w);
  const ay = axis(0, frame.height, h);
  const src = frame.data;
  const stride = frame.width * 3;
  const out = Buffer.allocUnsafe(w * h * 3);
  let o = 0;
  for (let dy = 0; dy < h; dy++) {
    const row0 = ay.i0[dy]! * stride;
    const row1 = ay.i1[dy]! * stride;
    const fy = ay.w1[dy]!;
    const gy = 1 - fy;
    for (let dx = 0; dx < w; dx++) {
      const c0 = ax.i0[dx]! * 3;
      const c1 = ax.i1[dx]! * 3;
      const fx = ax.w1[dx]!;
      const gx = 1 - fx;
      for (let ch = 0; ch < 3; ch++) {
        const v = gy * (gx * src[row0 + c0 + ch]! + fx * src[row0 + c1 + ch]!) + fy * (gx * src[row1 + c0 + ch]! + fx * src[row1 + c1 + ch]!);
        out[o++] = Math.round(v);
      }
    }
  }
  return { width: w, height: h, data: out };
}

/** Size that fits inside maxSide x maxSide keeping aspect (never enlarges). */
export function fitInside(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height };
  const s = maxSide / longest;
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}
