// Folders and media: uploads land in blob storage first, then one transaction records them.
import type { Caller } from './auth';
import { recordAudit } from './audit';
import type { CoreConfig, CoreDeps } from './deps';
import { mediaBlobKeys, thumbKey, type Analysis, type Folder, type JsonObject, type Media, type MediaType } from './entities';
import type { FolderAggregate } from './ports/folders';
import { badStructure, badValue, forbidden, notFound } from './errors';
import { check, listScope, type Action } from './permissions';
import { MediaRejectedError, type InspectedMedia, type MediaInspector } from './ports';
import type { Presign } from './views';
import { folderView, mediaView } from './views';
import { analysisResolutionStatus } from './statuses';
import { metaDataOf } from './limits';
import { resolutionEndpointOf } from './webhook-urls';
import type { AnalysisItemInput } from './analyses';

export interface UploadedPart {
  field: string;
  filename: string | null;
  bytes: Buffer;
}

export const MAX_FILES_PER_REQUEST = 40;

const MEDIA_TYPE: Record<InspectedMedia['kind'], MediaType> = { image: 'IMAGE_FOLDER', video: 'VIDEO_FOLDER', zip: 'SHOTS_SET' };

/**
 * The payload part of an upload (POST /api/folders, .../media, collections' persons, the Instant
 * API) as its route's schema passes it: tags within their limits; null for none, as if absent.
 */
export interface UploadPayloadInput {
  'media:tags'?: Record<string, string[]> | null;
  'media:meta_data'?: Record<string, JsonObject> | null;
  'folder:meta_data'?: JsonObject | null;
  'media:uploads'?: Record<string, string> | null;
  'person:meta_data'?: JsonObject | null;
  resolution_endpoint?: string | null;
  analyses?: AnalysisItemInput[];
}

/** The payload as the core uses it: meta_data within its size limit, the webhook judged by the configuration. */
export interface UploadPayload {
  tags: Record<string, string[]>;
  mediaMeta: Record<string, JsonObject>;
  folderMeta: JsonObject;
  resolutionEndpoint: string | null;
}

export function uploadPayload(input: UploadPayloadInput, config: Pick<CoreConfig, 'webhookAllowPrivate'>): UploadPayload {
  const mediaMeta: Record<string, JsonObject> = {};
  for (const [field, value] of Object.entries(input['media:meta_data'] ?? {})) mediaMeta[field] = metaDataOf(value, `media:meta_data.${field}`);
  return {
    tags: input['media:tags'] ?? {},
    mediaMeta,
    folderMeta: metaDataOf(input['folder:meta_data'], 'folder:meta_data'),
    resolutionEndpoint: resolutionEndpointOf(input.resolution_endpoint, config.webhookAllowPrivate),
  };
}

export async function inspectAll(inspector: MediaInspector, parts: UploadedPart[]) {
  if (parts.length === 0) throw badStructure('No media files in the request: send them as multipart/form-data parts beside the payload part');
  if (parts.length > MAX_FILES_PER_REQUEST) throw badValue(`Too many files in one request: at most ${MAX_FILES_PER_REQUEST}`);
  return Promise.all(
    parts.map(async (part) => {
      try {
        return { part, inspected: await inspector.inspect(part.bytes) };
      } catch (err) {
        if (err instanceof MediaRejectedError) {
          throw badValue(`File "${part.field}"${part.filename ? ` (${part.filename})` : ''} was rejected: ${err.message}`, { field: part.field, reason: err.reason });
        }
        throw err;
      }
    }),
  );
}

