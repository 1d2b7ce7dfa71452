/**
 * Video probing (ffprobe) and frame sampling (one ffmpeg process), on a file path.
 *
 * Sampling: `count` timestamps evenly spread over the whole duration, at the centres of `count`
 * equal slices ((i + 0.5) * duration / count), each taken as the first decoded frame at or after
 * (target - half a frame). ffmpeg's select filter picks them in one decoding pass, stops after the
 * last one (-frames:v), scales the picked frames only, and we rotate them ourselves after scaling
 * (-noautorotate + transpose), which is much cheaper than ffmpeg's autorotate on every frame.
 * Decoding dominates the cost, so:
 *   - `-skip_frame noref` skips frames nothing else references (B-frames in most encoders) when
 *     there are plenty of frames (>= 4 per sample); samples land on a neighbouring frame instead.
 *   - long videos with enough keyframes decode keyframes only (`-skip_frame nokey`).
 */
import { MediaError } from './errors';
import { fitInside } from './imageops';
import { runTool } from './tools';
import type { Frame } from './types';
import { visionSettings } from './settings';

export interface VideoProbe {
  formatName: string;
  codec: string;
  /** stored (coded) frame size, before rotation */
  storedWidth: number;
  storedHeight: number;
  /** displayed size, after rotation */
  width: number;
  height: number;
  /** clockwise degrees to rotate for display: 0, 90, 180 or 270 */
  rotation: number;
  /** seconds (the video stream's duration when the container gives it) */
  duration: number;
  /** seconds from the first to past the last frame (what sampling spreads over) */
  span: number;
  fps: number;
  /** number of video packets (frames) */
  frames: number;
  keyframes: number;
  /** the frames' presentation times in display order (seconds, as ffprobe prints them) */
  frameTimes: number[];
  /** the keyframes' presentation times, ascending */
  keyframeTimes: number[];
  /** the container's start time (what ffmpeg's -ss counts from) */
  startTime: number;
}

/** Max pixels of a video frame (same bound as images). */
export const MAX_VIDEO_PIXELS = 50_000_000;

