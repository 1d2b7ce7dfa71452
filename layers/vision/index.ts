/**
 * The vision layer's public API: media inspection and decoding, face detection and passive
 * liveness. Knows nothing of HTTP or AWS.
 */
import { performance } from 'node:perf_hooks';
import { getModelSpec } from '../../models/manifest';
import { MediaError, NoFaceError } from './errors';
import { detectFace, type DetectOptions } from './faces';
import { decodeImage, decodeShotSet, VIDEO_MAX_SIDE } from './frames';
import { chooseLivenessModel, spoofScore, type LivenessChoice } from './liveness';
import { getModel, runModel } from './onnx';
import { sniff } from './sniff';
import { withTempFile } from './tools';
import type { Frame, MediaKind } from './types';
import { probeVideoFile, sampleVideoFileStreaming, type SampledVideo } from './video';

export { MediaError, NoFaceError } from './errors';
export type { MediaErrorCode } from './errors';
export type { Frame, MediaInspection, MediaKind } from './types';
export { inspectMedia } from './media';
export { decodeImage, decodeShotSet, sampleVideoFrames, MAX_IMAGE_PIXELS, SHOT_SET_LIMITS } from './frames';
export { detectFaces, detectFace, chooseFace, squareBox, DETECT_DEFAULTS } from './faces';
export type { FaceBox, DetectOptions } from './faces';
export { chooseLivenessModel, spoofScore } from './liveness';
export { ModelError, MODEL_MANIFEST, resolveModel } from '../../models/manifest';

export interface LivenessResult {
  /** 0..1, 1 = attack */
  confidenceSpoofing: number;
  /** frames decoded and searched for a face */
  framesScored: number;
  /** frames where a face was found and scored */
  framesWithFace: number;
  /** liveness network(s) used */
  model: string;
  timings: { decodeMs: number; detectMs: number; livenessMs: number };
}

export interface AnalyzeOptions {
  /** frames sampled from a video (default env OZ_LIVENESS_FRAMES or 8) */
  videoFrames?: number;
  detect?: DetectOptions;
}

function defaultVideoFrames(): number {
  const n = Number(process.env.OZ_LIVENESS_FRAMES);
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 8;
}

interface FrameScore {
  /** spoof score of the frame's chosen face, or null when it has none */
  spoof: number | null;
  detectMs: number;
  livenessMs: number;
}

async function scoreFrame(frame: Frame, choice: LivenessChoice, opts: AnalyzeOptions): Promise<FrameScore> {
  let t = performance.now();
  const face = await detectFace(frame, opts.detect);
  const detectMs = performance.now() - t;
  if (!face) return { spoof: null, detectMs, livenessMs: 0 };
  t = performance.now();
  const spoof = await spoofScore(frame, face, choice);
  return { spoof, detectMs, livenessMs: performance.now() - t };
}

/**
 * Video frames are scored while ffmpeg is still decoding the next ones (it runs in its own
 * process), so on two cores the analysis costs about the decoding time plus one frame's inference.
 */
async function scoreVideo(bytes: Buffer, choice: LivenessChoice, opts: AnalyzeOptions): Promise<{ decodeMs: number; frames: number; scores: FrameScore[] }> {
  const byAttempt = new Map<number, FrameScore[]>();
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const onFrame = (frame: Frame, index: number, attempt: number): void => {
    chain = chain.then(async () => {
      if (failure) return;
      try {
        const r = await scoreFrame(frame, choice, opts);
        let list = byAttempt.get(attempt);
        if (!list) byAttempt.set(attempt, (list = []));
        list[index] = r;
      } catch (e) {
        failure = e;
      }
    });
  };
  const t = performance.now();
  let sampled: SampledVideo;
  try {
    sampled = await withTempFile(bytes, async (file) => {
      const probe = await probeVideoFile(file);
      return sampleVideoFileStreaming(file, probe, { count: opts.videoFrames ?? defaultVideoFrames(), maxSide: VIDEO_MAX_SIDE }, onFrame);
    });
  } finally {
    // never leave scoring running behind a decoding error
    await chain;
  }
  const decodeMs = performance.now() - t;
  if (failure) throw failure;
  const scores = (byAttempt.get(sampled.attempt) ?? []).filter((x): x is FrameScore => x !== undefined);
  return { decodeMs, frames: sampled.frames.length, scores };
}

/**
 * Passive liveness of a photo, a video (frames sampled evenly over its whole duration) or a ZIP
 * shot set. Every frame's chosen face (highest detector score, minimum size) gets a spoof score;
 * the result is the MEAN of the per-frame spoof scores: a single odd frame (motion blur, a
 * half-turned head) moves the mean by 1/n instead of deciding alone, which keeps real users from
 * being rejected, while a replayed or printed face scores high in nearly every frame.
 * The media kind is taken from the bytes; `kind` is what the caller believes it is, and a
 * mismatch is resolved in favour of the bytes.
 * timings: decodeMs is the wall time of decoding (for videos: probing and decoding, during which
 * detection and liveness of the first frames already run); detectMs and livenessMs are the summed
 * inference times.
 * Throws MediaError for unusable media and NoFaceError when no frame has a face.
 */
export async function analyzeLiveness(bytes: Buffer, kind: MediaKind, opts: AnalyzeOptions = {}): Promise<LivenessResult> {
  const actual = sniff(bytes).kind;
  const useKind: MediaKind = actual === kind ? kind : actual;
  const choice = chooseLivenessModel();
  let decodeMs: number;
  let framesScored: number;
  let scores: FrameScore[];
  if (useKind === 'video') {
    ({ decodeMs, frames: framesScored, scores } = await scoreVideo(bytes, choice, opts));
  } else {
    const t = performance.now();
    const frames = useKind === 'image' ? [await decodeImage(bytes)] : await decodeShotSet(bytes);
    decodeMs = performance.now() - t;
    framesScored = frames.length;
    scores = [];
    for (const frame of frames) scores.push(await scoreFrame(frame, choice, opts));
  }
  const withFace = scores.filter((s) => s.spoof !== null).map((s) => s.spoof as number);
  if (withFace.length === 0) {
    throw new NoFaceError(framesScored === 1 ? 'no face found in the image' : `no face found in any of the ${framesScored} frames analysed`);
  }
  const mean = withFace.reduce((a, b) => a + b, 0) / withFace.length;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return {
    confidenceSpoofing: Math.min(1, Math.max(0, mean)),
    framesScored,
    framesWithFace: withFace.length,
    model: choice.name,
    timings: {
      decodeMs: r(decodeMs),
      detectMs: r(scores.reduce((a, s) => a + s.detectMs, 0)),
      livenessMs: r(scores.reduce((a, s) => a + s.livenessMs, 0)),
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

/** Loads (and checks) every session the liveness analysis needs and runs each once. */
export async function warmUp(): Promise<void> {
  const choice = chooseLivenessModel();
  const det = await getModel('fr_detect');
  await runModel(det, new Float32Array(3 * 240 * 320), [1, 3, 240, 320]);
  for (const net of choice.nets) {
    const m = await getModel(net.model);
    await runModel(m, new Float32Array(3 * net.size * net.size), [1, 3, net.size, net.size]);
  }
}

/** Type guard for callers mapping errors to API codes. */
export function isVisionInputError(e: unknown): e is MediaError | NoFaceError {
  return e instanceof MediaError || e instanceof NoFaceError;
}
