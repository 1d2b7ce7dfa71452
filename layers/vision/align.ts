/**
 * Face alignment for fr_feature.onnx: a least-squares similarity transform (rotation, uniform
 * scale, translation; Umeyama 1991) from the five landmark points to the standard ArcFace 112x112
 * template, then cv2.warpAffine (bilinear, black border). shared notes/models.md measured it
 * clearly better than the vendor JS's exact 3-point affine (TAR@FAR 0.1 % 1.00 vs 0.95).
 */
import type { Affine } from './imageops';

/** The standard ArcFace 112x112 template: left eye, right eye, nose, left and right mouth corners. */
export const ARCFACE_TEMPLATE: ReadonlyArray<readonly [number, number]> = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Umeyama's least-squares similarity transform mapping `src` onto `dst` (no reflection).
 * In two dimensions it has a closed form: with centred points, the optimal scaled rotation
 * [a -b; b a] has a = sum(x.x') / sum|x|^2 and b = sum(x cross x') / sum|x|^2, which is exactly
 * what Umeyama's SVD solution (with its reflection correction) gives; scikit-image's
 * SimilarityTransform.estimate, which insightface uses, computes the same matrix.
 */
export function umeyama(src: ReadonlyArray<readonly [number, number]>, dst: ReadonlyArray<readonly [number, number]>): Affine {
  const n = Math.min(src.length, dst.length);
  if (n < 2) throw new Error('umeyama needs at least two point pairs');
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i]![0] - sx;
    const y = src[i]![1] - sy;
    const u = dst[i]![0] - dx;
    const v = dst[i]![1] - dy;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  if (den < 1e-12) throw new Error('umeyama: source points coincide');
  const a = num1 / den;
  const b = num2 / den;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

/** Applies an affine transform to a point. */
export function applyAffine(m: Affine, p: readonly [number, number]): [number, number] {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

/** The transform from a face's five points to the ArcFace template. */
export function arcfaceTransform(five: ReadonlyArray<readonly [number, number]>): Affine {
  return umeyama(five, ARCFACE_TEMPLATE);
}