interface FfprobeJson {
  streams?: Array<Record<string, unknown>>;
  format?: Record<string, unknown>;
  packets?: Array<{ pts_time?: string; dts_time?: string; flags?: string }>;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function rate(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const [a, b] = v.split('/');
  const n = Number(a);
  const d = b === undefined ? 1 : Number(b);
  if (!Number.isFinite(n) || !Number.isFinite(d) || d === 0 || n <= 0) return undefined;
  const r = n / d;
  return r > 0 && r < 1000 ? r : undefined;
}

/** Clockwise display rotation from ffprobe's stream: display-matrix side data first, then the rotate tag. */
export function rotationOf(stream: Record<string, unknown>): number {
  let cw: number | undefined;
  const sdl = stream.side_data_list;
  if (Array.isArray(sdl)) {
    for (const sd of sdl as Array<Record<string, unknown>>) {
      const r = num(sd.rotation);
      // av_display_rotation_get() is counter-clockwise; ffmpeg's autorotate turns it clockwise.
      if (r !== undefined) cw = -r;
    }
  }
  if (cw === undefined) {
    const tags = stream.tags as Record<string, unknown> | undefined;
    const r = num(tags?.rotate);
    if (r !== undefined) cw = r;
  }
  if (cw === undefined) return 0;
  const q = Math.round((((cw % 360) + 360) % 360) / 90) * 90;
  return q % 360;
}

const tail = (s: string): string => s.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

/** Reads the container and all video packet headers (no decoding). Throws MediaError. */
export async function probeVideoFile(file: string): Promise<VideoProbe> {
  const res = await runTool(
    'ffprobe',
    ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,flags', file],
    { timeoutMs: visionSettings().ffprobeTimeoutMs, maxStdout: 64 * 1024 * 1024 },
  );
  if (res.timedOut) throw new MediaError('CORRUPT_MEDIA', 'the video could not be read in time (ffprobe timed out)');
  if (res.code !== 0) throw new MediaError('CORRUPT_MEDIA', `the video is corrupt or truncated: ${tail(res.stderr) || 'ffprobe failed'}`);
  let j: FfprobeJson;
  try {
    j = JSON.parse(res.stdout.toString('utf8')) as FfprobeJson;
  } catch {
    throw new MediaError('CORRUPT_MEDIA', 'the video is corrupt (unreadable container)');
  }
  const st = j.streams?.find((s) => s.codec_type === 'video');
  if (!st) throw new MediaError('UNSUPPORTED_MEDIA', 'the file has no video stream; send a video or an image');
  const disp = st.disposition as Record<string, unknown> | undefined;
  if (disp && disp.attached_pic === 1) throw new MediaError('UNSUPPORTED_MEDIA', 'the file has no video stream (only cover art)');
  const sw = num(st.width) ?? 0;
  const sh = num(st.height) ?? 0;
  if (sw <= 0 || sh <= 0) throw new MediaError('CORRUPT_MEDIA', 'the video stream has no frame size (corrupt or unsupported codec)');
  if (sw * sh > MAX_VIDEO_PIXELS) {
    throw new MediaError('IMAGE_TOO_LARGE', `video frames of ${sw}x${sh} exceed the ${MAX_VIDEO_PIXELS / 1e6} megapixel limit`);
  }
  const rotation = rotationOf(st);
  const packets = j.packets ?? [];
  if (packets.length === 0) throw new MediaError('CORRUPT_MEDIA', 'the video has no frames (empty or truncated)');
  const times: number[] = [];
  const keyTimes: number[] = [];
  let keyframes = 0;
  for (const p of packets) {
    const t = num(p.pts_time) ?? num(p.dts_time);
    if (t !== undefined) times.push(t);
    if (p.flags?.startsWith('K')) {
      keyframes++;
      if (t !== undefined) keyTimes.push(t);
    }
  }
  const declared = num(st.nb_frames);
  if (declared !== undefined && declared > 10 && packets.length < 0.9 * declared) {
    throw new MediaError('CORRUPT_MEDIA', `the video is truncated (${packets.length} of ${declared} frames present)`);
  }
  if (/partial file/i.test(res.stderr)) throw new MediaError('CORRUPT_MEDIA', 'the video is truncated (partial file)');
  let fps = rate(st.avg_frame_rate) ?? rate(st.r_frame_rate);
  let duration = num(st.duration) ?? num(j.format?.duration);
  let span: number | undefined;
  if (times.length > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of times) {
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    if (fps === undefined && hi > lo && times.length > 1) fps = (times.length - 1) / (hi - lo);
    span = hi - lo + (fps ? 1 / fps : 0);
    if (duration === undefined || duration <= 0) duration = span;
  }
  if (fps === undefined) fps = duration && duration > 0 ? packets.length / duration : 0;
  if (duration === undefined || duration <= 0) duration = fps > 0 ? packets.length / fps : 0;
  const rotated = rotation === 90 || rotation === 270;
  return {
    formatName: typeof j.format?.format_name === 'string' ? j.format.format_name : '',
    codec: typeof st.codec_name === 'string' ? st.codec_name : 'unknown',
    storedWidth: sw,
    storedHeight: sh,
    width: rotated ? sh : sw,
    height: rotated ? sw : sh,
    rotation,
    duration,
    span: span !== undefined && span > 0 ? span : duration,
    fps,
    frames: packets.length,
    keyframes,
    frameTimes: times.length === packets.length ? [...times].sort((a, b) => a - b) : [],
    keyframeTimes: keyTimes.sort((a, b) => a - b),
    startTime: num(j.format?.start_time) ?? 0,
  };
}

const threadsArg = (): string => String(visionSettings().ffmpegThreads);

/** Decodes the first frame to make sure the stream really decodes (a few ms). Throws CORRUPT_MEDIA. */
export async function checkVideoDecodes(file: string): Promise<void> {
  const res = await runTool(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-threads', threadsArg(), '-noautorotate', '-i', file, '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', '1', '-vf', 'scale=16:16', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'],
    { timeoutMs: visionSettings().ffmpegTimeoutMs, maxStdout: 4096 },
  );
  if (res.timedOut) throw new MediaError('CORRUPT_MEDIA', 'the video could not be decoded in time (ffmpeg timed out)');
  if (res.stdout.length < 256) {
    throw new MediaError('CORRUPT_MEDIA', `the video does not decode: ${tail(res.stderr) || 'no frame could be decoded'}`);
  }
}

export type SampleStrategy = 'all' | 'noref' | 'keyframes';

export interface SampleOptions {
  count?: number;
  /** longest side of the returned frames (never enlarged) */
  maxSide?: number;
  /** force a decoding strategy (tests, benchmarks) */
  strategy?: SampleStrategy;
}

/**
 * Keyframes-only sampling when the video has at least this many (or `count`, if fewer are asked):
 * phones encode about one keyframe a second, so a 5 s selfie yields 5 evenly spread full-quality
 * frames for a fifth of the decoding (measured in `npm run bench`).
 */
