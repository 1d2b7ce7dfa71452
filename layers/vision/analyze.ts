/**
 * analyzeMedia: the one entry point the worker calls per media. It decodes the media once, finds
 * the primary face (one face per media, tracked across frames, see track.ts) and runs on that face
 * only what was asked: passive liveness, the biometric template, the best shot, the gesture check
 * and the action shot.
 *
 * Frames: an image is one frame (longest side <= 1280); a ZIP shot set is its images in archive
 * order; a video is sampled once, either like passive liveness (OZ_LIVENESS_FRAMES, default 8,
 * evenly spread, keyframes when there are enough, longest side <= 640) or, when the gesture needs
 * motion, densely (GESTURE_FPS frames a second over the whole clip, at most GESTURE_MAX_FRAMES,
 * every frame decodable, longest side <= GESTURE_MAX_SIDE). Faces are detected while ffmpeg is
 * still decoding the next frames.
 *
 * Head turns, tilts, scans and zooms are analysed coarse to fine (decoding is one pass either way;
 * the networks are what the frames cost): every COARSE_STRIDE-th frame first, with landmarks and
 * head pose already computed while ffmpeg decodes. A gesture that passes on those frames passes on
 * all of them (these checks measure a largest rise, peak or extreme, which more frames can only
 * raise: GestureNeeds.monotone) as long as those frames show one face each (several faces on
 * sparse frames may be linked into another track), so only the frames around its peak are added,
 * for the action shot. A gesture that fails, a coarse frame with several faces, or a face found in
 * no coarse frame, gets every frame analysed:
 * exactly what a full analysis decides. Blinks and smiles, whose checks are not monotone, get every
 * frame analysed from the start. Liveness, best shot, template and action shot then reuse the
 * frames and faces the gesture analysed.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { eyeState, happiness, headPose, type EyeState, type HeadPose } from './attributes';
import { calibrateSpoof, FAILED_GESTURE_FLOOR } from './calibration';
import { alignedFaceTensor, embedAligned, l2normalize } from './embed';
import { MediaError, NoFaceError } from './errors';
import { chooseFace, DETECT_DEFAULTS, detectFaces, type DetectOptions, type FaceBox } from './faces';
import { decodeImage, decodeShotSet, VIDEO_MAX_SIDE } from './frames';
import { combineSpoofing, evaluateGesture, gestureNeeds, isGestureTag, smileCandidates, type FaceObservation, type GestureResult, type GestureTag } from './gestures';
import { detectLandmarks, landmarkGeometry, type LandmarkGeometry, type Landmarks68 } from './landmarks';
import { chooseLivenessModel, spoofScore, type LivenessChoice } from './liveness';
import { qualityParts, qualityScore, sharpnessOf } from './quality';
import { sniff } from './sniff';
import { makeTemplate, type FaceTemplate } from './templates';
import { withTempFile } from './tools';
import { primaryFaces } from './track';
import type { Frame, MediaKind } from './types';
import { probeVideoFile, sampleVideoFileStreaming, type SampledVideo, type SampleStrategy, type VideoProbe } from './video';
import { visionSettings } from './settings';

export interface MediaAnalysisOptions {
  /** passive liveness (confidenceSpoofing) */
  liveness?: boolean;
  /** the biometric template of the primary face */
  template?: boolean;
  /** the best frame as a JPEG */
  bestShot?: boolean;
  /** the video_selfie_* tag of the media: its gesture is checked (other tags: no check) */
  gesture?: string | null;
  /** the frame where the gesture peaks, as a JPEG */
  actionShot?: boolean;
  /** a document photo (photo_id_front): smaller faces are accepted */
  document?: boolean;
}

export interface MediaAnalysis {
  /** frames decoded */
  framesScored: number;
  /** frames where the primary face was found, among those analysed (a gesture that passes coarse to fine analyses about a quarter) */
  framesWithFace: number;
  /** 0..1, calibrated; already combined with the gesture evidence when a gesture was checked */
  confidenceSpoofing?: number;
  /** the passive model's calibrated score alone */
  passiveSpoofing?: number;
  template?: FaceTemplate;
  bestShot?: { jpeg: Buffer; width: number; height: number; frameIndex: number; quality: number };
  gesture?: { tag: string; passed: boolean; evidence: number; message: string };
  actionShot?: { jpeg: Buffer; width: number; height: number; frameIndex: number; tag: string };
  /** role -> model used, e.g. { detector: 'fr_detect', liveness: 'MiniFASNetV2' } */
  models: Record<string, string>;
  /** ms per stage: decode, detect, landmarks, align, embed, antispoof, gestures, bestshot, total */
  timings: Record<string, number>;
}

