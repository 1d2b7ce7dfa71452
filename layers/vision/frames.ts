/**
 * Decoding media into frames (packed RGB): single images (sharp; BMP through ffmpeg because the
 * prebuilt libvips has no BMP loader), sampled video frames (one ffmpeg process) and ZIP shot
 * sets (yauzl with limits).
 */
import sharp from 'sharp';
import type { ResizeOptions, Sharp } from 'sharp';
import yauzl from 'yauzl';
import { gunzipSync } from 'node:zlib';
import { MediaError } from './errors';
import { sniff, type ImageFormat } from './sniff';
import { runTool, withTempFile } from './tools';
import type { Frame } from './types';
import { probeVideoFile, sampleVideoFile, type SampleOptions, type VideoProbe } from './video';
import { visionSettings } from './settings';

/** Decompression-bomb guard: images above this many pixels are refused before decoding. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Longest side of decoded images. */
export const IMAGE_MAX_SIDE = 1280;
/** Longest side of sampled video frames (enough for the 320x240 detector and 2.7x liveness crops). */
export const VIDEO_MAX_SIDE = 640;

function tooLarge(w: number, h: number): MediaError {
  return new MediaError('IMAGE_TOO_LARGE', `the image is ${w}x${h} (${((w * h) / 1e6).toFixed(1)} MP); the limit is ${MAX_IMAGE_PIXELS / 1e6} MP`);
}

/** Width and height from a BMP header (height may be negative for top-down bitmaps). */
export function bmpSize(b: Buffer): { width: number; height: number } {
  if (b.length < 26) throw new MediaError('CORRUPT_MEDIA', 'the BMP header is truncated');
  const dib = b.readUInt32LE(14);
  if (dib === 12) return { width: b.readUInt16LE(18), height: b.readUInt16LE(20) };
  return { width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
}

async function decodeBmp(bytes: Buffer): Promise<Frame> {
  const { width, height } = bmpSize(bytes);
  if (width <= 0 || height <= 0) throw new MediaError('CORRUPT_MEDIA', 'the BMP has no size');
  if (width * height > MAX_IMAGE_PIXELS) throw tooLarge(width, height);
  const res = await runTool('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'bmp_pipe', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    timeoutMs: visionSettings().ffmpegTimeoutMs,
    maxStdout: width * height * 3 + 1,
    stdin: bytes,
  });
  if (res.timedOut || res.stdout.length !== width * height * 3) {
    throw new MediaError('CORRUPT_MEDIA', 'the BMP image is corrupt or truncated');
  }
  return { width, height, data: res.stdout };
}

export function mapSharpError(e: unknown): MediaError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(msg)) {
    return new MediaError('IMAGE_TOO_LARGE', `the image exceeds the ${MAX_IMAGE_PIXELS / 1e6} megapixel limit`);
  }
  if (/unsupported image format/i.test(msg)) return new MediaError('UNSUPPORTED_MEDIA', `the image format is not supported: ${msg}`);
  return new MediaError('CORRUPT_MEDIA', `the image is corrupt or truncated: ${msg}`);
}

async function toFrame(pipeline: Sharp): Promise<Frame> {
  try {
    const { data, info } = await pipeline
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new MediaError('CORRUPT_MEDIA', `unexpected decoded layout (${info.channels} channels)`);
    }
    return { width: info.width, height: info.height, data };
  } catch (e) {
    if (e instanceof MediaError) throw e;
    throw mapSharpError(e);
  }
}

export function sharpInput(bytes: Buffer): Sharp {
  return sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', sequentialRead: true });
}

/**
 * Decodes an image (JPEG, PNG, WebP, GIF first frame, TIFF first page, AVIF, BMP) to packed RGB,
 * EXIF orientation applied, alpha flattened on white, longest side at most `maxSide` (aspect kept).
 */
export async function decodeImage(bytes: Buffer, maxSide: number = IMAGE_MAX_SIDE): Promise<Frame> {
  const s = sniff(bytes);
  if (s.kind !== 'image') throw new MediaError('UNSUPPORTED_MEDIA', `expected an image, got ${s.mime}`);
  return decodeImageAs(bytes, s.format, maxSide);
}

const resizeOpts = (maxSide: number): ResizeOptions => ({
  width: maxSide,
  height: maxSide,
  fit: 'inside',
  withoutEnlargement: true,
  kernel: 'linear',
});

async function decodeImageAs(bytes: Buffer, format: ImageFormat, maxSide: number): Promise<Frame> {
  if (format === 'bmp') {
    const raw = await decodeBmp(bytes);
    if (Math.max(raw.width, raw.height) <= maxSide) return raw;
    return toFrame(sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } }).resize(resizeOpts(maxSide)));
  }
  return toFrame(sharpInput(bytes).rotate().resize(resizeOpts(maxSide)));
}

