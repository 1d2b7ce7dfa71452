/**
 * Vision layer benchmark: per-image and per-video liveness timings split by stage (medians), the
 * crop method comparison, analyses per minute with 1 and 2 concurrent analyses in one process, and
 * analyzeMedia split by stage (decode, detect, landmarks, align, embed, antispoof, gestures,
 * bestshot) for the targets, each beside its baseline in the same run, with wall and CPU time and
 * the load average: biometry on two 1280x720 photos with one core kept busy (< 100 ms), best shot
 * plus liveness on a 5 s 720p video (< 1 s), and a 5 s 720p head turn with liveness, best shot,
 * template and action shot (< 800 ms).
 *
 *   npx tsx test/bench/vision.ts            (BENCH_RUNS=n to change the repetitions;
 *                                            BENCH_ONLY=media for the analyzeMedia part alone)
 *
 * Inputs are generated at start into os.tmpdir() with ffmpeg: a 1280x720 JPEG and a 5 s 720p30
 * H.264 clip (High profile, no B-frames, GOP 30, 4 Mbit/s: phone-like, and the worst case for
 * frame skipping), made from a shared-data face photo with a slow pan and sensor-like noise so
 * the decoder has real work, or from ffmpeg's testsrc when ../shared/data is absent.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import {
  analyzeLiveness,
  analyzeMedia,
  chooseFace,
  compareTemplates,
  decodeImage,
  detectFaces,
  sampleVideoFrames,
  warmUp,
  type MediaAnalysis,
  type MediaKind,
} from '../../layers/vision';
import { withVisionSettings } from '../../layers/vision/settings';
import { analyzeMediaDetailed } from '../../layers/vision/analyze';
import { roiToTensor } from '../../layers/vision/imageops';
import { chooseLivenessModel, livenessCrop, spoofScore } from '../../layers/vision/liveness';
import { toolPath } from '../../layers/vision/tools';
import { faceWindow } from '../unit/vision/helpers';

const REPO = path.resolve(__dirname, '../..');
const FACE_PHOTO = path.resolve(REPO, '../shared/data/faces/face_recognition/examples/obama-720p.jpg');
const FACE_PHOTO_2 = path.resolve(REPO, '../shared/data/faces/face_recognition/examples/obama2.jpg');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;

function ffmpeg(args: string[]): void {
  execFileSync(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface Inputs {
  jpeg: Buffer;
  /** a second 1280x720 photo (another photo of the same person when the shared data is there) */
  jpeg2: Buffer;
  /** 4 Mbit/s with sensor-like temporal noise: every macroblock carries residual (heavy decode) */
  video: Buffer;
  /** the same pan without the noise (x264 spends ~1 Mbit/s): light decode */
  videoLight: Buffer;
  /** a head turn to the subject's left, encoded like `video` (makeGestureVideo; absent without the shared data) */
  gesture?: Buffer;
  source: string;
}

const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-bf', '0', '-g', '30', '-pix_fmt', 'yuv420p'];
const RATE = ['-b:v', '4M', '-maxrate', '5M', '-bufsize', '8M'];

export function makeInputs(dir: string): Inputs {
  const jpg = path.join(dir, 'bench-720p.jpg');
  const jpg2 = path.join(dir, 'bench-720p-2.jpg');
  const mp4 = path.join(dir, 'bench-720p-5s.mp4');
  const light = path.join(dir, 'bench-720p-5s-light.mp4');
  const h264 = H264;
  const rate = RATE;
  const pan = "crop=1280:720:x='40+40*sin(t*1.3)':y='23+23*cos(t*1.1)'";
  let source: string;
  if (existsSync(FACE_PHOTO)) {
    source = 'shared-data face photo';
    const still = ['-loop', '1', '-framerate', '30', '-i', FACE_PHOTO, '-t', '5'];
    ffmpeg(['-i', FACE_PHOTO, '-vf', 'scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720', '-q:v', '3', jpg]);
    const second = existsSync(FACE_PHOTO_2) ? FACE_PHOTO_2 : FACE_PHOTO;
    // letterboxed so the whole face stays in the frame (obama2.jpg is a portrait)
    ffmpeg(['-i', second, '-vf', 'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2', '-q:v', '3', jpg2]);
    ffmpeg([...still, '-vf', `scale=1360:766,${pan},noise=alls=6:allf=t`, ...h264, ...rate, mp4]);
    ffmpeg([...still, '-vf', `scale=1360:766,${pan}`, ...h264, '-crf', '20', light]);
  } else {
    source = 'ffmpeg testsrc2 (no shared data)';
    const src = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=5'];
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720', '-frames:v', '1', '-q:v', '3', jpg]);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=1280x720', '-frames:v', '1', '-q:v', '3', jpg2]);
    ffmpeg([...src, '-vf', 'noise=alls=6:allf=t', ...h264, ...rate, mp4]);
    ffmpeg([...src, ...h264, '-crf', '20', light]);
  }
  return { jpeg: readFileSync(jpg), jpeg2: readFileSync(jpg2), video: readFileSync(mp4), videoLight: readFileSync(light), source };
}

