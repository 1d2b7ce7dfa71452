/**
 * Face quality for the best shot: a score 0..1 per frame, the weighted mean of five parts, each
 * 0..1 (weights in QUALITY_WEIGHTS):
 *   - size: face box height in the decoded frame / 160 px (capped at 1); 160 px is about 60 px
 *     between the eyes, enough for the 112x112 template crop without upscaling;
 *   - frontal: from the 68 landmarks, 0.6 x (1 - |yaw proxy| / 0.35) + 0.2 x (1 - |pitch proxy -
 *     0.55| / 0.25) + 0.2 x jaw symmetry ((s - 0.5) / 0.5), each clamped to 0..1; the yaw proxy is
 *     (nose x - eye midpoint x) / eye distance (0.35 is about 30 degrees), the pitch proxy the nose
 *     tip's place between the eye line (0) and the mouth line (1), about 0.55 for a level head;
 *     landmark geometry rather than fr_pose because fr_pose's yaw is not reliable near frontal
 *     (a mirrored photo does not get the opposite yaw: see README);
 *   - sharpness: variance of the 4-neighbour Laplacian of the face box, gray, resized to 96x96,
 *     as (log10(var) - 1) / 1.5 (10 -> 0, about 316 -> 1): blur and heavy compression lower it;
 *   - eyes open: mean p(open) of fr_eye over both eyes;
 *   - detector confidence: (score - 0.6) / 0.4 (0.6 is the detection threshold).
 */
import type { EyeState } from './attributes';
import type { FaceBox } from './faces';
import { laplacianVariance } from './imageops';
import type { LandmarkGeometry } from './landmarks';
import type { Frame } from './types';

export const QUALITY_WEIGHTS = { size: 0.15, frontal: 0.25, sharpness: 0.25, eyes: 0.2, detector: 0.15 } as const;

export interface QualityParts {
  size: number;
  frontal: number;
  sharpness: number;
  eyes: number;
  detector: number;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** Sharpness part from the Laplacian variance of the face box. */
export function sharpnessOf(frame: Frame, face: FaceBox): { variance: number; part: number } {
  const roi = { x: face.x1, y: face.y1, w: face.x2 - face.x1, h: face.y2 - face.y1 };
  const variance = laplacianVariance(frame, roi, 96);
  return { variance, part: clamp01((Math.log10(Math.max(1e-6, variance)) - 1) / 1.5) };
}

export function frontalOf(g: LandmarkGeometry): number {
  return 0.6 * clamp01(1 - Math.abs(g.yaw) / 0.35) + 0.2 * clamp01(1 - Math.abs(g.pitch - 0.55) / 0.25) + 0.2 * clamp01((g.symmetry - 0.5) / 0.5);
}

export function qualityParts(face: FaceBox, geometry: LandmarkGeometry, eyes: EyeState, sharpness: number): QualityParts {
  return {
    size: clamp01((face.y2 - face.y1) / 160),
    frontal: frontalOf(geometry),
    sharpness: clamp01(sharpness),
    eyes: clamp01(eyes.open ?? 0.5),
    detector: clamp01((face.score - 0.6) / 0.4),
  };
}

export function qualityScore(p: QualityParts): number {
  const w = QUALITY_WEIGHTS;
  return clamp01(w.size * p.size + w.frontal * p.frontal + w.sharpness * p.sharpness + w.eyes * p.eyes + w.detector * p.detector);
}