export const MIN_KEYFRAME_SAMPLES = 5;

export function chooseStrategy(probe: VideoProbe, count: number): SampleStrategy {
  if (probe.keyframes >= Math.min(count, MIN_KEYFRAME_SAMPLES)) return 'keyframes';
  if (probe.frames >= count * 4) return 'noref';
  return 'all';
}

function transposeFilter(rotation: number): string[] {
  switch (rotation) {
    case 90:
      return ['transpose=clock'];
    case 180:
      return ['hflip', 'vflip'];
    case 270:
      return ['transpose=cclock'];
    default:
      return [];
  }
}

/** Cuts a byte stream into fixed-size frames as bytes arrive. */
class FrameAssembler {
  private readonly parts: Buffer[] = [];
  private have = 0;
  readonly frames: Frame[] = [];
  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly limit: number,
    private readonly onFrame?: (frame: Frame, index: number) => void,
  ) {}

  push(chunk: Buffer): void {
    const size = this.width * this.height * 3;
    this.parts.push(chunk);
    this.have += chunk.length;
    while (this.have >= size && this.frames.length < this.limit) {
      const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      const frame: Frame = { width: this.width, height: this.height, data: Buffer.from(all.subarray(0, size)) };
      const rest = all.subarray(size);
      this.parts.length = 0;
      if (rest.length > 0) this.parts.push(rest);
      this.have = rest.length;
      this.frames.push(frame);
      this.onFrame?.(frame, this.frames.length - 1);
    }
  }
}

/**
 * Where one decoding pass can be shared by two ffmpeg processes with the very same frames out: the
 * second starts at a keyframe (decoding from a keyframe gives the frames a pass from the start
 * gives) and picks what the select filter of one pass would pick from there on.
 */
export interface SplitPlan {
  /** frames the first process picks, from the start */
  first: number;
  /** -ss of the second process (seconds from the container's start): just past its keyframe, which the seek then lands on */
  seek: number;
  /** added to the second process's `t` gives the one pass's `t - start_t` */
  shift: number;
  /** the keyframe's `t - start_t`: the second process picks nothing shown before it */
  keyframe: number;
}

/** Videos with fewer frames are decoded by one process (a second one costs more than it saves). */
export const MIN_SPLIT_FRAMES = 60;

/**
 * Replays the select filter on the probe's frame times (`offset + k * step` after the start, each
 * pick the first frame after the previous one at or past its target) and chooses the keyframe
 * that halves the decoding. Null when the video has no usable keyframe in the middle, when its
 * frame times are unknown, or when a frame lies too close to a target to be sure of the pick.
 */
export function planSplit(probe: VideoProbe, count: number, offset: number, step: number): SplitPlan | null {
  const times = probe.frameTimes;
  if (times.length < MIN_SPLIT_FRAMES || probe.keyframeTimes.length < 2 || !(probe.fps > 0)) return null;
  const t0 = times[0]!;
  const eps = Math.min(1e-3, 0.1 / probe.fps);
  const picked: number[] = [];
  for (let i = 0; i < times.length && picked.length < count; i++) {
    const rel = times[i]! - t0;
    const target = offset + picked.length * step;
    if (Math.abs(rel - target) < eps) return null;
    if (rel >= target) picked.push(i);
  }
  if (picked.length < count) return null;
  let best: { first: number; index: number; cost: number } | null = null;
  for (const key of probe.keyframeTimes) {
    const index = times.indexOf(key);
    if (index <= 0) continue;
    const first = picked.filter((i) => i < index).length;
    if (first === 0 || first === count) continue;
    // each process decodes from its start to its last pick
    const cost = Math.max(picked[first - 1]! + 1, picked[count - 1]! - index + 1);
    if (!best || cost < best.cost) best = { first, index, cost };
  }
  if (!best) return null;
  const key = times[best.index]!;
  const seek = key - probe.startTime + 0.25 / probe.fps;
  // the second process's t is (pts - start time - seek); its picks are judged on the one pass's clock
  return { first: best.first, seek, shift: seek + probe.startTime - t0, keyframe: key - t0 };
}

const f6 = (x: number): string => x.toFixed(6);