/**
 * A 5 s 720p30 head turn to the subject's left, encoded like the heavy pan: a frontal photo, then
 * over 0.4 s from 2.3 s a photo of the same man turned (mirrored, so he turns to his left), each a
 * 720x720 window 2.4 face heights wide, padded to 1280x720, with sensor-like noise. Null without
 * the shared data.
 */
export async function makeGestureVideo(dir: string): Promise<Buffer | null> {
  if (!existsSync(FACE_PHOTO) || !existsSync(FACE_PHOTO_2)) return null;
  const still = async (file: string, flip: boolean, out: string): Promise<string> => {
    const f = await faceWindow(file, flip, 720);
    await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).png().toFile(path.join(dir, out));
    return path.join(dir, out);
  };
  const front = await still(FACE_PHOTO, false, 'front.png');
  const turned = await still(FACE_PHOTO_2, true, 'turned.png');
  const out = path.join(dir, 'bench-720p-5s-turn.mp4');
  const loop = (file: string) => ['-loop', '1', '-framerate', '30', '-t', '5', '-i', file];
  const blend = '[1:v]format=rgba,fade=t=in:st=2.3:d=0.4:alpha=1[t];[0:v][t]overlay=format=auto,pad=1280:720:280:0,noise=alls=6:allf=t,format=yuv420p';
  ffmpeg([...loop(front), ...loop(turned), '-filter_complex', blend, '-t', '5', ...H264, ...RATE, out]);
  return readFileSync(out);
}

async function decodeOnly(video: Buffer, runs: number, threads: string): Promise<number> {
  // OZ_FFMPEG_THREADS
  return withVisionSettings({ ffmpegThreads: Number(threads) }, async () => {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await sampleVideoFrames(video, 8);
      xs.push(performance.now() - t);
    }
    return r1(median(xs));
  });
}

async function videoStages(video: Buffer, runs: number): Promise<{ decode: number | null; detect: number | null; liveness: number | null; analyzeLiveness: number; framesWithFace: number; framesScored: number }> {
  const v = { decode: [] as number[], detect: [] as number[], liveness: [] as number[], total: [] as number[], framesWithFace: 0, framesScored: 0 };
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    try {
      const r = await analyzeLiveness(video, 'video');
      v.decode.push(r.timings.decodeMs);
      v.detect.push(r.timings.detectMs);
      v.liveness.push(r.timings.livenessMs);
      v.framesWithFace = r.framesWithFace;
      v.framesScored = r.framesScored;
    } catch {
      // testsrc fallback has no face
    }
    v.total.push(performance.now() - t);
  }
  const m = (xs: number[]): number | null => (xs.length ? r1(median(xs)) : null);
  return { decode: m(v.decode), detect: m(v.detect), liveness: m(v.liveness), analyzeLiveness: r1(median(v.total)), framesWithFace: v.framesWithFace, framesScored: v.framesScored };
}

async function throughput(bytes: Buffer, kind: MediaKind, concurrency: number, total: number): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        try {
          await analyzeLiveness(bytes, kind);
        } catch {
          // no face in the synthetic fallback input: still a full analysis
        }
      }
    }),
  );
  return r1((total / (performance.now() - t)) * 60_000);
}

