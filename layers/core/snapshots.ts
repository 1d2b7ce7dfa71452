// GET and POST /api/media/{media_id}/snapshot/ (changelog 4.0.2, which names the methods and
// nothing else). Our reading: a snapshot is a full-size JPEG of what the media shows (a photo
// itself, a video's frame, a shot set's first image). POST makes it, at a chosen second of a
// video; GET answers its bytes, making it first (at the video's middle) when none was made.
// It is kept beside the media's bytes and goes with them (deletion, clearing personal data).
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { snapshotKey, type Media } from './entities';
import { badValue, notFound } from './errors';
import { folderTarget, loadMedia, presignerFor, refuseIfCleared } from './folders';
import { check } from './permissions';
import { BlobNotFoundError, MediaRejectedError, type MediaSnapshotter } from './ports';

const kindOf = (media: Media): 'image' | 'video' | 'zip' => (media.media_type === 'VIDEO_FOLDER' ? 'video' : media.media_type === 'SHOTS_SET' ? 'zip' : 'image');

/** The `time` of a POST, seconds from 0 into a video (the route schema checks the number); refused on other media. */
function snapshotTime(media: Media, time: number | undefined): number | undefined {
  if (time !== undefined && media.media_type !== 'VIDEO_FOLDER') throw badValue(`time applies to videos only; this media is ${media.media_type}`, { field: 'time' });
  return time;
}

async function loadForSnapshot(deps: Pick<CoreDeps, 'folders'>, caller: Caller, mediaId: string, action: 'read' | 'update') {
  const { agg, media } = await loadMedia(deps, caller, mediaId);
  if (action === 'update') check(caller.user, 'FOLDER', 'update', folderTarget(agg.folder), 'Media');
  refuseIfCleared(agg.folder, 'snapshots');
  if (!media.blob_key) throw notFound('Media file');
  return media;
}

async function makeAndStore(deps: Pick<CoreDeps, 'blobs'>, snapshotter: MediaSnapshotter, media: Media, atSeconds?: number) {
  const bytes = await deps.blobs.get(media.blob_key);
  const made = await snapshotter.snapshot(bytes, kindOf(media), atSeconds).catch((err: unknown) => {
    if (err instanceof MediaRejectedError) throw badValue(`No snapshot can be made of this media: ${err.message}`, { reason: err.reason });
    throw err;
  });
  await deps.blobs.put(snapshotKey(media.blob_key), made.jpeg, 'image/jpeg');
  return made;
}

/** POST: (re)makes the snapshot (at `time` seconds into a video) and answers what it is, with a short-lived URL to it. */
export async function createMediaSnapshot(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, snapshotter: MediaSnapshotter, caller: Caller, mediaId: string, time: number | undefined) {
  const media = await loadForSnapshot(deps, caller, mediaId, 'update');
  const made = await makeAndStore(deps, snapshotter, media, snapshotTime(media, time));
  return {
    media_id: media.media_id,
    folder_id: media.folder_id,
    time: made.time,
    width: made.width,
    height: made.height,
    size: made.jpeg.length,
    'mime-type': 'image/jpeg',
    snapshot_url: await presignerFor(deps)(snapshotKey(media.blob_key)),
  };
}

/** GET: the snapshot's JPEG bytes, made at the video's middle when none was made yet. */
export async function readMediaSnapshot(deps: Pick<CoreDeps, 'folders' | 'blobs'>, snapshotter: MediaSnapshotter, caller: Caller, mediaId: string): Promise<Buffer> {
  const media = await loadForSnapshot(deps, caller, mediaId, 'read');
  try {
    return await deps.blobs.get(snapshotKey(media.blob_key));
  } catch (err) {
    if (!(err instanceof BlobNotFoundError)) throw err;
    return (await makeAndStore(deps, snapshotter, media)).jpeg;
  }
}