/** Runs one ffmpeg process and cuts its output into frames (`onFrame` numbers them from `firstIndex`). */
async function decodeFrames(
  args: string[],
  out: { width: number; height: number },
  count: number,
  firstIndex: number,
  onFrame?: (frame: Frame, index: number) => void,
): Promise<Frame[]> {
  const asm = new FrameAssembler(out.width, out.height, count, onFrame && ((frame, i) => onFrame(frame, firstIndex + i)));
  const res = await runTool('ffmpeg', args, {
    timeoutMs: visionSettings().ffmpegTimeoutMs,
    maxStdout: out.width * out.height * 3 * count + 1,
    onStdout: (c) => asm.push(c),
  });
  if (res.timedOut) throw new MediaError('CORRUPT_MEDIA', 'the video could not be decoded in time (ffmpeg timed out)');
  if (asm.frames.length === 0 && res.code !== 0) {
    throw new MediaError('CORRUPT_MEDIA', `the video does not decode: ${tail(res.stderr) || `ffmpeg exited with ${res.code}`}`);
  }
  return asm.frames;
}

/** The select filter's targets: `offset + k * step` seconds after the first frame, as ffmpeg reads them (6 decimals). */
export function sampleTargets(probe: VideoProbe, count: number): { offset: number; step: number } {
  const half = probe.fps > 0 ? 0.5 / probe.fps : 0;
  return { offset: Number(f6(Math.max(0, probe.span / count / 2 - half))), step: Number(f6(probe.span / count)) };
}