const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed', 'antispoof', 'gestures', 'bestshot'] as const;

export interface StageTimes {
  /** median wall time of one run */
  wallMs: number;
  /** per stage, median over runs of the stage's time summed over the run's analyses */
  stages: Record<string, number>;
  framesScored: number;
  framesWithFace: number;
  /** median CPU time of one run (this process and its ffmpeg children), in ms */
  cpuMs: number;
  /** 1-minute load average when the runs ended */
  load: number;
}

type MediaRun = () => Promise<MediaAnalysis[]>;

/**
 * CPU milliseconds this process and its finished children (ffmpeg, ffprobe) have used: a figure
 * the machine's load barely moves, unlike wall time. Linux /proc (clock ticks of 10 ms); elsewhere
 * this process only.
 */
function cpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // after "pid (comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17
    return [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0) * 10;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

/**
 * Runs each of `fns` `runs` times, interleaved (a, b, a, b, ...) so that a change of the machine's
 * load hits them alike; medians of the wall time and of each stage (summed over a run's analyses).
 */
async function mediaStages(runs: number, ...fns: MediaRun[]): Promise<Array<StageTimes | null>> {
  const wall = fns.map(() => [] as number[]);
  const cpu = fns.map(() => [] as number[]);
  const per = fns.map(() => ({}) as Record<string, number[]>);
  const last = fns.map(() => [] as MediaAnalysis[]);
  const failed = fns.map(() => false);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      if (failed[k]) continue;
      const t = performance.now();
      const c = cpuMs();
      try {
        last[k] = await fn();
      } catch {
        failed[k] = true; // no face in the synthetic fallback inputs
        continue;
      }
      wall[k]!.push(performance.now() - t);
      cpu[k]!.push(cpuMs() - c);
      for (const st of STAGES) (per[k]![st] ??= []).push(last[k]!.reduce((a, r) => a + (r.timings[st] ?? 0), 0));
    }
  }
  return fns.map((_, k) => {
    if (failed[k]) return null;
    const stages: Record<string, number> = {};
    for (const st of STAGES) stages[st] = r1(median(per[k]![st]!));
    return {
      wallMs: r1(median(wall[k]!)),
      cpuMs: Math.round(median(cpu[k]!)),
      stages,
      framesScored: last[k]!.reduce((a, r) => a + r.framesScored, 0),
      framesWithFace: last[k]!.reduce((a, r) => a + r.framesWithFace, 0),
      load: r1(os.loadavg()[0]!),
    };
  });
}

const fmtStages = (s: StageTimes): string => STAGES.map((k) => `${k} ${s.stages[k]}`).join(' | ');

/** Keeps one core busy with a spinning child process until stop() (the biometry target's condition). */
function keepOneCoreBusy(): { stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return { stop: () => void child.kill('SIGKILL') };
}

const GESTURE_OPTIONS = { liveness: true, bestShot: true, template: true, gesture: 'video_selfie_left', actionShot: true } as const;

/**
 * analyzeMedia split by stage for the targets, each beside its baseline measured in the same run:
 *  - biometry of two 1280x720 photos while another process keeps one core busy: the two templates
 *    at once (as the worker makes them) against one after the other;
 *  - best shot + liveness on a 5 s 720p video;
 *  - a 5 s 720p head turn with liveness, best shot, template and action shot: coarse to fine
 *    against every frame analysed (InternalOptions.coarseToFine = false).
 */
