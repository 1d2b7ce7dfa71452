/** Test helpers: shared-data paths, synthetic media made at test time, a tiny ZIP writer. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { chooseFace, decodeImage, detectFaces } from '../../../layers/vision';
import { toolPath } from '../../../layers/vision/tools';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');
export const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models');

/** Absolute path of a shared-data file, or null (the caller skips) when it is absent. */
export function dataFile(rel: string): string | null {
  const p = path.join(SHARED_DATA, rel);
  return existsSync(p) ? p : null;
}

export function skipMessage(rel: string): string {
  return `shared test data ${path.join(SHARED_DATA, rel)} is absent (the tests read ../shared/data beside the repo)`;
}

/** Runs ffmpeg with args in a temp dir; `out` is the output file name; returns its bytes. */
export function ffmpegMake(args: string[], out: string): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-vision-test-'));
  try {
    const file = path.join(dir, out);
    execFileSync(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', ...args, file], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A testsrc H.264 MP4 (moov at the end unless faststart). */
export function makeTestVideo(opts: { seconds?: number; size?: string; rate?: number; rotate?: number; faststart?: boolean; frames?: number } = {}): Buffer {
  const src = `testsrc=size=${opts.size ?? '320x240'}:rate=${opts.rate ?? 25}:duration=${opts.seconds ?? 2}`;
  const args = ['-f', 'lavfi', '-i', src];
  if (opts.frames !== undefined) args.push('-frames:v', String(opts.frames));
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (opts.faststart) args.push('-movflags', '+faststart');
  const plain = ffmpegMake(args, 'v.mp4');
  return opts.rotate === undefined ? plain : withRotateTag(plain, opts.rotate);
}

/** Copies an MP4 setting its display-rotation tag (a stream copy, like phones write it). */
export function withRotateTag(video: Buffer, rotate: number): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-vision-test-'));
  try {
    const inFile = path.join(dir, 'in.mp4');
    writeFileSync(inFile, video);
    return ffmpegMake(['-i', inFile, '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`], 'r.mp4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A video whose frame n is uniformly gray with luma 16 + step * n (n = 0..frames-1), lossless, so
 * a decoded frame's mean tells which frame it was.
 */
export function makeCountingVideo(frames: number, rate: number, opts: { step?: number; gop?: number } = {}): Buffer {
  const step = opts.step ?? 4;
  return ffmpegMake(
    [
      '-f', 'lavfi', '-i', `color=c=black:s=64x48:r=${rate}`,
      '-frames:v', String(frames),
      '-vf', `geq=lum='16+${step}*N':cb=128:cr=128`,
      '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      ...(opts.gop ? ['-g', String(opts.gop), '-keyint_min', String(opts.gop), '-sc_threshold', '0'] : []),
    ],
    'c.mp4',
  );
}

/** Frame index of a counting-video frame (inverse of limited-range luma 16 + step * n). */
export function countingIndex(rgb: Buffer, step = 4): number {
  let s = 0;
  for (let i = 0; i < rgb.length; i++) s += rgb[i]!;
  const mean = s / rgb.length;
  return Math.round((mean * 219) / 255 / step);
}

export { crc32 };

export interface ZipEntrySpec {
  name: string;
  data: Buffer;
  /** 'deflate' (default) or 'store' */
  method?: 'deflate' | 'store';
  /** lie about the uncompressed size in both headers */
  declaredSize?: number;
}

/** A minimal ZIP writer (no zip64, no data descriptors). */
export function makeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method === 'store' ? 0 : 8;
    const body = method === 8 ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const usize = e.declaredSize ?? e.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6); // UTF-8 names
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(usize, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, body);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A complete, valid 1-bit grayscale PNG of width x height (all black), built without decoding. */
export function makeHugePng(width: number, height: number): Buffer {
  const rowBytes = Math.ceil(width / 8) + 1;
  const raw = Buffer.alloc(rowBytes * height); // filter 0 + zero bits on every row
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Synthetic gesture clips (made at test time from shared-data photos; nothing is stored)
// ---------------------------------------------------------------------------------------------

export interface RawFrame {
  width: number;
  height: number;
  /** packed RGB */
  data: Buffer;
}

/** A still photo looped into an H.264 MP4 (ffmpeg -loop 1): nothing in it moves. */
export function stillPhotoVideo(photo: string, seconds = 3, size = '640:-2'): Buffer {
  return ffmpegMake(['-loop', '1', '-framerate', '25', '-i', photo, '-t', String(seconds), '-vf', `scale=${size}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], 'still.mp4');
}

/** Encodes raw RGB frames (all the same size) as an H.264 MP4 at `fps`. */
export function framesToVideo(frames: RawFrame[], fps = 25): Buffer {
  const w = frames[0]!.width;
  const h = frames[0]!.height;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-vision-test-'));
  try {
    const raw = path.join(dir, 'in.rgb');
    writeFileSync(raw, Buffer.concat(frames.map((f) => f.data)));
    return ffmpegMake(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-r', String(fps), '-i', raw, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p'], 'clip.mp4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mirror image (left-right). */
export function flipFrame(f: RawFrame): RawFrame {
  const out = Buffer.allocUnsafe(f.data.length);
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) f.data.copy(out, (y * f.width + (f.width - 1 - x)) * 3, (y * f.width + x) * 3, (y * f.width + x) * 3 + 3);
  }
  return { width: f.width, height: f.height, data: out };
}

/** Per-pixel blend a -> b (t = 0..1). */
export function blendFrames(a: RawFrame, b: RawFrame, t: number): RawFrame {
  const out = Buffer.allocUnsafe(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((1 - t) * a.data[i]! + t * b.data[i]!);
  return { width: a.width, height: a.height, data: out };
}

/**
 * A square window of `side` x `side` pixels centred on a box (x1, y1, x2, y2), `scale` times its
 * height, black outside the frame, resized with nearest-neighbour sampling (test material only).
 */
export function windowAround(f: RawFrame, box: { x1: number; y1: number; x2: number; y2: number }, scale: number, side: number): RawFrame {
  const s = (box.y2 - box.y1) * scale;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const out = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    const sy = Math.floor(cy - s / 2 + ((y + 0.5) * s) / side);
    if (sy < 0 || sy >= f.height) continue;
    for (let x = 0; x < side; x++) {
      const sx = Math.floor(cx - s / 2 + ((x + 0.5) * s) / side);
      if (sx < 0 || sx >= f.width) continue;
      f.data.copy(out, (y * side + x) * 3, (sy * f.width + sx) * 3, (sy * f.width + sx) * 3 + 3);
    }
  }
  return { width: side, height: side, data: out };
}

/**
 * Paints closed eyelids over both eyes (skin colour from below each eye and a dark lash line):
 * fr_eye then reads the eyes as closed. Crude, synthetic test material.
 */
export function paintClosedEyes(f: RawFrame, lm: Float32Array): RawFrame {
  const d = Buffer.from(f.data);
  for (const [a, b] of [
    [36, 41],
    [42, 47],
  ] as const) {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let i = a; i <= b; i++) {
      x0 = Math.min(x0, lm[2 * i]!);
      x1 = Math.max(x1, lm[2 * i]!);
      y0 = Math.min(y0, lm[2 * i + 1]!);
      y1 = Math.max(y1, lm[2 * i + 1]!);
    }
    const w = x1 - x0;
    const h = y1 - y0;
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const rx = w * 0.75;
    const ry = Math.max(h, w * 0.3) * 1.1;
    const sy = Math.min(f.height - 1, Math.round(y1 + w * 0.45));
    const sx = Math.round(cx);
    const skin = [0, 1, 2].map((c) => d[(sy * f.width + sx) * 3 + c]!);
    for (let y = Math.floor(cy - ry); y <= Math.ceil(cy + ry); y++) {
      for (let x = Math.floor(cx - rx); x <= Math.ceil(cx + rx); x++) {
        if (x < 0 || y < 0 || x >= f.width || y >= f.height) continue;
        const e = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        if (e > 1) continue;
        const k = (y * f.width + x) * 3;
        const alpha = e > 0.7 ? (1 - e) / 0.3 : 1;
        for (let c = 0; c < 3; c++) d[k + c] = Math.round(alpha * skin[c]! + (1 - alpha) * d[k + c]!);
        if (Math.abs(y - (cy + ry * 0.15)) < Math.max(1, h * 0.12) && Math.abs(x - cx) < rx * 0.8) {
          for (let c = 0; c < 3; c++) d[k + c] = Math.round(d[k + c]! * 0.35);
        }
      }
    }
  }
  return { width: f.width, height: f.height, data: d };
}

/** A square window of `side` pixels around the face of a photo (optionally mirrored), 2.4 face heights wide. */
export async function faceWindow(file: string, flip = false, side = 480): Promise<RawFrame> {
  let f: RawFrame = await decodeImage(readFileSync(file));
  if (flip) f = flipFrame(f);
  const face = chooseFace(await detectFaces(f))!;
  return windowAround(f, face, 2.4, side);
}

/** a for 1 s, a cross-fade of 0.4 s, b for 1 s, at 25 fps */
export function crossFade(a: RawFrame, b: RawFrame): RawFrame[] {
  const out: RawFrame[] = [];
  for (let i = 0; i < 25; i++) out.push(a);
  for (let i = 0; i < 10; i++) out.push(blendFrames(a, b, (i + 1) / 11));
  for (let i = 0; i < 25; i++) out.push(b);
  return out;
}
