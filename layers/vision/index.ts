/**
 * The vision layer's public API: media inspection and decoding, face detection, passive and
 * active liveness, face templates, best and action shots. Knows nothing of HTTP or AWS.
 */
import { getModelSpec } from '../../models/manifest';
import { analyzeMediaDetailed } from './analyze';
import { MediaError, NoFaceError } from './errors';
import type { DetectOptions } from './faces';
import { chooseLivenessModel } from './liveness';
import { getModel, runModel } from './onnx';
import type { MediaKind } from './types';

export { MediaError, NoFaceError, ManyPeopleError } from './errors';
export type { MediaErrorCode } from './errors';
export type { Frame, MediaInspection, MediaKind } from './types';
export { inspectMedia } from './media';
export { configureVision, visionSettings, DEFAULT_VISION_SETTINGS } from './settings';
export type { VisionSettings } from './settings';
export { makeSnapshot, makeThumbnail, SNAPSHOT_MAX_SIDE, THUMB_MAX_SIDE } from './thumbs';
export type { Snapshot, Thumbnail } from './thumbs';
export { decodeImage, decodeShotSet, sampleVideoFrames, shotSetVideo, MAX_IMAGE_PIXELS, SHOT_SET_LIMITS } from './frames';
export { MIN_KEYFRAME_SAMPLES } from './video';
export { detectFaces, detectFace, chooseFace, squareBox, DETECT_DEFAULTS } from './faces';
export type { FaceBox, DetectOptions } from './faces';
export { chooseLivenessModel, spoofScore } from './liveness';
export { COUNT_DETECT, OTHER_PERSON, otherPeople, facesToCount, peopleOnImage, onePersonTemplate } from './people';
export { loadedModels } from './onnx';
export { ModelError, MODEL_MANIFEST, resolveModel } from '../../models/manifest';
export {
  analyzeMedia,
  SELFIE_DETECT,
  DOCUMENT_DETECT,
  GESTURE_FPS,
  GESTURE_MAX_FRAMES,
  GESTURE_MAX_SIDE,
  TEMPLATE_FRAMES,
} from './analyze';
export type { MediaAnalysis, MediaAnalysisOptions } from './analyze';
export {
  compareTemplates,
  encodeTemplate,
  decodeTemplate,
  similarityToScore,
  scoreToSimilarity,
  templateModelId,
  TemplateError,
  TEMPLATE_MAGIC,
  TEMPLATE_FORMAT_VERSION,
  TEMPLATE_MODEL,
} from './templates';
export type { FaceTemplate, TemplateComparison, TemplateErrorCode } from './templates';
export {
  FACE_SCORE_THRESHOLD,
  FACE_SCORE_LOW,
  FACE_RAW_THRESHOLD,
  FACE_SCORE_HIGH,
  SPOOF_SCORE_THRESHOLD,
  SPOOF_CALIBRATION,
  FAILED_GESTURE_FLOOR,
  calibrateSpoof,
  uncalibrateSpoof,
} from './calibration';
export type { SpoofCalibration } from './calibration';
export { GESTURE_TAGS, GESTURE_THRESHOLDS, isGestureTag } from './gestures';
export type { GestureTag } from './gestures';
export { QUALITY_WEIGHTS } from './quality';

export interface LivenessResult {
  /** 0..1, 1 = attack; calibrated so that 0.5 is the model's dev operating point */
  confidenceSpoofing: number;
  /** frames decoded and searched for a face */
  framesScored: number;
  /** frames where the primary face was found and scored */
  framesWithFace: number;
  /** liveness network(s) used */
  model: string;
  timings: { decodeMs: number; detectMs: number; livenessMs: number };
}

export interface AnalyzeOptions {
  /** frames sampled from a video (default env OZ_LIVENESS_FRAMES or 8) */
  videoFrames?: number;
  /** detection options (default: the selfie minimum face size, SELFIE_DETECT) */
  detect?: DetectOptions;
}

/**
 * Passive liveness of a photo, a video (frames sampled evenly over its whole duration) or a ZIP
 * shot set: analyzeMedia with { liveness: true }. The primary face (one face per media, tracked
 * across frames) gets a spoof score in every frame where it is found; the result is the MEAN of
 * the per-frame raw scores (one odd frame moves it by 1/n, while a replay or print scores high in
 * nearly every frame), calibrated per model (SPOOF_CALIBRATION: 0.5 = the model's dev operating
 * point). The media kind is taken from the bytes when it disagrees with `kind`.
 * timings: decodeMs is the wall time of decoding (for videos: probing and decoding, during which
 * detection of the first frames already runs); detectMs and livenessMs are summed inference times.
 * Throws MediaError for unusable media and NoFaceError when no frame has a face.
 */
export async function analyzeLiveness(bytes: Buffer, kind: MediaKind, opts: AnalyzeOptions = {}): Promise<LivenessResult> {
  const { analysis, details } = await analyzeMediaDetailed(bytes, kind, { liveness: true }, { videoFrames: opts.videoFrames, detect: opts.detect });
  return {
    confidenceSpoofing: analysis.confidenceSpoofing ?? 0,
    framesScored: analysis.framesScored,
    framesWithFace: details.frameSpoof.filter((x) => x !== null).length,
    model: details.livenessModel ?? chooseLivenessModel().name,
    timings: {
      decodeMs: analysis.timings.decode ?? 0,
      detectMs: analysis.timings.detect ?? 0,
      livenessMs: analysis.timings.antispoof ?? 0,
    },
  };
}

/** The models the liveness analysis uses now, with their pinned versions and sha256. */
export function visionVersions(): { name: string; version: string; sha256: string }[] {
  const names = ['fr_detect', ...chooseLivenessModel().nets.map((n) => n.model)];
  return names.map((n) => {
    const s = getModelSpec(n);
    return { name: s.name, version: s.version, sha256: s.sha256 };
  });
}

/**
 * Loads (and checks) every session liveness, biometry and the best shot need and runs each once;
 * `gestures: true` also loads fr_pose and fr_expression (28 MB, about 85 ms a face).
 */
export async function warmUp(opts: { gestures?: boolean } = {}): Promise<void> {
  const choice = chooseLivenessModel();
  const run = async (name: Parameters<typeof getModel>[0], dims: number[]): Promise<void> => {
    const m = await getModel(name);
    await runModel(m, new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  };
  await run('fr_detect', [1, 3, 240, 320]);
  for (const net of choice.nets) await run(net.model, [1, 3, net.size, net.size]);
  await run('fr_landmark', [1, 1, 64, 64]);
  await run('fr_feature', [1, 3, 112, 112]);
  await run('fr_eye', [1, 1, 24, 24]);
  if (opts.gestures) {
    await run('fr_pose', [1, 3, 224, 224]);
    await run('fr_expression', [1, 3, 224, 224]);
  }
}

/** Type guard for callers mapping errors to API codes. */
export function isVisionInputError(e: unknown): e is MediaError | NoFaceError {
  return e instanceof MediaError || e instanceof NoFaceError;
}