export async function runMediaBench(inputs: Inputs, runs: number, log: (s: string) => void, print = true): Promise<MediaBench> {
  const { jpeg, video, videoLight } = inputs;
  await warmUp({ gestures: true });
  const template = (bytes: Buffer) => analyzeMedia(bytes, 'image', { template: true });
  const concurrent: MediaRun = async () => {
    const [a, b] = await Promise.all([template(jpeg), template(inputs.jpeg2)]);
    compareTemplates(a.template!, b.template!);
    return [a, b];
  };
  const sequential: MediaRun = async () => {
    const a = await template(jpeg);
    const b = await template(inputs.jpeg2);
    compareTemplates(a.template!, b.template!);
    return [a, b];
  };
  const [biometryIdle = null] = await mediaStages(runs, concurrent);
  const busy = keepOneCoreBusy();
  let biometryBusy: StageTimes | null;
  let biometryBusySequential: StageTimes | null;
  try {
    [biometryBusy = null, biometryBusySequential = null] = await mediaStages(runs, concurrent, sequential);
  } finally {
    busy.stop();
  }
  const [bestShotVideo = null, bestShotVideoLight = null] = await mediaStages(
    runs,
    async () => [await analyzeMedia(video, 'video', { liveness: true, bestShot: true })],
    async () => [await analyzeMedia(videoLight, 'video', { liveness: true, bestShot: true })],
  );
  const [quality = null] = await mediaStages(runs, async () => [await analyzeMedia(video, 'video', { liveness: true, bestShot: true, template: true })]);
  const gestureRuns = Math.max(3, Math.ceil(runs / 2));
  const [gesture = null, gestureEveryFrame = null, gestureOneProcess = null] = inputs.gesture
    ? await mediaStages(
        gestureRuns,
        async () => [await analyzeMedia(inputs.gesture!, 'video', GESTURE_OPTIONS)],
        async () => [(await analyzeMediaDetailed(inputs.gesture!, 'video', GESTURE_OPTIONS, { coarseToFine: false })).analysis],
        async () => [await withVisionSettings({ splitDecode: false }, () => analyzeMedia(inputs.gesture!, 'video', GESTURE_OPTIONS))],
      )
    : [null, null, null];
  const [gestureFailed = null] = await mediaStages(gestureRuns, async () => [await analyzeMedia(video, 'video', GESTURE_OPTIONS)]);

  const media: MediaBench = {
    model: chooseLivenessModel().name,
    biometryTwo720pPhotos: { oneCoreBusy: biometryBusy, oneCoreBusySequential: biometryBusySequential, idle: biometryIdle },
    bestShotAndLiveness5s720p: { heavy: bestShotVideo, light: bestShotVideoLight },
    livenessBestShotTemplate5s720p: quality,
    gestureTurn5s720p: { coarseToFine: gesture, everyFrame: gestureEveryFrame, oneProcess: gestureOneProcess },
    gestureNotMade5s720p: gestureFailed,
    targetsMs: { biometry: 100, bestShotAndLiveness: 1000, gesture: 800 },
  };
  if (print) printMedia(media, log);
  return media;
}

export interface MediaBench {
  model: string;
  biometryTwo720pPhotos: { oneCoreBusy: StageTimes | null; oneCoreBusySequential: StageTimes | null; idle: StageTimes | null };
  bestShotAndLiveness5s720p: { heavy: StageTimes | null; light: StageTimes | null };
  livenessBestShotTemplate5s720p: StageTimes | null;
  /** oneProcess: the decode in one ffmpeg process (no split at a keyframe) */
  gestureTurn5s720p: { coarseToFine: StageTimes | null; everyFrame: StageTimes | null; oneProcess: StageTimes | null };
  gestureNotMade5s720p: StageTimes | null;
  targetsMs: { biometry: number; bestShotAndLiveness: number; gesture: number };
}