/** Selfie media: a face must be at least 40 px and 10 % of the frame's shorter side tall. */
export const SELFIE_DETECT: Required<DetectOptions> = { ...DETECT_DEFAULTS, minFacePx: 40, minFaceFraction: 0.1 };
/** Document photos (photo_id_front) show a small face: 20 px and 2.5 %. */
export const DOCUMENT_DETECT: Required<DetectOptions> = { ...DETECT_DEFAULTS, minFacePx: 20, minFaceFraction: 0.025 };

/** Dense sampling for gestures. */
export const GESTURE_FPS = 10;
export const GESTURE_MAX_FRAMES = 40;
export const GESTURE_MIN_FRAMES = 8;
export const GESTURE_MAX_SIDE = 480;
/** Frames scored by the passive model in a densely sampled video (evenly spread). */
export const PASSIVE_FRAMES_IN_GESTURE_VIDEO = 8;
/** Coarse pass over a dense video: every 4th frame (0.4 s apart; a head turn takes about a second). */
export const COARSE_STRIDE = 4;
/** Frames whose embeddings are averaged into a video's template (the best by quality). */
export const TEMPLATE_FRAMES = 3;
export const JPEG_QUALITY = 90;

const defaultVideoFrames = (): number => visionSettings().livenessFrames;

/** Knobs for callers below the worker (analyzeLiveness, evaluation). */
export interface InternalOptions {
  videoFrames?: number;
  /** false: analyse every frame of a dense video at once (the bench's baseline) */
  coarseToFine?: boolean;
  detect?: DetectOptions;
  liveness?: LivenessChoice;
}

interface Decoded {
  frames: Frame[];
  /** per frame: the faces found, or undefined where detection has not run yet (coarse pass) */
  detections: Array<FaceBox[] | undefined>;
  decodeMs: number;
  detectMs: number;
}

/** Per frame index: whether the coarse pass analyses it (every `stride`-th frame and the last). */
const inCoarsePass = (index: number, count: number, stride: number): boolean => index % stride === 0 || index === count - 1;

function denseCount(probe: VideoProbe): number {
  const n = Math.round(probe.span * GESTURE_FPS);
  return Math.max(GESTURE_MIN_FRAMES, Math.min(GESTURE_MAX_FRAMES, n));
}

/**
 * Decodes a video, detecting faces as frames arrive: in every frame, or, for a dense video, in the
 * coarse pass's frames (`stride`), where `prefetch` then starts the per-face work the analysis will
 * want (landmarks, head pose) while ffmpeg decodes on.
 */
async function decodeVideo(
  bytes: Buffer,
  dense: boolean,
  count: number,
  detect: DetectOptions,
  stride = 1,
  prefetch?: (frame: Frame, faces: FaceBox[]) => Promise<void>,
): Promise<Decoded> {
  const byAttempt = new Map<number, { frames: Frame[]; dets: Array<FaceBox[] | undefined> }>();
  let detectMs = 0;
  let sampledCount = count;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const onFrame = (frame: Frame, index: number, attempt: number): void => {
    let slot = byAttempt.get(attempt);
    if (!slot) byAttempt.set(attempt, (slot = { frames: [], dets: [] }));
    slot.frames[index] = frame;
    if (!inCoarsePass(index, sampledCount, stride)) return;
    const dets = slot.dets;
    chain = chain.then(async () => {
      if (failure) return;
      try {
        const t = performance.now();
        const faces = await detectFaces(frame, detect);
        detectMs += performance.now() - t;
        dets[index] = faces;
        if (prefetch) await prefetch(frame, faces);
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
      const n = dense ? denseCount(probe) : count;
      sampledCount = Math.max(1, Math.min(n, probe.frames));
      // dense sampling must not collapse onto keyframes: gestures happen between them
      const strategy: SampleStrategy | undefined = dense ? (probe.frames >= n * 4 ? 'noref' : 'all') : undefined;
      return sampleVideoFileStreaming(file, probe, { count: n, maxSide: dense ? GESTURE_MAX_SIDE : VIDEO_MAX_SIDE, strategy }, onFrame);
    });
  } finally {
    await chain;
  }
  const decodeMs = performance.now() - t;
  if (failure) throw failure;
  const slot = byAttempt.get(sampled.attempt) ?? { frames: [], dets: [] };
  const frames: Frame[] = [];
  const detections: Array<FaceBox[] | undefined> = [];
  for (let i = 0; i < slot.frames.length; i++) {
    if (!slot.frames[i]) continue;
    frames.push(slot.frames[i]!);
    detections.push(slot.dets[i]);
  }
  return { frames, detections, decodeMs, detectMs };
}

async function decodeStill(bytes: Buffer, kind: 'image' | 'zip', detect: DetectOptions): Promise<Decoded> {
  let t = performance.now();
  const frames = kind === 'image' ? [await decodeImage(bytes)] : await decodeShotSet(bytes);
  const decodeMs = performance.now() - t;
  t = performance.now();
  const detections: FaceBox[][] = [];
  for (const f of frames) detections.push(await detectFaces(f, detect));
  return { frames, detections, decodeMs, detectMs: performance.now() - t };
}

export async function encodeJpeg(frame: Frame, quality = JPEG_QUALITY): Promise<Buffer> {
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } }).jpeg({ quality, mozjpeg: false }).toBuffer();
}

