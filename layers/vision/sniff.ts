/**
 * Media type from the bytes (magic numbers). File names and client-declared types are never
 * trusted. Sniffing only classifies: decoding (sharp / ffprobe+ffmpeg) validates.
 */
import { MediaError } from './errors';
import type { MediaKind } from './types';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp' | 'avif';
export type VideoContainer = 'mp4' | 'mov' | '3gp' | 'webm' | 'mkv' | 'avi';

export type Sniffed =
  | { kind: 'image'; mime: string; format: ImageFormat }
  | { kind: 'video'; mime: string; container: VideoContainer }
  | { kind: 'zip'; mime: 'application/zip' | 'application/x-gzip' };

const ascii = (b: Buffer, start: number, end: number): string =>
  b.length >= end ? b.toString('latin1', start, end) : '';

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const MIF_BRANDS = new Set(['mif1', 'msf1', 'miaf']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const SUPPORTED = 'send JPEG, PNG, WebP, BMP, GIF or TIFF images, MP4, MOV, WebM, MKV or AVI videos, or a ZIP or gzip (tar.gz) of images';

function unsupported(what: string): never {
  throw new MediaError('UNSUPPORTED_MEDIA', `${what}; ${SUPPORTED}`);
}

function isoBmff(b: Buffer): Sniffed {
  const boxSize = b.readUInt32BE(0);
  const major = ascii(b, 8, 12);
  const brands = new Set<string>([major]);
  const end = Math.min(b.length, boxSize >= 16 ? boxSize : 16, 4096);
  for (let o = 16; o + 4 <= end; o += 4) brands.add(ascii(b, o, o + 4));
  const has = (set: Set<string>): boolean => [...brands].some((x) => set.has(x));
  if (AVIF_BRANDS.has(major) || (MIF_BRANDS.has(major) && has(AVIF_BRANDS) && !has(HEIF_BRANDS))) {
    return { kind: 'image', mime: 'image/avif', format: 'avif' };
  }
  if (HEIF_BRANDS.has(major) || MIF_BRANDS.has(major)) {
    throw new MediaError('UNSUPPORTED_MEDIA', 'HEIC images are not supported; send JPEG or PNG');
  }
  if (major === 'qt  ') return { kind: 'video', mime: 'video/quicktime', container: 'mov' };
  if (major.startsWith('3gp') || major.startsWith('3g2')) return { kind: 'video', mime: 'video/3gpp', container: '3gp' };
  if (major === 'crx ') unsupported('camera RAW (CR3) files are not supported');
  if (major === 'M4A ' || major === 'M4B ' || major === 'M4P ') unsupported('audio files are not supported');
  if (major === 'jp2 ') unsupported('JPEG 2000 images are not supported');
  return { kind: 'video', mime: 'video/mp4', container: 'mp4' };
}

/** Classifies bytes; throws MediaError('UNSUPPORTED_MEDIA') for anything not supported. */
export function sniff(b: Buffer): Sniffed {
  if (b.length === 0) throw new MediaError('UNSUPPORTED_MEDIA', 'the file is empty');
  if (b.length < 12) unsupported(`the file is too short to be media (${b.length} bytes)`);
  const b0 = b[0]!;
  const b1 = b[1]!;
  const b2 = b[2]!;
  const b3 = b[3]!;
  if (b0 === 0xff && b1 === 0xd8 && b2 === 0xff) return { kind: 'image', mime: 'image/jpeg', format: 'jpeg' };
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { kind: 'image', mime: 'image/png', format: 'png' };
  }
  const head6 = ascii(b, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { kind: 'image', mime: 'image/gif', format: 'gif' };
  if (ascii(b, 0, 4) === 'RIFF') {
    const form = ascii(b, 8, 12);
    if (form === 'WEBP') return { kind: 'image', mime: 'image/webp', format: 'webp' };
    if (form === 'AVI ') return { kind: 'video', mime: 'video/x-msvideo', container: 'avi' };
    if (form === 'WAVE') unsupported('audio files are not supported');
    unsupported(`unsupported RIFF file (${JSON.stringify(form)})`);
  }
  if ((b0 === 0x49 && b1 === 0x49 && b2 === 0x2a && b3 === 0x00) || (b0 === 0x4d && b1 === 0x4d && b2 === 0x00 && b3 === 0x2a)) {
    return { kind: 'image', mime: 'image/tiff', format: 'tiff' };
  }
  if (b0 === 0x42 && b1 === 0x4d && b.length >= 26) {
    const dib = b.readUInt32LE(14);
    if ([12, 40, 52, 56, 64, 108, 124].includes(dib)) return { kind: 'image', mime: 'image/bmp', format: 'bmp' };
  }
  if (ascii(b, 4, 8) === 'ftyp') return isoBmff(b);
  if (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(ascii(b, 4, 8))) {
    return { kind: 'video', mime: 'video/quicktime', container: 'mov' };
  }
  if (b0 === 0x1a && b1 === 0x45 && b2 === 0xdf && b3 === 0xa3) {
    const head = b.toString('latin1', 0, Math.min(b.length, 128));
    return head.includes('webm')
      ? { kind: 'video', mime: 'video/webm', container: 'webm' }
      : { kind: 'video', mime: 'video/x-matroska', container: 'mkv' };
  }
  if (b0 === 0x50 && b1 === 0x4b && ((b2 === 3 && b3 === 4) || (b2 === 5 && b3 === 6) || (b2 === 7 && b3 === 8))) {
    return { kind: 'zip', mime: 'application/zip' };
  }
  // Recognised but unsupported: say what it is.
  if (ascii(b, 0, 5) === '%PDF-') unsupported('PDF documents are not supported');
  // Shot sets as application/x-gzip (changelog 3.20.1): a tar.gz of images, or one gzipped image.
  if (b0 === 0x1f && b1 === 0x8b && b2 === 0x08) return { kind: 'zip', mime: 'application/x-gzip' };
  if (ascii(b, 0, 4) === 'Rar!' || ascii(b, 0, 6) === '7z\xbc\xaf\x27\x1c') unsupported('RAR/7z archives are not supported (only ZIP and gzip)');
  if ((b0 === 0xff && b1 === 0x0a) || ascii(b, 4, 8) === 'JXL ') unsupported('JPEG XL images are not supported');
  if (ascii(b, 4, 8) === 'jP  ') unsupported('JPEG 2000 images are not supported');
  const text = b.toString('utf8', 0, Math.min(b.length, 256)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) unsupported('SVG images are not supported');
  if (b0 === 0 && b1 === 0 && b2 === 1 && b3 === 0) unsupported('ICO images are not supported');
  if (b0 === 0x47 && b.length > 376 && b[188] === 0x47 && b[376] === 0x47) unsupported('MPEG-TS streams are not supported');
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0x01 && (b3 === 0xba || b3 === 0xb3)) unsupported('MPEG-PS streams are not supported');
  return unsupported('unrecognised media format');
}

export function kindOf(b: Buffer): MediaKind {
  return sniff(b).kind;
}