function printMedia(m: MediaBench, log: (s: string) => void): void {
  const line = (name: string, st: StageTimes | null, target?: number, baseline?: { name: string; st: StageTimes | null }): void => {
    if (!st) {
      log(`  ${name}: no face in the inputs (synthetic fallback)`);
      return;
    }
    const verdict = target === undefined ? '' : st.wallMs < target ? ` (target < ${target} ms: met)` : ` (target < ${target} ms: MISSED)`;
    const ratio = baseline?.st
      ? `; ${r1(baseline.st.wallMs / st.wallMs)}x faster (wall) and ${r1(baseline.st.cpuMs / st.cpuMs)}x less CPU than ${baseline.name} (${baseline.st.wallMs} ms wall, ${baseline.st.cpuMs} ms CPU, same run)`
      : '';
    log(`  ${name}: ${st.wallMs} ms wall${verdict}, ${st.cpuMs} ms CPU${ratio}; ${st.framesWithFace}/${st.framesScored} frames analysed with the face, load ${st.load}`);
    log(`      ${fmtStages(st)}`);
  };
  const b = m.biometryTwo720pPhotos;
  const g = m.gestureTurn5s720p;
  log('  analyzeMedia (medians; stage times summed over the analyses of a run; video decode overlaps detection):');
  line('biometry, two 1280x720 photos, one core kept busy by another process, templates at once', b.oneCoreBusy, m.targetsMs.biometry, { name: 'one after the other', st: b.oneCoreBusySequential });
  line('biometry, two 1280x720 photos, no extra load', b.idle);
  line('best shot + liveness, 5 s 720p heavy', m.bestShotAndLiveness5s720p.heavy, m.targetsMs.bestShotAndLiveness);
  line('best shot + liveness, 5 s 720p light', m.bestShotAndLiveness5s720p.light, m.targetsMs.bestShotAndLiveness);
  line('liveness + best shot + template, 5 s 720p heavy', m.livenessBestShotTemplate5s720p);
  line('head turn video_selfie_left + liveness + best shot + template + action shot, 5 s 720p heavy, coarse to fine', g.coarseToFine, m.targetsMs.gesture, { name: 'every frame analysed', st: g.everyFrame });
  line('  the same head turn (decode split at a keyframe) against its decode in one ffmpeg process', g.coarseToFine, undefined, { name: 'one ffmpeg process', st: g.oneProcess });
  line('the same checks on the 5 s 720p pan, where no turn is made (fails: every frame analysed)', m.gestureNotMade5s720p);
}