export function buildMedia(deps: Pick<CoreDeps, 'clock' | 'ids'>, folder: Folder, inspectedParts: { part: UploadedPart; inspected: InspectedMedia }[], payload: UploadPayload): Media[] {
  const now = deps.clock.now();
  return inspectedParts.map(({ part, inspected }, index) => {
    const media_id = deps.ids.uuid();
    const media_type = MEDIA_TYPE[inspected.kind];
    const base = { md5: inspected.md5, size: inspected.size, 'mime-type': inspected.mime };
    const thumb = inspected.thumb ? { width: inspected.thumb.width, height: inspected.thumb.height, size: inspected.thumb.jpeg.length, 'mime-type': 'image/jpeg' as const } : null;
    const info =
      inspected.kind === 'video'
        ? { thumb, video: { duration: inspected.duration ?? 0, FPS: inspected.fps ?? 0, width: inspected.width ?? 0, height: inspected.height ?? 0, ...base } }
        : inspected.kind === 'image'
          ? { thumb, original: { width: inspected.width ?? 0, height: inspected.height ?? 0, ...base } }
          : { thumb, original: base };
    return {
      media_id,
      folder_id: folder.folder_id,
      company_id: folder.company_id,
      folder_time_created: folder.time_created,
      media_type,
      original_name: part.filename ?? part.field,
      tags: payload.tags[part.field] ?? [],
      info,
      meta_data: payload.mediaMeta[part.field] ?? {},
      technical_meta_data: {},
      // A microsecond apart, in upload order: media[] is answered by time_created, so in upload order.
      time_created: now + index * 1e-6,
      time_updated: now + index * 1e-6,
      blob_key: `${folder.company_id}/${folder.folder_id}/${media_id}`,
    };
  });
}

/**
 * Stores the uploads, their thumbnails and, for shot sets, the video made from their images (kept
 * beside the archive at "<blob_key>.mp4", answered as video_url; sets video_key on those media).
 */
async function storeBlobs(deps: Pick<CoreDeps, 'blobs'>, inspector: MediaInspector, media: Media[], parts: { part: UploadedPart; inspected: InspectedMedia }[]) {
  await Promise.all(
    media.map(async (m, i) => {
      const { part, inspected } = parts[i]!;
      await deps.blobs.put(m.blob_key, part.bytes, inspected.mime);
      if (m.info.thumb && inspected.thumb) await deps.blobs.put(thumbKey(m.blob_key), inspected.thumb.jpeg, 'image/jpeg');
      if (m.media_type !== 'SHOTS_SET' || !inspector.shotSetVideo) return;
      const video = await inspector.shotSetVideo(part.bytes);
      m.video_key = `${m.blob_key}.mp4`;
      await deps.blobs.put(m.video_key, video, 'video/mp4');
    }),
  ).catch(async (err: unknown) => {
    await Promise.allSettled(media.flatMap(mediaBlobKeys).map((k) => deps.blobs.delete(k)));
    throw err;
  });
}

/** Nothing half-written: if the records cannot be saved, the blobs just uploaded go too. */
async function withBlobRollback<T>(deps: Pick<CoreDeps, 'blobs'>, media: Media[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    await Promise.allSettled(media.flatMap(mediaBlobKeys).map((k) => deps.blobs.delete(k)));
    throw err;
  }
}

export const presignerFor = (deps: Pick<CoreDeps, 'blobs' | 'config'>): Presign => (key) => deps.blobs.presignGet(key, deps.config.presignTtlSeconds);

/** A new folder as the documents show it, before any analysis or operator decision. */
export function newFolder(deps: Pick<CoreDeps, 'clock' | 'ids'>, companyId: string, userId: string, payload: UploadPayload): Folder {
  const now = deps.clock.now();
  return {
    folder_id: deps.ids.uuid(),
    company_id: companyId,
    user_id: userId,
    time_created: now,
    time_updated: now,
    resolution_endpoint: payload.resolutionEndpoint,
    resolution_comment: '[]',
    resolution_time: null,
    resolution_author_id: null,
    resolution_state_hash: null,
    operator_comment: null,
    operator_status: null,
    is_cleared: null,
    meta_data: payload.folderMeta,
    technical_meta_data: {},
  };
}

