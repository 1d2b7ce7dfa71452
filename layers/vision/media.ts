/**
 * inspectMedia: what the bytes are (from magic numbers, never names), checked by decoding, with
 * the facts the Oz media documents show (size, md5, mime, dimensions; duration and FPS for videos).
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { MediaError } from './errors';
import { bmpSize, decodeImage, MAX_IMAGE_PIXELS, mapSharpError } from './frames';
import { sniff } from './sniff';
import { withTempFile } from './tools';
import type { MediaInspection } from './types';
import { checkVideoDecodes, probeVideoFile } from './video';

const round = (x: number, d: number): number => {
  const p = 10 ** d;
  return Math.round(x * p) / p;
};

async function inspectImage(bytes: Buffer, mime: string, format: string, base: { size: number; md5: string }): Promise<MediaInspection> {
  if (format === 'bmp') {
    const { width, height } = bmpSize(bytes);
    if (width * height > MAX_IMAGE_PIXELS) {
      throw new MediaError('IMAGE_TOO_LARGE', `the image is ${width}x${height}; the limit is ${MAX_IMAGE_PIXELS / 1e6} MP`);
    }
    await decodeImage(bytes, 64); // validates the pixel data
    return { kind: 'image', mime, ...base, width, height };
  }
  let meta: Metadata;
  try {
    // header only: no pixel limit here so that the limit error can name the size
    meta = await sharp(bytes).metadata();
  } catch (e) {
    throw mapSharpError(e);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w <= 0 || h <= 0) throw new MediaError('CORRUPT_MEDIA', 'the image has no size');
  if (w * h > MAX_IMAGE_PIXELS) {
    throw new MediaError('IMAGE_TOO_LARGE', `the image is ${w}x${h} (${((w * h) / 1e6).toFixed(1)} MP); the limit is ${MAX_IMAGE_PIXELS / 1e6} MP`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const width = meta.autoOrient?.width ?? (swap ? h : w);
  const height = meta.autoOrient?.height ?? (swap ? w : h);
  // Headers are not validation: decode (small, shrink-on-load makes JPEG cheap) to catch truncation.
  await decodeImage(bytes, 64);
  return { kind: 'image', mime, ...base, width, height };
}

/**
 * Decides the kind of media from its bytes and checks it decodes. Throws MediaError:
 * UNSUPPORTED_MEDIA (unknown / unsupported format, e.g. HEIC), CORRUPT_MEDIA (does not decode,
 * truncated), IMAGE_TOO_LARGE (over 50 megapixels). ZIP archives are only recognised here.
 */
export async function inspectMedia(bytes: Buffer): Promise<MediaInspection> {
  if (!Buffer.isBuffer(bytes)) throw new TypeError('inspectMedia expects a Buffer');
  const s = sniff(bytes);
  const base = { size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') };
  if (s.kind === 'zip') return { kind: 'zip', mime: s.mime, ...base };
  if (s.kind === 'image') return inspectImage(bytes, s.mime, s.format, base);
  return withTempFile(bytes, async (file) => {
    const p = await probeVideoFile(file);
    await checkVideoDecodes(file);
    return {
      kind: 'video',
      mime: s.mime,
      ...base,
      width: p.width,
      height: p.height,
      duration: round(p.duration, 3),
      fps: round(p.fps, 2),
      frames: p.frames,
      rotation: p.rotation,
    };
  });
}