/** Samples `count` frames evenly over the whole video (rotation applied, longest side <= 640). */
export async function sampleVideoFrames(bytes: Buffer, count = 8, opts: Omit<SampleOptions, 'count'> = {}): Promise<Frame[]> {
  const s = sniff(bytes);
  if (s.kind !== 'video') throw new MediaError('UNSUPPORTED_MEDIA', `expected a video, got ${s.mime}`);
  return withTempFile(bytes, async (file) => {
    const probe = await probeVideoFile(file);
    return sampleVideoFile(file, probe, { maxSide: VIDEO_MAX_SIDE, ...opts, count });
  });
}

/** Same as sampleVideoFrames, also returning the probe (for callers that time or report it). */
export async function sampleVideoFramesWithProbe(
  bytes: Buffer,
  count = 8,
  opts: Omit<SampleOptions, 'count'> = {},
): Promise<{ probe: VideoProbe; frames: Frame[] }> {
  return withTempFile(bytes, async (file) => {
    const probe = await probeVideoFile(file);
    const frames = await sampleVideoFile(file, probe, { maxSide: VIDEO_MAX_SIDE, ...opts, count });
    return { probe, frames };
  });
}

export interface ShotSetLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

export const SHOT_SET_LIMITS: ShotSetLimits = {
  maxEntries: 50,
  maxEntryBytes: 15 * 1024 * 1024,
  maxTotalBytes: 100 * 1024 * 1024,
};

export interface ShotSetImage {
  name: string;
  frame: Frame;
}

function zipError(e: unknown): MediaError {
  if (e instanceof MediaError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/invalid relative path|absolute path|invalid characters in fileName|too many bytes|not enough bytes|size mismatch|overlap/i.test(msg)) {
    return new MediaError('UNSAFE_ARCHIVE', `unsafe ZIP archive: ${msg}`);
  }
  return new MediaError('CORRUPT_MEDIA', `the ZIP archive is corrupt: ${msg}`);
}