/** Everything known about the primary face in one analysed frame. */
interface FaceState {
  frame: number;
  box: FaceBox;
  landmarks?: Landmarks68 | null;
  geometry?: LandmarkGeometry;
  eyes?: EyeState;
  pose?: HeadPose | null;
  happy?: number | null;
  quality?: number;
  rawSpoof?: number | null;
}

export interface AnalysisDetails {
  /** mean raw spoof score (1 - p(real)) of the scored frames, before calibration */
  rawSpoofing?: number;
  /** per analysed frame: the raw spoof score, or null (not scored / no face) */
  frameSpoof: Array<number | null>;
  /** per decoded frame: the primary face, or null (no face, or a frame the coarse pass skipped) */
  primary: Array<FaceBox | null>;
  /** per decoded frame: all detected faces (none where detection did not run) */
  detections: FaceBox[][];
  gestureResult?: GestureResult;
  livenessModel?: string;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** The value memoised under `key`, computed once. */
function memo<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = make()));
  return p;
}

function evenlySpread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.min(xs.length - 1, Math.floor(((i + 0.5) * xs.length) / n))]!);
  return out;
}

/** analyzeMedia with the internals evaluation needs (raw scores, per-frame faces). */
export async function analyzeMediaDetailed(
  bytes: Buffer,
  kind: MediaKind,
  opts: MediaAnalysisOptions,
  internal: InternalOptions = {},
): Promise<{ analysis: MediaAnalysis; details: AnalysisDetails }> {
  const t0 = performance.now();
  const actual = sniff(bytes).kind;
  const useKind: MediaKind = actual === kind ? kind : actual;
  const tag: GestureTag | null = opts.gesture && isGestureTag(opts.gesture) ? opts.gesture : null;
  const needs = tag ? gestureNeeds(tag) : null;
  const dense = useKind === 'video' && !!needs?.motion;
  const detect = internal.detect ?? (opts.document ? DOCUMENT_DETECT : SELFIE_DETECT);
  const timings = { decode: 0, detect: 0, landmarks: 0, align: 0, embed: 0, antispoof: 0, gestures: 0, bestshot: 0 };
  const models: Record<string, string> = { detector: 'fr_detect' };
  const choice = opts.liveness ? (internal.liveness ?? chooseLivenessModel()) : null;

  // Per-face work, memoised by the detector's box object (a face in one frame): the coarse pass
  // starts it while ffmpeg decodes, and every later step that needs it reuses it.
  const landmarksOf = new Map<FaceBox, Promise<Landmarks68 | null>>();
  const poseOf = new Map<FaceBox, Promise<HeadPose | null>>();
  const landmarksFor = (frame: Frame, box: FaceBox): Promise<Landmarks68 | null> => memo(landmarksOf, box, async () => {
    const t = performance.now();
    const lm = await detectLandmarks(frame, box);
    timings.landmarks += performance.now() - t;
    models.landmarks = 'fr_landmark';
    return lm;
  });
  const poseFor = (frame: Frame, box: FaceBox): Promise<HeadPose | null> => memo(poseOf, box, async () => {
    const t = performance.now();
    const p = await headPose(frame, box);
    timings.gestures += performance.now() - t;
    models.pose = 'fr_pose';
    return p;
  });
  const eyesOf = new Map<FaceBox, Promise<EyeState>>();
  const eyesFor = (frame: Frame, box: FaceBox, lm: Landmarks68): Promise<EyeState> => memo(eyesOf, box, () => eyeState(frame, lm));
  const spoofOf = new Map<FaceBox, Promise<number | null>>();
  const spoofFor = (frame: Frame, box: FaceBox, with_: LivenessChoice): Promise<number | null> => memo(spoofOf, box, async () => {
    const t = performance.now();
    const p = await spoofScore(frame, box, with_);
    timings.antispoof += performance.now() - t;
    return p;
  });
  const stride = dense && needs?.monotone && internal.coarseToFine !== false ? COARSE_STRIDE : 1;
  // While ffmpeg decodes (one core), the other core has room: besides what the gesture needs, the
  // coarse frames' eye states (best shot, template choice) and passive scores are computed then,
  // speculatively: the liveness pass later scores a spread of the frames, most of them coarse ones.
  const speculate = stride > 1;
  const speculateEyes = speculate && !!(opts.bestShot || opts.template);
  const prefetch = dense
    ? async (frame: Frame, faces: FaceBox[]): Promise<void> => {
        const box = chooseFace(faces);
        if (!box) return;
        const lm = needs?.landmarks || speculateEyes ? await landmarksFor(frame, box) : null;
        if (needs?.pose) await poseFor(frame, box);
        if (speculateEyes && lm) await eyesFor(frame, box, lm);
        if (speculate && choice) await spoofFor(frame, box, choice);
      }
    : undefined;

  const dec =
    useKind === 'video'
      ? await decodeVideo(bytes, dense, internal.videoFrames ?? defaultVideoFrames(), detect, stride, prefetch)
      : await decodeStill(bytes, useKind, detect);
  timings.decode = dec.decodeMs;
  timings.detect = dec.detectMs;
  const { frames, detections } = dec;
  if (frames.length === 0) throw new MediaError('TOO_FEW_FRAMES', 'no frame could be decoded');

  const stateOf = new Map<FaceBox, FaceState>();
  const ensureDetected = async (indices: readonly number[]): Promise<void> => {
    await Promise.all(
      indices.map(async (i) => {
        if (detections[i]) return;
        const t = performance.now();
        detections[i] = await detectFaces(frames[i]!, detect);
        timings.detect += performance.now() - t;
      }),
    );
  };
  /** The primary face's states over the analysed frames (tracked across them, in order). */
  const primaryStates = (): FaceState[] => {
    const analysed = frames.map((_, i) => i).filter((i) => detections[i]);
    const primary = primaryFaces(analysed.map((i) => detections[i]!));
    const out: FaceState[] = [];
    primary.forEach((box, k) => {
      if (!box) return;
      let st = stateOf.get(box);
      if (!st) stateOf.set(box, (st = { frame: analysed[k]!, box }));
      out.push(st);
    });
    return out;
  };
  const analyseAll = (): Promise<void> => ensureDetected(frames.map((_, i) => i));

  let states = primaryStates();
  if (states.length === 0 && detections.some((d) => !d)) {
    await analyseAll(); // the face may be in frames the coarse pass skipped
    states = primaryStates();
  }
  if (states.length === 0) {
    throw new NoFaceError(frames.length === 1 ? 'no face found in the image' : `no face found in any of the ${frames.length} frames analysed`);
  }

  const ensureLandmarks = async (s: FaceState): Promise<LandmarkGeometry | undefined> => {
    if (s.landmarks === undefined) {
      s.landmarks = await landmarksFor(frames[s.frame]!, s.box);
      if (s.landmarks) s.geometry = landmarkGeometry(s.landmarks);
    }
    return s.geometry;
  };

  // --- gesture, coarse to fine (see the file comment)
  let gestureResult: GestureResult | undefined;
  if (tag && needs) {
    const check = async (): Promise<GestureResult> => {
      const t = performance.now();
      const lm0 = timings.landmarks;
      const pose0 = timings.gestures;
      if (needs.motion) {
        await Promise.all(
          states.map(async (s) => {
            if (needs.landmarks) await ensureLandmarks(s);
            const frame = frames[s.frame]!;
            if (needs.pose && s.pose === undefined) s.pose = await poseFor(frame, s.box);
            if (needs.eyes && s.eyes === undefined && s.landmarks) {
              s.eyes = await eyesFor(frame, s.box, s.landmarks);
              models.eyes = 'fr_eye';
            }
          }),
        );
      }
      const obs = (): FaceObservation[] =>
        states.map((s) => ({ index: s.frame, box: s.box, frameHeight: frames[s.frame]!.height, geometry: s.geometry, pose: s.pose, eyes: s.eyes, happy: s.happy }));
      if (needs.expression) {
        await Promise.all(
          smileCandidates(obs()).map(async (k) => {
            const s = states[k]!;
            if (s.happy === undefined) s.happy = await happiness(frames[s.frame]!, s.box);
          }),
        );
        models.expression = 'fr_expression';
      }
      const r = evaluateGesture(tag, obs());
      // poses already counted in timings.gestures by poseFor; landmarks have their own stage
      timings.gestures += Math.max(0, performance.now() - t - (timings.landmarks - lm0) - (timings.gestures - pose0));
      return r;
    };
    gestureResult = await check();
    // A pass on some frames stands for all of them only when each of those frames shows one face:
    // the primary face there is then the one a full analysis follows (with several faces, sparse
    // frames may link them into another track, and a zoom or turn between two faces is no gesture).
    const standsForAll = (): boolean => gestureResult!.passed && detections.every((d) => !d || d.length <= 1);
    const skipped = frames.map((_, i) => i).filter((i) => !detections[i]);
    if (standsForAll() && gestureResult.peakIndex !== null && skipped.length > 0) {
      // fine: the frames between the peak's coarse neighbours, for the action shot
      const peak = gestureResult.peakIndex;
      await ensureDetected(skipped.filter((i) => Math.abs(i - peak) < stride));
      states = primaryStates();
      gestureResult = await check();
    }
    if (!standsForAll() && detections.some((d) => !d)) {
      await analyseAll();
      states = primaryStates();
      gestureResult = await check();
    }
  }

  // What follows reads the settled states; liveness, quality and, after quality, the template and
  // the two JPEGs are independent, so they run at once. onnxruntime-node runs each inference on the
  // main thread (its run() only defers to setImmediate), so what overlaps is sharp's JPEG encoding
  // (its own threads) and, before the tail, ffmpeg's decoding.

  // --- passive liveness
  const frameSpoof: Array<number | null> = frames.map(() => null);
  const scorePassive = async (with_: LivenessChoice): Promise<number> => {
    const scored = dense ? evenlySpread(states, PASSIVE_FRAMES_IN_GESTURE_VIDEO) : states;
    const raw = await Promise.all(scored.map((s) => spoofFor(frames[s.frame]!, s.box, with_)));
    const xs: number[] = [];
    scored.forEach((s, k) => {
      s.rawSpoof = raw[k]!;
      frameSpoof[s.frame] = s.rawSpoof;
      if (s.rawSpoof !== null) xs.push(s.rawSpoof);
    });
    models.liveness = with_.name;
    if (xs.length === 0) throw new NoFaceError('no face large enough to check liveness');
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };

  // --- quality of every analysed frame's face (best shot, and which frames make the template)
  const needQuality = !!opts.bestShot || (!!opts.template && states.length > 1);
  const rateQuality = async (): Promise<void> => {
    await Promise.all(
      states.map(async (s) => {
        await ensureLandmarks(s);
        const t = performance.now();
        const frame = frames[s.frame]!;
        if (s.landmarks) {
          s.eyes ??= await eyesFor(frame, s.box, s.landmarks);
          models.eyes = 'fr_eye';
          const sharp = sharpnessOf(frame, s.box);
          s.quality = qualityScore(qualityParts(s.box, s.geometry!, s.eyes, sharp.part));
        } else {
          s.quality = 0;
        }
        timings.bestshot += performance.now() - t;
      }),
    );
  };

  // --- template
  const makeFaceTemplate = async (picks: FaceState[]): Promise<FaceTemplate> => {
    const vectors = await Promise.all(
      picks.map(async (s) => {
        if (!(await ensureLandmarks(s)) || !s.landmarks) return null;
        let t = performance.now();
        const tensor = alignedFaceTensor(frames[s.frame]!, s.landmarks);
        timings.align += performance.now() - t;
        t = performance.now();
        const v = await embedAligned(tensor);
        timings.embed += performance.now() - t;
        return v;
      }),
    );
    // summed in the picks' order, as before: the same floats whatever finished first
    const sum = new Float32Array(512);
    let used = 0;
    for (const v of vectors) {
      if (!v) continue;
      for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
      used++;
    }
    if (used === 0) throw new NoFaceError('the face could not be aligned for a template');
    models.embedding = 'fr_feature';
    return makeTemplate(l2normalize(sum));
  };

  // --- best shot / action shot
  const shoot = async (frameIndex: number): Promise<{ jpeg: Buffer; width: number; height: number; frameIndex: number }> => {
    const t = performance.now();
    const frame = frames[frameIndex]!;
    const jpeg = await encodeJpeg(frame);
    timings.bestshot += performance.now() - t;
    return { jpeg, width: frame.width, height: frame.height, frameIndex };
  };
  const actionPeak = opts.actionShot && gestureResult && gestureResult.peakIndex !== null ? gestureResult.peakIndex : null;

  // allSettled, then the first failure in this order: the same error whichever branch ends first
  const [spoofed, shot] = await Promise.allSettled([
    choice ? scorePassive(choice) : Promise.resolve(undefined),
    Promise.all([
      actionPeak !== null ? shoot(actionPeak) : undefined,
      (async () => {
        if (needQuality) await rateQuality();
        const byQuality = [...states].sort((a, b) => (b.quality ?? 0) - (a.quality ?? 0) || b.box.score - a.box.score);
        const best = byQuality[0]!;
        return Promise.all([
          opts.template ? makeFaceTemplate((needQuality ? byQuality : states).slice(0, useKind === 'image' ? 1 : TEMPLATE_FRAMES)) : undefined,
          opts.bestShot ? shoot(best.frame).then((shot) => ({ ...shot, quality: Math.round((best.quality ?? 0) * 1000) / 1000 })) : undefined,
        ]);
      })(),
    ]),
  ]);
  if (spoofed.status === 'rejected') throw spoofed.reason;
  if (shot.status === 'rejected') throw shot.reason;
  const rawSpoofing = spoofed.value;
  const [action, [template, bestShot]] = shot.value;
  const passiveSpoofing = rawSpoofing !== undefined && choice ? calibrateSpoof(rawSpoofing, choice.name) : undefined;
  const actionShot: MediaAnalysis['actionShot'] = action && gestureResult ? { ...action, tag: gestureResult.tag } : undefined;

  const analysis: MediaAnalysis = {
    framesScored: frames.length,
    framesWithFace: states.length,
    models,
    timings: {},
  };
  if (passiveSpoofing !== undefined) {
    analysis.passiveSpoofing = passiveSpoofing;
    analysis.confidenceSpoofing = combineSpoofing(passiveSpoofing, gestureResult, FAILED_GESTURE_FLOOR);
  }
  if (template) analysis.template = template;
  if (bestShot) analysis.bestShot = bestShot;
  if (gestureResult) {
    const { tag: gt, passed, evidence, message } = gestureResult;
    analysis.gesture = { tag: gt, passed, evidence, message };
  }
  if (actionShot) analysis.actionShot = actionShot;
  for (const [k, v] of Object.entries(timings)) analysis.timings[k] = r1(v);
  analysis.timings.total = r1(performance.now() - t0);
  const primary: Array<FaceBox | null> = frames.map(() => null);
  for (const s of states) primary[s.frame] = s.box;
  return {
    analysis,
    details: { rawSpoofing, frameSpoof, primary, detections: detections.map((d) => d ?? []), gestureResult, livenessModel: choice?.name },
  };
}

/**
 * Analyses one media (image, video or ZIP shot set) for the worker: see MediaAnalysisOptions.
 * The kind is taken from the bytes when it disagrees with `kind`. Throws MediaError for unusable
 * media and NoFaceError when no frame has a face of the minimum size.
 */
export async function analyzeMedia(bytes: Buffer, kind: MediaKind, opts: MediaAnalysisOptions): Promise<MediaAnalysis> {
  return (await analyzeMediaDetailed(bytes, kind, opts)).analysis;
}
