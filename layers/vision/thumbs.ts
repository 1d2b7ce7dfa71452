/**
 * makeThumbnail: the small JPEG the Oz documents call a media's thumb (info.thumb, thumb_url),
 * made once at upload: an image itself, a video's middle frame, a shot set's first frame
 * (changelog: "the first frame of shots set becomes this shots set's thumbnail"), longest side
 * THUMB_MAX_SIDE, EXIF orientation and video rotation applied.
 */
import sharp from 'sharp';
import { decodeImage, decodeShotSet, sampleVideoFrames } from './frames';
import { withTempFile } from './tools';
import { probeVideoFile, videoFrameAt } from './video';
import type { Frame, MediaKind } from './types';

export const THUMB_MAX_SIDE = 240;
export const THUMB_QUALITY = 75;

export interface Thumbnail {
  jpeg: Buffer;
  width: number;
  height: number;
}

export async function frameToThumbnail(frame: Frame, maxSide = THUMB_MAX_SIDE, quality = THUMB_QUALITY): Promise<Thumbnail> {
  const { data, info } = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality, mozjpeg: true })
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

/** A snapshot is a full-size picture of the media (GET|POST /api/media/{id}/snapshot/), not a thumb. */
export const SNAPSHOT_MAX_SIDE = 1920;
export const SNAPSHOT_QUALITY = 90;

export interface Snapshot extends Thumbnail {
  /** Seconds into the video the frame was taken at; null for a photo or a shot set. */
  time: number | null;
}

/**
 * A JPEG of what the media shows: a photo itself, a video's frame at `atSeconds` (its middle when
 * not given, clamped into the video), a shot set's first image. Throws MediaError for bytes that do
 * not decode.
 */
export async function makeSnapshot(bytes: Buffer, kind: MediaKind, atSeconds?: number): Promise<Snapshot> {
  if (kind === 'video') {
    const { frame, time } = await withTempFile(bytes, async (file) => {
      const probe = await probeVideoFile(file);
      return videoFrameAt(file, probe, atSeconds ?? probe.span / 2, SNAPSHOT_MAX_SIDE);
    });
    return { ...(await frameToThumbnail(frame, SNAPSHOT_MAX_SIDE, SNAPSHOT_QUALITY)), time };
  }
  const frame = kind === 'image' ? await decodeImage(bytes, SNAPSHOT_MAX_SIDE) : (await decodeShotSet(bytes, SNAPSHOT_MAX_SIDE))[0];
  if (!frame) throw new Error('no frame to make a snapshot from');
  return { ...(await frameToThumbnail(frame, SNAPSHOT_MAX_SIDE, SNAPSHOT_QUALITY)), time: null };
}
