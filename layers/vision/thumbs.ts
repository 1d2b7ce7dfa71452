/**
 * makeThumbnail: the small JPEG the Oz documents call a media's thumb (info.thumb, thumb_url),
 * made once at upload: an image itself, a video's middle frame, a shot set's first frame
 * (changelog: "the first frame of shots set becomes this shots set's thumbnail"), longest side
 * THUMB_MAX_SIDE, EXIF orientation and video rotation applied.
 */
import sharp from 'sharp';
import { decodeImage, decodeShotSet, sampleVideoFrames } from './frames';
import type { Frame, MediaKind } from './types';

export const THUMB_MAX_SIDE = 240;
export const THUMB_QUALITY = 75;

export interface Thumbnail {
  jpeg: Buffer;
  width: number;
  height: number;
}

export async function frameToThumbnail(frame: Frame, maxSide = THUMB_MAX_SIDE): Promise<Thumbnail> {
  const { data, info } = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: THUMB_QUALITY, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}

/** Throws MediaError for media that does not decode (callers inspect first). */
export async function makeThumbnail(bytes: Buffer, kind: MediaKind, maxSide = THUMB_MAX_SIDE): Promise<Thumbnail> {
  let frame: Frame | undefined;
  if (kind === 'image') frame = await decodeImage(bytes, maxSide);
  else if (kind === 'video') {
    // Three evenly spaced frames: the middle one, away from a first frame that is often black.
    const frames = await sampleVideoFrames(bytes, 3, { maxSide: Math.max(maxSide, 320) });
    frame = frames[Math.floor(frames.length / 2)] ?? frames[0];
  } else frame = (await decodeShotSet(bytes, maxSide))[0];
  if (!frame) throw new Error('no frame to make a thumbnail from');
  return frameToThumbnail(frame, maxSide);
}
