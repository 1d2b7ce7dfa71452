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

/**
 * Resizes `roi` to outW x outH (bilinear, same convention as roiToTensor, rounded to 8 bits per
 * channel first, as cv2.resize on uint8 does), converts to gray with OpenCV's BGR2GRAY weights
 * (0.299 R + 0.587 G + 0.114 B, rounded) and writes gray / `divisor` into a 1x1xHxW tensor.
 */
export function grayRoiToTensor(frame: Frame, roi: Rect, outW: number, outH: number, divisor: number, out?: Float32Array): Float32Array {
  const t = out ?? new Float32Array(outW * outH);
  const rx = Math.max(0, Math.min(frame.width - 1, Math.floor(roi.x)));
  const ry = Math.max(0, Math.min(frame.height - 1, Math.floor(roi.y)));
  const rw = Math.max(1, Math.min(frame.width - rx, Math.floor(roi.w)));
  const rh = Math.max(1, Math.min(frame.height - ry, Math.floor(roi.h)));
  const ax = axis(rx, rw, outW);
  const ay = axis(ry, rh, outH);
  const src = frame.data;
  const stride = frame.width * 3;
  const inv = 1 / divisor;
  for (let dy = 0; dy < outH; dy++) {
    const row0 = ay.i0[dy]! * stride;
    const row1 = ay.i1[dy]! * stride;
    const fy = ay.w1[dy]!;
    const gy = 1 - fy;
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
      t[dy * outW + dx] = Math.round(0.299 * r + 0.587 * g + 0.114 * bl) * inv;
    }
  }
  return t;
}

/** A 2x3 affine matrix [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f. */
export type Affine = [number, number, number, number, number, number];

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('singular affine transform');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * cv2.warpAffine(frame, M, (outW, outH)) with bilinear interpolation and a black constant border
 * (OpenCV's defaults), rounded to 8 bits, written as a normalised 1x3xHxW tensor. `m` maps frame
 * pixels to output pixels (integer pixel coordinates, as OpenCV uses).
 */
export function warpAffineToTensor(frame: Frame, m: Affine, outW: number, outH: number, recipe: TensorRecipe, out?: Float32Array): Float32Array {
  const plane = outW * outH;
  const t = out ?? new Float32Array(3 * plane);
  const [a, b, c, d, e, f] = invertAffine(m);
  const src = frame.data;
  const W = frame.width;
  const H = frame.height;
  const inv = 1 / recipe.std;
  const mean = recipe.mean;
  const pR = recipe.order === 'RGB' ? 0 : 2 * plane;
  const pG = plane;
  const pB = recipe.order === 'RGB' ? 2 * plane : 0;
  const px = (x: number, y: number, ch: number): number => (x >= 0 && y >= 0 && x < W && y < H ? src[(y * W + x) * 3 + ch]! : 0);
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const sx = a * u + b * v + c;
      const sy = d * u + e * v + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = v * outW + u;
      let rgb0 = 0;
      let rgb1 = 0;
      let rgb2 = 0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const i00 = (y0 * W + x0) * 3;
        const i01 = i00 + 3;
        const i10 = i00 + W * 3;
        const i11 = i10 + 3;
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        rgb0 = Math.round(w00 * src[i00]! + w01 * src[i01]! + w10 * src[i10]! + w11 * src[i11]!);
        rgb1 = Math.round(w00 * src[i00 + 1]! + w01 * src[i01 + 1]! + w10 * src[i10 + 1]! + w11 * src[i11 + 1]!);
        rgb2 = Math.round(w00 * src[i00 + 2]! + w01 * src[i01 + 2]! + w10 * src[i10 + 2]! + w11 * src[i11 + 2]!);
      } else if (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H) {
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        rgb0 = Math.round(w00 * px(x0, y0, 0) + w01 * px(x0 + 1, y0, 0) + w10 * px(x0, y0 + 1, 0) + w11 * px(x0 + 1, y0 + 1, 0));
        rgb1 = Math.round(w00 * px(x0, y0, 1) + w01 * px(x0 + 1, y0, 1) + w10 * px(x0, y0 + 1, 1) + w11 * px(x0 + 1, y0 + 1, 1));
        rgb2 = Math.round(w00 * px(x0, y0, 2) + w01 * px(x0 + 1, y0, 2) + w10 * px(x0, y0 + 1, 2) + w11 * px(x0 + 1, y0 + 1, 2));
      }
      t[pR + o] = (rgb0 - mean) * inv;
      t[pG + o] = (rgb1 - mean) * inv;
      t[pB + o] = (rgb2 - mean) * inv;
    }
  }
  return t;
}

/**
 * Variance of the 4-neighbour Laplacian (cv2.Laplacian ksize 1) of the gray `roi` resized to
 * size x size: a scale-normalised sharpness measure (blur and heavy compression lower it).
 */
export function laplacianVariance(frame: Frame, roi: Rect, size = 96): number {
  const g = grayRoiToTensor(frame, roi, size, size, 1);
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = g[i - 1]! + g[i + 1]! + g[i - size]! + g[i + size]! - 4 * g[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

/** Copies a rectangle of a frame (clipped to it) into a new frame. */
export function cropFrame(frame: Frame, roi: Rect): Frame {
  const x = Math.max(0, Math.min(frame.width - 1, Math.floor(roi.x)));
  const y = Math.max(0, Math.min(frame.height - 1, Math.floor(roi.y)));
  const w = Math.max(1, Math.min(frame.width - x, Math.floor(roi.w)));
  const h = Math.max(1, Math.min(frame.height - y, Math.floor(roi.h)));
  const out = Buffer.allocUnsafe(w * h * 3);
  for (let r = 0; r < h; r++) frame.data.copy(out, r * w * 3, ((y + r) * frame.width + x) * 3, ((y + r) * frame.width + x + w) * 3);
  return { width: w, height: h, data: out };
}