/** The ffmpeg command of a sampling pass: `select` picks the frames, `seek` (-ss) starts a second process at its keyframe. */
function sampleCommand(file: string, probe: VideoProbe, maxSide: number, strategy: SampleStrategy) {
  const out = fitInside(probe.width, probe.height, maxSide);
  const rotated = probe.rotation === 90 || probe.rotation === 270;
  // scale happens before the rotation, so in stored orientation
  const sw = rotated ? out.height : out.width;
  const sh = rotated ? out.width : out.height;
  const after: string[] = [];
  if (sw !== probe.storedWidth || sh !== probe.storedHeight) after.push(`scale=${sw}:${sh}:flags=area`);
  after.push('format=rgb24', ...transposeFilter(probe.rotation));
  const head = ['-nostdin', '-v', 'error', '-threads', threadsArg()];
  if (strategy === 'noref') head.push('-skip_frame', 'noref');
  if (strategy === 'keyframes') head.push('-skip_frame', 'nokey');
  const args = (select: string, frames: number, seek?: number): string[] => [
    ...head,
    ...(seek === undefined ? [] : ['-noaccurate_seek', '-ss', f6(seek)]),
    ...['-noautorotate', '-i', file, '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', [`select='${select}'`, ...after].join(','), '-vsync', '0'],
    ...['-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  return { out, args };
}

const onePassSelect = (t: { offset: number; step: number }): string => `gte(t-start_t\\,${f6(t.offset)}+selected_n*${f6(t.step)})`;

/** One ffmpeg process picks the `count` frames. */
async function runSample(file: string, probe: VideoProbe, count: number, maxSide: number, strategy: SampleStrategy, onFrame?: (frame: Frame, index: number) => void): Promise<Frame[]> {
  const { out, args } = sampleCommand(file, probe, maxSide, strategy);
  return decodeFrames(args(onePassSelect(sampleTargets(probe, count)), count), out, count, 0, onFrame);
}

/**
 * Two ffmpeg processes pick the frames one pass would, as `plan` (planSplit) says. Null when
 * either process fails or comes out short (damage, a container that does not seek): the caller
 * then decodes in one pass, which reports the video's own errors.
 */
async function runSplitSample(
  file: string,
  probe: VideoProbe,
  count: number,
  maxSide: number,
  targets: { offset: number; step: number },
  plan: SplitPlan,
  onFrame?: (frame: Frame, index: number) => void,
): Promise<Frame[] | null> {
  const { out, args } = sampleCommand(file, probe, maxSide, 'all');
  const x = `(t+${f6(plan.shift)})`;
  const rest = `gte(${x}\\,${f6(plan.keyframe - 0.5 / probe.fps)})*gte(${x}\\,${f6(targets.offset)}+(selected_n+${plan.first})*${f6(targets.step)})`;
  const [a, b] = await Promise.allSettled([
    decodeFrames(args(onePassSelect(targets), plan.first), out, plan.first, 0, onFrame),
    decodeFrames(args(rest, count - plan.first, plan.seek), out, count - plan.first, plan.first, onFrame),
  ]);
  if (a.status === 'rejected' || b.status === 'rejected') return null;
  if (a.value.length !== plan.first || b.value.length !== count - plan.first) return null;
  return [...a.value, ...b.value];
}

export interface SampledVideo {
  frames: Frame[];
  strategy: SampleStrategy;
  /** 0 for the first decoding pass, 1 when a fallback pass replaced it */
  attempt: number;
}

/**
 * Samples up to `count` frames evenly over the whole video, rotated for display and scaled to fit
 * maxSide. Fewer frames come back when the video has fewer; none throws TOO_FEW_FRAMES.
 * `onFrame` sees each frame as soon as ffmpeg has produced it (so analysis overlaps decoding),
 * tagged with the attempt: frames of an attempt that a later one replaced must be discarded.
 */
export async function sampleVideoFileStreaming(
  file: string,
  probe: VideoProbe,
  opts: SampleOptions = {},
  onFrame?: (frame: Frame, index: number, attempt: number) => void,
): Promise<SampledVideo> {
  const want = Math.max(1, Math.floor(opts.count ?? 8));
  const count = Math.max(1, Math.min(want, probe.frames));
  const maxSide = opts.maxSide ?? 640;
  let strategy = opts.strategy ?? chooseStrategy(probe, count);
  let attempt = 0;
  const tagged = (n: number) => onFrame && ((fr: Frame, i: number) => onFrame(fr, i, n));
  // Skipped frames (noref, keyframes) are not in the probe's frame times: only a full decode splits.
  const targets = sampleTargets(probe, count);
  const plan = strategy === 'all' && visionSettings().splitDecode ? planSplit(probe, count, targets.offset, targets.step) : null;
  let frames = plan ? await runSplitSample(file, probe, count, maxSide, targets, plan, tagged(0)) : null;
  if (frames === null) {
    // a failed split may have handed on frames as attempt 0: the pass replacing them is attempt 1
    if (plan) attempt = 1;
    frames = await runSample(file, probe, count, maxSide, strategy, tagged(attempt));
  }
  // Skipping frames must never cost samples: fall back to decoding everything.
  if (strategy !== 'all' && frames.length < (strategy === 'keyframes' ? Math.ceil(count / 2) : count)) {
    const all = await runSample(file, probe, count, maxSide, 'all', tagged(attempt + 1));
    if (all.length > frames.length) {
      frames = all;
      strategy = 'all';
      attempt += 1;
    }
  }
  if (frames.length === 0) throw new MediaError('TOO_FEW_FRAMES', 'no frame of the video could be decoded');
  return { frames, strategy, attempt };
}

export async function sampleVideoFile(file: string, probe: VideoProbe, opts: SampleOptions = {}): Promise<Frame[]> {
  return (await sampleVideoFileStreaming(file, probe, opts)).frames;
}

/**
 * One frame at `seconds` (clamped into the video), rotated for display and scaled to fit maxSide:
 * a media's snapshot. `-ss` before the input seeks to the keyframe before and decodes forward, so
 * the frame is the one shown at that time, not only the nearest keyframe.
 */
export async function videoFrameAt(file: string, probe: VideoProbe, seconds: number, maxSide: number): Promise<{ frame: Frame; time: number }> {
  const last = Math.max(0, probe.span - (probe.fps > 0 ? 1 / probe.fps : 0));
  const time = Math.min(Math.max(0, seconds), last);
  const out = fitInside(probe.width, probe.height, maxSide);
  const rotated = probe.rotation === 90 || probe.rotation === 270;
  const filters = [`scale=${rotated ? out.height : out.width}:${rotated ? out.width : out.height}:flags=area`, 'format=rgb24', ...transposeFilter(probe.rotation)];
  const args = ['-nostdin', '-v', 'error', '-threads', threadsArg(), '-ss', time.toFixed(6), '-noautorotate', '-i', file];
  args.push('-map', '0:v:0', '-an', '-sn', '-dn', '-vf', filters.join(','), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const asm = new FrameAssembler(out.width, out.height, 1);
  const res = await runTool('ffmpeg', args, { timeoutMs: visionSettings().ffmpegTimeoutMs, maxStdout: out.width * out.height * 3 + 1, onStdout: (c) => asm.push(c) });
  if (res.timedOut) throw new MediaError('CORRUPT_MEDIA', 'the video could not be decoded in time (ffmpeg timed out)');
  const frame = asm.frames[0];
  if (!frame) throw new MediaError('TOO_FEW_FRAMES', `no frame of the video could be decoded at ${time.toFixed(3)} s: ${tail(res.stderr) || `ffmpeg exited with ${res.code}`}`);
  return { frame, time };
}
