// Deleting a folder (DELETE /api/folders/{id}, the Android SDK calls it) and a folder's media
// (DELETE /api/media/{id}). Changelog 3.10.0: "Only Admin and Client Admin can delete folder, folder
// media ... (within their company)", which is the FOLDER delete right of the access matrix; the
// other roles get 403/9 on what they may read, 404 on the rest.
//
// What goes: every stored file under the folder (uploads, best shots, action shots, thumbnails,
// PDF reports: everything kept under the folder's key prefix), every record (the folder, media, analyses,
// webhook delivery records), the id pointers and list-index entries, and the "this analysis found
// person X" links its COLLECTION analyses hold. Face templates of folder media exist only inside
// analysis results, which go with the analyses. Audit entries and usage counters stay (they hold
// no personal data and billing must still add up). Files go first, records after, so a deletion cut
// short can be repeated and finishes the job.
import type { Caller } from './auth';
import { recordAudit } from './audit';
import type { CoreDeps } from './deps';
import { mediaBlobKeys, type Media } from './entities';
import { clearFolderReports } from './reports/reports';
import { ApiError, ErrorCode } from './errors';
import { folderTarget, loadFolder, loadMedia } from './folders';
import { check } from './permissions';
import type { FolderAggregate } from './ports/folders';

/** Where a folder's files are kept: every blob key of its media begins with this. */
export const folderBlobPrefix = (companyId: string, folderId: string) => `${companyId}/${folderId}/`;

const BLOB_DELETES_AT_ONCE = 8;

/** Deletes blobs a few at a time (a folder may hold hundreds); shared by deletion and PI clearing. */
export async function deleteBlobKeys(deps: Pick<CoreDeps, 'blobs'>, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BLOB_DELETES_AT_ONCE) {
    await Promise.all(keys.slice(i, i + BLOB_DELETES_AT_ONCE).map((k) => deps.blobs.delete(k)));
  }
}

function refuseWhileProcessing(agg: FolderAggregate, what: string): void {
  const processing = agg.analyses.filter((a) => a.state === 'PROCESSING').map((a) => a.analysis_id);
  if (processing.length) {
    throw new ApiError(409, ErrorCode.INVALID_VALUE, `The folder has analyses still PROCESSING: delete ${what} once they have finished`, {
      processing_analyses: processing,
    });
  }
}

const deleteBlobs = (deps: Pick<CoreDeps, 'blobs'>, media: Media[]) => deleteBlobKeys(deps, media.flatMap(mediaBlobKeys));

/** DELETE /api/folders/{folder_id}: the folder and everything in it; 409 while an analysis runs. */
export async function deleteFolder(deps: Pick<CoreDeps, 'audit' | 'folders' | 'reports' | 'blobs' | 'clock' | 'ids'>, caller: Caller, folderId: string): Promise<void> {
  const agg = await loadFolder(deps, caller, folderId, 'delete');
  refuseWhileProcessing(agg, 'the folder');
  const { company_id } = agg.folder;
  await deleteBlobs(deps, agg.media);
  // Its PDF reports, files and records (their id pointers live outside the folder's partition).
  await clearFolderReports(deps, company_id, folderId);
  // Anything else kept under the folder (thumbnails, files of media added meanwhile).
  await deps.blobs.deletePrefix(folderBlobPrefix(company_id, folderId));
  await deps.folders.deleteFolder(company_id, folderId);
  await recordAudit(deps, caller.user, {
    object_type: 'FOLDER',
    object_id: folderId,
    company_id,
    action: 'delete',
    changes: { media_deleted: agg.media.length, analyses_deleted: agg.analyses.length },
  });
}

/**
 * DELETE /api/media/{media_id}: one media of a folder, with its file and the output images
 * (best shots, action shots) made from it. Analyses stay, as history: their answers no longer list
 * the media. 409 while an analysis of the folder runs.
 */
export async function deleteMedia(deps: Pick<CoreDeps, 'audit' | 'folders' | 'blobs' | 'clock' | 'ids'>, caller: Caller, mediaId: string): Promise<void> {
  const { agg, media } = await loadMedia(deps, caller, mediaId);
  check(caller.user, 'FOLDER', 'delete', folderTarget(agg.folder), 'Media');
  refuseWhileProcessing(agg, 'its media');
  const doomed = [media, ...agg.media.filter((m) => m.media_type === 'IMAGE_RESULT_ANALYSIS_SINGLE' && m.media_association_id === media.media_id && m.media_id !== media.media_id)];
  await deleteBlobs(deps, doomed);
  await deps.folders.deleteMedia(doomed);
  await recordAudit(deps, caller.user, {
    object_type: 'FOLDER',
    object_id: agg.folder.folder_id,
    company_id: agg.folder.company_id,
    action: 'media-deleted',
    changes: { media_ids: doomed.map((m) => m.media_id) },
  });
}