export async function createFolder(deps: Pick<CoreDeps, 'audit' | 'folders' | 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, caller: Caller, parts: UploadedPart[], payloadIn: UploadPayloadInput) {
  const payload = uploadPayload(payloadIn, deps.config);
  check(caller.user, 'FOLDER', 'create', { company_id: caller.user.company_id, owner_id: caller.user.user_id }, 'Folder');
  const inspected = await inspectAll(inspector, parts);
  const folder = newFolder(deps, caller.user.company_id, caller.user.user_id, payload);
  const media = buildMedia(deps, folder, inspected, payload);
  await storeBlobs(deps, inspector, media, inspected);
  await withBlobRollback(deps, media, () => deps.folders.createFolder(folder, media));
  // Folders hold personal data: the audit log names the media and meta_data keys, not the values.
  await recordAudit(deps, caller.user, { object_type: 'FOLDER', object_id: folder.folder_id, company_id: folder.company_id, action: 'create', changes: { media_ids: media.map((m) => m.media_id), meta_data_keys: Object.keys(folder.meta_data) } });
  return { folder, media, payload };
}

/** A folder cleared of personal information (DELETE .../pi) takes nothing personal again. */
export function refuseIfCleared(folder: Pick<Folder, 'is_cleared'>, what: string): void {
  if (folder.is_cleared) throw badValue(`This folder was cleared of personal information: it takes no ${what} (create a new folder)`);
}

/** What the access matrix checks for a folder and everything in it (media, analyses). */
export const folderTarget = (folder: Pick<Folder, 'company_id' | 'user_id'>) => ({ company_id: folder.company_id, owner_id: folder.user_id });

/**
 * Loads a folder the caller may do `action` on (FOLDER row of the matrix): a folder they may not
 * read is "not found", never "forbidden", so other companies' folders stay invisible.
 */
export async function loadFolder(deps: Pick<CoreDeps, 'folders'>, caller: Caller, folderId: string, action: Action = 'read'): Promise<FolderAggregate> {
  const located = await deps.folders.locate('FOLDER', folderId);
  const scope = listScope(caller.user, 'FOLDER');
  if (!located || !scope || (scope.company_id !== null && located.company_id !== scope.company_id)) throw notFound('Folder');
  const agg = await deps.folders.getFolder(located.company_id, folderId);
  if (!agg) throw notFound('Folder');
  check(caller.user, 'FOLDER', action, folderTarget(agg.folder), 'Folder');
  return agg;
}

export async function addMedia(deps: Pick<CoreDeps, 'audit' | 'folders' | 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, caller: Caller, folderId: string, parts: UploadedPart[], payloadIn: UploadPayloadInput) {
  const agg = await loadFolder(deps, caller, folderId, 'update');
  refuseIfCleared(agg.folder, 'new media');
  const payload = uploadPayload(payloadIn, deps.config);
  const inspected = await inspectAll(inspector, parts);
  const media = buildMedia(deps, agg.folder, inspected, payload);
  await storeBlobs(deps, inspector, media, inspected);
  await withBlobRollback(deps, media, () => deps.folders.addMedia(agg.folder, media));
  await recordAudit(deps, caller.user, { object_type: 'FOLDER', object_id: folderId, company_id: agg.folder.company_id, action: 'media-added', changes: { media_ids: media.map((m) => m.media_id) } });
  const presign = presignerFor(deps);
  return Promise.all(media.map((m) => mediaView(m, presign)));
}

export async function getFolder(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, caller: Caller, folderId: string, withAnalyses: boolean) {
  return folderView(await loadFolder(deps, caller, folderId), presignerFor(deps), withAnalyses);
}

