// The vision layer's settings. The layer reads no environment: whoever runs it (the functions'
// configuration, functions/config.ts, at cold start; a benchmark; a test) sets them here once.

export interface VisionSettings {
  /** ffmpeg / ffprobe binaries; unset: the @ffmpeg-installer / @ffprobe-installer packages' */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** ffmpeg -threads (0..16) */
  ffmpegThreads: number;
  /** a full decode shares its frames between two ffmpeg processes at a keyframe when it can (video.ts planSplit) */
  splitDecode: boolean;
  ffmpegTimeoutMs: number;
  ffprobeTimeoutMs: number;
  /** frames sampled from a video for passive liveness (1..64) */
  livenessFrames: number;
  /** auto, fr_liveness, minifasnet (minifasnetv2), minifasnet-ensemble, ... (liveness.ts) */
  livenessModel: string;
  /** onnxruntime intra-op threads (1..64) */
  ortThreads: number;
  /** gesture videos are mirrored selfies: left and right turns swap */
  selfieMirrored: boolean;
}

export const DEFAULT_VISION_SETTINGS: VisionSettings = {
  ffmpegThreads: 1,
  splitDecode: true,
  ffmpegTimeoutMs: 60_000,
  ffprobeTimeoutMs: 20_000,
  livenessFrames: 8,
  livenessModel: 'auto',
  ortThreads: 1,
  selfieMirrored: false,
};

let current: VisionSettings = DEFAULT_VISION_SETTINGS;

/** Replaces the settings (fields left out take their defaults). */
export function configureVision(settings: Partial<VisionSettings>): void {
  current = { ...DEFAULT_VISION_SETTINGS, ...settings };
}

export const visionSettings = (): VisionSettings => current;

/** Runs `run` with some settings changed, then puts the previous ones back (benchmarks, tests). */
export async function withVisionSettings<T>(changes: Partial<VisionSettings>, run: () => Promise<T>): Promise<T> {
  const saved = current;
  current = { ...saved, ...changes };
  try {
    return await run();
  } finally {
    current = saved;
  }
}
