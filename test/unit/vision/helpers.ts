/** Test helpers: shared-data paths, synthetic media made at test time, a tiny ZIP writer. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync, deflateSync } from 'node:zlib';
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

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

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