/** Reads every entry's bytes with limits; rejects the whole archive on anything unsafe. */
export function readZipEntries(bytes: Buffer, limits: ShotSetLimits = SHOT_SET_LIMITS): Promise<Array<{ name: string; data: Buffer }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(zipError(err ?? new Error('unreadable archive')));
      const out: Array<{ name: string; data: Buffer }> = [];
      let total = 0;
      let done = false;
      const fail = (e: unknown): void => {
        if (done) return;
        done = true;
        zip.close();
        reject(zipError(e));
      };
      if (zip.entryCount > limits.maxEntries) {
        return fail(new MediaError('UNSAFE_ARCHIVE', `the ZIP has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`));
      }
      zip.on('error', fail);
      zip.on('end', () => {
        if (done) return;
        done = true;
        resolve(out);
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (done) return;
        const name = entry.fileName;
        if (name.endsWith('/')) return zip.readEntry();
        if (entry.uncompressedSize > limits.maxEntryBytes) {
          return fail(new MediaError('UNSAFE_ARCHIVE', `ZIP entry ${name} is ${entry.uncompressedSize} bytes; the limit is ${limits.maxEntryBytes}`));
        }
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          return fail(new MediaError('UNSAFE_ARCHIVE', `the ZIP expands to more than ${limits.maxTotalBytes} bytes`));
        }
        const base = name.split('/').pop() ?? name;
        // macOS resource forks and hidden files are not shots
        if (name.startsWith('__MACOSX/') || base.startsWith('.') || entry.isEncrypted()) return zip.readEntry();
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) {
            // unsupported compression method etc.: not a usable shot, skip it
            return zip.readEntry();
          }
          const chunks: Buffer[] = [];
          let got = 0;
          stream.on('data', (c: Buffer) => {
            got += c.length;
            if (got > limits.maxEntryBytes) {
              stream.destroy();
              fail(new MediaError('UNSAFE_ARCHIVE', `ZIP entry ${name} expands beyond ${limits.maxEntryBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          stream.on('error', fail);
          stream.on('end', () => {
            if (done) return;
            out.push({ name, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Reads a gzip shot set (application/x-gzip, changelog 3.20.1) with the ZIP limits: a tar.gz
 * (regular files, in archive order) or one gzipped file. Decompression stops at the total limit,
 * so a gzip bomb is refused, not expanded; absolute or ".." names are refused as with ZIP.
 */
export function readGzipEntries(bytes: Buffer, limits: ShotSetLimits = SHOT_SET_LIMITS): Array<{ name: string; data: Buffer }> {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes, { maxOutputLength: limits.maxTotalBytes + 1 });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/maxOutputLength|Cannot create a Buffer larger/i.test(msg) || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MediaError('UNSAFE_ARCHIVE', `the gzip archive expands to more than ${limits.maxTotalBytes} bytes`);
    }
    throw new MediaError('CORRUPT_MEDIA', `the gzip archive is corrupt: ${msg}`);
  }
  if (raw.length > limits.maxTotalBytes) throw new MediaError('UNSAFE_ARCHIVE', `the gzip archive expands to more than ${limits.maxTotalBytes} bytes`);
  const isTar = raw.length >= 512 && raw.toString('latin1', 257, 262) === 'ustar';
  if (!isTar) {
    if (raw.length > limits.maxEntryBytes) throw new MediaError('UNSAFE_ARCHIVE', `the gzipped file is ${raw.length} bytes; the limit is ${limits.maxEntryBytes}`);
    return [{ name: 'shot', data: raw }];
  }
  const text = (start: number, end: number) => raw.toString('utf8', start, end).replace(/\0[\s\S]*$/, '');
  const out: Array<{ name: string; data: Buffer }> = [];
  let count = 0;
  for (let pos = 0; pos + 512 <= raw.length; ) {
    const header = raw.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const size = parseInt(text(pos + 124, pos + 136).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0 || pos + 512 + size > raw.length) throw new MediaError('CORRUPT_MEDIA', 'the tar archive is corrupt or truncated');
    const type = String.fromCharCode(header[156]!);
    const prefix = text(pos + 345, pos + 500);
    const name = (prefix ? `${prefix}/` : '') + text(pos, pos + 100);
    const data = raw.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type !== '0' && type !== '\0') continue; // directories, links, pax and GNU headers: not shots
    if (++count > limits.maxEntries) throw new MediaError('UNSAFE_ARCHIVE', `the tar archive has more than ${limits.maxEntries} entries`);
    if (name.startsWith('/') || name.split('/').includes('..')) throw new MediaError('UNSAFE_ARCHIVE', `unsafe tar archive: entry name ${name}`);
    if (size > limits.maxEntryBytes) throw new MediaError('UNSAFE_ARCHIVE', `tar entry ${name} is ${size} bytes; the limit is ${limits.maxEntryBytes}`);
    const base = name.split('/').pop() ?? name;
    if (base.startsWith('.')) continue;
    out.push({ name, data });
  }
  return out;
}

/**
 * Decodes a ZIP shot set: every entry that is an image (by its bytes) becomes a frame, in archive
 * order; other entries are skipped. Throws UNSAFE_ARCHIVE / CORRUPT_MEDIA, or TOO_FEW_FRAMES when
 * no image is inside.
 */
export async function decodeShotSet(bytes: Buffer, maxSide: number = IMAGE_MAX_SIDE, limits: ShotSetLimits = SHOT_SET_LIMITS): Promise<Frame[]> {
  const images = await decodeShotSetNamed(bytes, maxSide, limits);
  return images.map((i) => i.frame);
}

export async function decodeShotSetNamed(bytes: Buffer, maxSide: number = IMAGE_MAX_SIDE, limits: ShotSetLimits = SHOT_SET_LIMITS): Promise<ShotSetImage[]> {
  const s = sniff(bytes);
  if (s.kind !== 'zip') throw new MediaError('UNSUPPORTED_MEDIA', `expected a ZIP archive, got ${s.mime}`);
  const entries = s.mime === 'application/x-gzip' ? readGzipEntries(bytes, limits) : await readZipEntries(bytes, limits);
  const out: ShotSetImage[] = [];
  for (const e of entries) {
    let format: ImageFormat;
    try {
      const k = sniff(e.data);
      if (k.kind !== 'image') continue;
      format = k.format;
    } catch {
      continue;
    }
    out.push({ name: e.name, frame: await decodeImageAs(e.data, format, maxSide) });
  }
  if (out.length === 0) throw new MediaError('TOO_FEW_FRAMES', 'the ZIP archive contains no image');
  return out;
}

/** Frames per second of the video made from a shot set: each shot shows for half a second. */
export const SHOT_SET_VIDEO_FPS = 2;

/**
 * The video of a shot set (changelog 5.2.0: "If you create a folder using SHOT_SET, the
 * corresponding video will be in media.video_url"): its images in archive order, each scaled into
 * the first one's frame (even sides, at most IMAGE_MAX_SIDE), H.264 in a fragmented MP4 so it
 * streams from a pipe and plays in browsers.
 */
export async function shotSetVideo(bytes: Buffer, limits: ShotSetLimits = SHOT_SET_LIMITS): Promise<Buffer> {
  const frames = await decodeShotSet(bytes, IMAGE_MAX_SIDE, limits);
  const even = (n: number) => Math.max(2, n - (n % 2));
  const width = even(frames[0]!.width);
  const height = even(frames[0]!.height);
  const raw = await Promise.all(
    frames.map((f) =>
      sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
        .resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
        .raw()
        .toBuffer(),
    ),
  );
  const res = await runTool(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(SHOT_SET_VIDEO_FPS), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1'],
    { timeoutMs: visionSettings().ffmpegTimeoutMs, stdin: Buffer.concat(raw), maxStdout: 200 * 1024 * 1024 },
  );
  if (res.timedOut || res.code !== 0 || res.stdout.length === 0) throw new MediaError('CORRUPT_MEDIA', `could not make the shot set's video: ${res.stderr.slice(0, 300)}`);
  return res.stdout;
}
