// PATCH of meta_data on folders, media, analyses, collections, persons and users (the documents'
// "Metadata" page). The body's keys are merged in; a key set to null is removed.
import { loadAnalysis } from './analyses';
import type { Caller } from './auth';
import { recordAudit } from './audit';
import { checkCollection, loadCollection, loadPerson } from './collections';
import type { CoreDeps } from './deps';
import type { JsonObject } from './entities';
import { badStructure, notFound } from './errors';
import { metaDataOf } from './limits';
import { folderTarget, loadFolder, loadMedia, refuseIfCleared } from './folders';
import { check } from './permissions';
import type { MetaDataTarget } from './ports/metadata';

// The object check serves the admin use cases, which still pass meta_data as sent; the metadata routes pass a typed object.
export function mergeMetaData(current: JsonObject, patch: unknown): JsonObject {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badStructure('The body must be a JSON object of meta_data keys (null removes a key)');
  const merged: JsonObject = { ...current };
  for (const [k, v] of Object.entries(patch as JsonObject)) {
    if (v === null) delete merged[k];
    // defineProperty, not assignment: whatever the key, it is an own key, the one that is stored and measured
    else Object.defineProperty(merged, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return metaDataOf(merged);
}

async function save(deps: Pick<CoreDeps, 'metaData' | 'clock'>, target: MetaDataTarget, current: JsonObject, patch: JsonObject, what: string) {
  const meta_data = mergeMetaData(current, patch);
  if (!(await deps.metaData.setMetaData(target, meta_data, deps.clock.now()))) throw notFound(what);
  return { meta_data };
}

export async function patchFolderMeta(deps: Pick<CoreDeps, 'audit' | 'folders' | 'metaData' | 'clock' | 'ids'>, caller: Caller, folderId: string, patch: JsonObject) {
  const agg = await loadFolder(deps, caller, folderId, 'update');
  refuseIfCleared(agg.folder, 'meta_data');
  const saved = await save(deps, { kind: 'FOLDER', company_id: agg.folder.company_id, folder_id: folderId }, agg.folder.meta_data, patch, 'Folder');
  // Keys only: folder meta_data often holds personal data, which must not outlive a PI clearing in the log.
  const keys = Object.entries(patch);
  const changes = { set: keys.filter(([, v]) => v !== null).map(([k]) => k), removed: keys.filter(([, v]) => v === null).map(([k]) => k) };
  await recordAudit(deps, caller.user, { object_type: 'FOLDER', object_id: folderId, company_id: agg.folder.company_id, action: 'meta_data', changes });
  return { folder_id: folderId, ...saved };
}

export async function patchMediaMeta(deps: Pick<CoreDeps, 'folders' | 'metaData' | 'clock'>, caller: Caller, mediaId: string, patch: JsonObject) {
  const { agg, media } = await loadMedia(deps, caller, mediaId);
  check(caller.user, 'FOLDER', 'update', folderTarget(agg.folder), 'Media');
  refuseIfCleared(agg.folder, 'meta_data');
  return { media_id: mediaId, ...(await save(deps, { kind: 'MEDIA', company_id: media.company_id, folder_id: media.folder_id, id: mediaId }, media.meta_data, patch, 'Media')) };
}

export async function patchAnalysisMeta(deps: Pick<CoreDeps, 'folders' | 'metaData' | 'clock'>, caller: Caller, analysisId: string, patch: JsonObject) {
  const { agg, analysis } = await loadAnalysis(deps, caller, analysisId);
  check(caller.user, 'ANALYSIS', 'update', folderTarget(agg.folder), 'Analysis');
  refuseIfCleared(agg.folder, 'meta_data');
  const target = { kind: 'ANALYSIS' as const, company_id: analysis.company_id, folder_id: analysis.folder_id, id: analysisId };
  const result = await save(deps, target, analysis.meta_data, patch, 'Analysis');
  return { analysis_id: analysisId, analyse_id: analysisId, ...result };
}

export async function patchCollectionMeta(deps: Pick<CoreDeps, 'collections' | 'metaData' | 'clock'>, caller: Caller, collectionId: string, patch: JsonObject) {
  const collection = await loadCollection(deps, caller, collectionId);
  checkCollection(caller.user, 'COLLECTION', 'update', collection.company_id);
  return { collection_id: collectionId, ...(await save(deps, { kind: 'COLLECTION', company_id: collection.company_id, collection_id: collectionId }, collection.meta_data, patch, 'Collection')) };
}

export async function patchPersonMeta(deps: Pick<CoreDeps, 'collections' | 'metaData' | 'clock'>, caller: Caller, collectionId: string, personId: string, patch: JsonObject) {
  const { collection, person } = await loadPerson(deps, caller, collectionId, personId);
  // Persons have no update column in the matrix: changing one changes its collection.
  checkCollection(caller.user, 'COLLECTION', 'update', collection.company_id);
  return { person_id: personId, ...(await save(deps, { kind: 'PERSON', company_id: collection.company_id, collection_id: collectionId, person_id: personId }, person.meta_data, patch, 'Person')) };
}