/** A media the caller may see, with its folder; anything else is "not found". */
export async function loadMedia(deps: Pick<CoreDeps, 'folders'>, caller: Caller, mediaId: string) {
  const located = await deps.folders.locate('MEDIA', mediaId);
  if (!located) throw notFound('Media');
  const agg = await loadFolder(deps, caller, located.folder_id).catch(() => {
    throw notFound('Media');
  });
  const media = agg.media.find((m) => m.media_id === mediaId);
  if (!media) throw notFound('Media');
  return { agg, media };
}

export async function getMedia(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, caller: Caller, mediaId: string) {
  return mediaView((await loadMedia(deps, caller, mediaId)).media, presignerFor(deps));
}

export interface FolderFilters {
  limit: number;
  offset: number;
  with_analyses: boolean;
  time_created_min?: number;
  time_created_max?: number;
  analyse_type?: string;
  analyse_resolution_status?: string;
  /** `key==value` pairs separated by commas; keys may be dotted paths (person_info.iin). */
  meta_data?: string;
  /**
   * The filters of changelog 3.32.0, honoured only with with_results_media_filter=true (as the
   * documents say); given without it they are refused rather than ignored.
   */
  with_results_media_filter?: boolean;
  analyse_time_created?: number;
  analyse_time_created_min?: number;
  analyse_time_created_max?: number;
  /** BIOMETRY analyses' results_data, e.g. `min_confidence>=0.85`. */
  results_data?: string;
  /** QUALITY analyses' results_media[].results_data, e.g. `confidence_spoofing<0.5`. */
  results_media_results_data?: string;
  /** DOCUMENTS analyses' results_data (none here: DOCUMENTS is not realized, so it matches nothing). */
  analyse_results_data?: string;
}

const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<'] as const;
type Comparison = (typeof COMPARISONS)[number];

/**
 * A results filter: conditions separated by commas, all of which must hold, each `path OP value`
 * with OP one of == != >= <= > <; paths may be dotted (gesture.passed). Numbers compare as numbers,
 * anything else as text (true/false/null by their JSON spelling).
 */
export function resultsFilter(expression: string, name: string): (data: JsonObject | null) => boolean {
  const conditions = expression.split(',').map((text) => {
    const found = COMPARISONS.map((op) => ({ op, at: text.indexOf(op) }))
      .filter((c) => c.at > 0)
      .sort((a, b) => a.at - b.at || b.op.length - a.op.length)[0];
    if (!found) throw badValue(`${name} must look like key==value, key>=number or key<number (several separated by commas); got "${text}"`, { parameter: name });
    const path = text.slice(0, found.at).trim().split('.');
    const value = text.slice(found.at + found.op.length).trim();
    if ((found.op !== '==' && found.op !== '!=') && !Number.isFinite(Number(value))) throw badValue(`${name}: ${found.op} needs a number, got "${value}"`, { parameter: name });
    return { path, op: found.op as Comparison, value };
  });
  return (data) =>
    data !== null &&
    conditions.every(({ path, op, value }) => {
      let node: unknown = data;
      for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
      if (node === undefined || (node !== null && typeof node === 'object')) return false;
      const text = node === null ? 'null' : String(node);
      const numeric = typeof node === 'number' && value !== '' && Number.isFinite(Number(value));
      switch (op) {
        case '==':
          return numeric ? node === Number(value) : text === value;
        case '!=':
          return numeric ? node !== Number(value) : text !== value;
        default: {
          if (typeof node !== 'number') return false;
          const n = Number(value);
          return op === '>=' ? node >= n : op === '<=' ? node <= n : op === '>' ? node > n : node < n;
        }
      }
    });
}

