/**
 * 512-d face embeddings with fr_feature.onnx: five landmark points -> similarity transform to the
 * ArcFace template -> 112x112 RGB, (v - 127) / 128 -> 512 floats -> L2-normalised.
 */
import { arcfaceTransform } from './align';
import { warpAffineToTensor } from './imageops';
import { fivePoints, type Landmarks68 } from './landmarks';
import { getModel, outputData, runModel } from './onnx';
import type { Frame } from './types';

export const EMBEDDING_DIMS = 512;

/** The aligned 112x112 input tensor for fr_feature (RGB planes, (v - 127) / 128). */
export function alignedFaceTensor(frame: Frame, lm: Landmarks68): Float32Array {
  const m = arcfaceTransform(fivePoints(lm));
  return warpAffineToTensor(frame, m, 112, 112, { order: 'RGB', mean: 127, std: 128 });
}

export function l2normalize(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (!(n > 0) || !Number.isFinite(n)) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

/** Runs fr_feature on an aligned tensor and returns the L2-normalised embedding. */
export async function embedAligned(tensor: Float32Array): Promise<Float32Array> {
  const m = await getModel('fr_feature');
  const out = outputData(await runModel(m, tensor, [1, 3, 112, 112]), 'output');
  if (out.length !== EMBEDDING_DIMS) throw new Error(`fr_feature returned ${out.length} values, expected ${EMBEDDING_DIMS}`);
  return l2normalize(out);
}

/** Embedding of the face whose 68 landmarks are given. */
export async function embedFace(frame: Frame, lm: Landmarks68): Promise<Float32Array> {
  return embedAligned(alignedFaceTensor(frame, lm));
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const d = Math.sqrt(na * nb);
  return d > 0 ? dot / d : 0;
}