export async function runVisionBench(opts: { runs?: number; log?: (s: string) => void } = {}): Promise<object> {
  const runs = opts.runs ?? (Number(process.env.BENCH_RUNS) || 9);
  const log = opts.log ?? ((s: string) => console.log(s));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-vision-bench-'));
  try {
    const loadBefore = os.loadavg()[0]!;
    const inputs = makeInputs(dir);
    inputs.gesture = (await makeGestureVideo(dir)) ?? undefined;
    const { jpeg, source } = inputs;
    await warmUp();
    const choice = chooseLivenessModel();

    // --- image, stage by stage
    const img = { decode: [] as number[], detect: [] as number[], liveness: [] as number[], total: [] as number[] };
    let face = null as ReturnType<typeof chooseFace>;
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const frame = await decodeImage(jpeg);
      img.decode.push(performance.now() - t);
      t = performance.now();
      face = chooseFace(await detectFaces(frame));
      img.detect.push(performance.now() - t);
      if (face) {
        t = performance.now();
        await spoofScore(frame, face, choice);
        img.liveness.push(performance.now() - t);
      }
      t = performance.now();
      try {
        await analyzeLiveness(jpeg, 'image');
      } catch {
        // testsrc fallback has no face
      }
      img.total.push(performance.now() - t);
    }

    // --- crop: hand-written bilinear vs sharp extract+resize (fr_liveness crop, 128x128)
    const frame = await decodeImage(jpeg);
    const crop = face ? livenessCrop(choice.nets[0]!, frame, face) : { x: 400, y: 100, w: 400, h: 400 };
    const cropHand: number[] = [];
    const cropSharp: number[] = [];
    for (let i = 0; i < runs * 3; i++) {
      let t = performance.now();
      roiToTensor(frame, crop!, 128, 128, { order: 'BGR', mean: 0, std: 1 });
      cropHand.push(performance.now() - t);
      t = performance.now();
      const data = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
        .extract({ left: crop!.x, top: crop!.y, width: crop!.w, height: crop!.h })
        .resize(128, 128, { kernel: 'linear' })
        .raw()
        .toBuffer();
      const tensor = new Float32Array(3 * 128 * 128);
      for (let p = 0; p < 128 * 128; p++) {
        tensor[p] = data[p * 3 + 2]!;
        tensor[16384 + p] = data[p * 3 + 1]!;
        tensor[32768 + p] = data[p * 3]!;
      }
      cropSharp.push(performance.now() - t);
    }

    // --- video: decoding alone (1 and 2 ffmpeg threads), then the whole analysis (8 frames)
    const { video, videoLight } = inputs;
    const decode = {
      heavy: { threads1: await decodeOnly(video, runs, '1'), threads2: await decodeOnly(video, runs, '2') },
      light: { threads1: await decodeOnly(videoLight, runs, '1'), threads2: await decodeOnly(videoLight, runs, '2') },
    };
    const vidHeavy = await videoStages(video, runs);
    const vidLight = await videoStages(videoLight, runs);

    // --- analyzeMedia, stage by stage (the targets)
    const media = await runMediaBench(inputs, runs, log, false);

    // --- throughput in one process
    const tput = {
      image: { c1: await throughput(jpeg, 'image', 1, runs * 2), c2: await throughput(jpeg, 'image', 2, runs * 2) },
      video: { c1: await throughput(video, 'video', 1, Math.max(4, runs)), c2: await throughput(video, 'video', 2, Math.max(4, runs)) },
    };

    const result = {
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', node: process.version, loadavg1mBefore: r1(loadBefore), loadavg1mAfter: r1(os.loadavg()[0]!) },
      inputs: {
        source,
        jpeg: '1280x720',
        jpegBytes: jpeg.length,
        video: '1280x720 30fps 5 s H.264 High, no B-frames, GOP 30; heavy = 4 Mbit/s with temporal noise, light = same pan, no noise, crf 20',
        heavyBytes: video.length,
        lightBytes: videoLight.length,
      },
      model: choice.name,
      runs,
      imageMs: { decode: r1(median(img.decode)), detect: r1(median(img.detect)), liveness: img.liveness.length ? r1(median(img.liveness)) : null, analyzeLiveness: r1(median(img.total)) },
      cropMs: { handWrittenBilinear: r1(median(cropHand) * 10) / 10, sharpExtractResize: r1(median(cropSharp) * 10) / 10 },
      videoDecode8FramesMs: decode,
      videoMs: { heavy: vidHeavy, light: vidLight },
      analysesPerMinute: tput,
      analyzeMedia: media,
    };
    log(`vision bench (${result.machine.cpus} x ${result.machine.cpu}, ${process.version}, load ${result.machine.loadavg1mBefore} -> ${result.machine.loadavg1mAfter}), model ${choice.name}, medians of ${runs} runs`);
    log(`  inputs: ${source}; JPEG 1280x720 ${jpeg.length} B`);
    log(`  image  : decode ${result.imageMs.decode} ms | detect ${result.imageMs.detect} ms | liveness ${result.imageMs.liveness} ms | analyzeLiveness ${result.imageMs.analyzeLiveness} ms`);
    log(`  crop   : hand-written bilinear ${result.cropMs.handWrittenBilinear} ms | sharp extract+resize ${result.cropMs.sharpExtractResize} ms`);
    log(`  inputs: video heavy ${video.length} B (${r1((video.length * 8) / 5e6)} Mbit/s), light ${videoLight.length} B (${r1((videoLight.length * 8) / 5e6)} Mbit/s)`);
    log(`  video decode 8 frames alone: heavy ${decode.heavy.threads1} ms (1 thread) / ${decode.heavy.threads2} ms (2 threads) | light ${decode.light.threads1} / ${decode.light.threads2} ms`);
    for (const [name, v] of [['heavy', vidHeavy], ['light', vidLight]] as const) {
      log(`  video ${name.padEnd(5)}: analyzeLiveness ${v.analyzeLiveness} ms wall = decode ${v.decode} ms, with detect ${v.detect} ms + liveness ${v.liveness} ms overlapping it (${v.framesWithFace}/${v.framesScored} frames with a face)`);
    }
    log(`  analyses per minute, one process: image ${tput.image.c1} (1 at a time) / ${tput.image.c2} (2 concurrent) | heavy video ${tput.video.c1} / ${tput.video.c2}`);
    printMedia(media, log);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const only = process.env.BENCH_ONLY;
  const main = async (): Promise<unknown> => {
    if (only !== 'media') return runVisionBench();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-vision-bench-'));
    try {
      const inputs = makeInputs(dir);
      inputs.gesture = (await makeGestureVideo(dir)) ?? undefined;
      console.log(`analyzeMedia bench (${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, load ${r1(os.loadavg()[0]!)}), inputs: ${inputs.source}`);
      return await runMediaBench(inputs, Number(process.env.BENCH_RUNS) || 9, (l) => console.log(l));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