/** The analysis filters of the folder list, as one predicate over a folder's analyses (null: none given). */
function analysisFilter(filters: FolderFilters): ((agg: FolderAggregate) => boolean) | null {
  const gated = {
    'analyse.time_created': filters.analyse_time_created,
    'analyse.time_created.min': filters.analyse_time_created_min,
    'analyse.time_created.max': filters.analyse_time_created_max,
    results_data: filters.results_data,
    results_media_results_data: filters.results_media_results_data,
    'analyse.results_data': filters.analyse_results_data,
  };
  const given = Object.entries(gated).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length && !filters.with_results_media_filter) {
    throw badValue(`${given.join(', ')} ${given.length > 1 ? 'are filters' : 'is a filter'} of the results: add with_results_media_filter=true to apply ${given.length > 1 ? 'them' : 'it'}`, { parameters: given });
  }
  const wantType = filters.analyse_type?.toUpperCase();
  const wantStatus = filters.analyse_resolution_status?.toUpperCase();
  const biometry = filters.results_data !== undefined ? resultsFilter(filters.results_data, 'results_data') : null;
  const quality = filters.results_media_results_data !== undefined ? resultsFilter(filters.results_media_results_data, 'results_media_results_data') : null;
  const documents = filters.analyse_results_data !== undefined ? resultsFilter(filters.analyse_results_data, 'analyse.results_data') : null;
  const exact = filters.analyse_time_created;
  const min = filters.analyse_time_created_min;
  const max = filters.analyse_time_created_max;
  if (!wantType && !wantStatus && !given.length) return null;
  // Each condition may be met by a different analysis of the folder (as Oz joins folders to analyses per filter).
  const some = (agg: FolderAggregate, test: (a: Analysis) => boolean) => agg.analyses.some(test);
  return (agg) =>
    (!(wantType || wantStatus) || some(agg, (a) => (!wantType || a.type === wantType) && (!wantStatus || analysisResolutionStatus(a) === wantStatus))) &&
    (exact === undefined && min === undefined && max === undefined
      ? true
      : some(agg, (a) => (exact === undefined || Math.floor(a.time_created) === Math.floor(exact)) && (min === undefined || a.time_created >= min) && (max === undefined || a.time_created <= max))) &&
    (!biometry || some(agg, (a) => a.type === 'BIOMETRY' && biometry(a.results_data))) &&
    (!quality || some(agg, (a) => a.type === 'QUALITY' && a.results_media.some((r) => quality(r.results_data)))) &&
    (!documents || some(agg, (a) => a.type === 'DOCUMENTS' && documents(a.results_data)));
}

/** Parses the `meta_data=transaction_id==X` filter into a predicate over folder metadata. */
export function metaDataFilter(expression: string): (meta: JsonObject) => boolean {
  const pairs = expression.split(',').map((pair) => {
    const at = pair.indexOf('==');
    if (at <= 0) throw badValue('meta_data filter must look like key==value (several separated by commas)');
    return { path: pair.slice(0, at).trim().split('.'), value: pair.slice(at + 2).trim() };
  });
  return (meta) =>
    pairs.every(({ path, value }) => {
      let node: unknown = meta;
      // Own keys only: `constructor` or `__proto__` in a filter must not reach Object.prototype.
      for (const key of path) node = node && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
      return node !== undefined && node !== null && typeof node !== 'object' && String(node) === value;
    });
}

export async function listFolders(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, caller: Caller, filters: FolderFilters) {
  const metaMatches = filters.meta_data ? metaDataFilter(filters.meta_data) : null;
  const analysesMatch = analysisFilter(filters);
  const scope = listScope(caller.user, 'FOLDER');
  if (!scope) throw forbidden();
  const page = await deps.folders.listFolders({
    company_id: scope.company_id,
    user_id: scope.user_id,
    time_created_min: filters.time_created_min,
    time_created_max: filters.time_created_max,
    filter:
      analysesMatch || metaMatches
        ? (agg) => (!metaMatches || metaMatches(agg.folder.meta_data)) && (!analysesMatch || analysesMatch(agg))
        : undefined,
    offset: filters.offset,
    limit: filters.limit,
  });
  const presign = presignerFor(deps);
  return { total: page.total, items: await Promise.all(page.items.map((agg) => folderView(agg, presign, filters.with_analyses))) };
}
