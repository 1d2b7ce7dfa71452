// Starting analyses (one group per request) and reading them back.
import type { Caller } from './auth';
import type { CoreConfig, CoreDeps } from './deps';
import { type Analysis, type AnalysisType, type Collection, type Folder, type JsonObject, type Media } from './entities';
import { ApiError, ErrorCode, badValue, forbidden, notFound } from './errors';
import { folderTarget, loadFolder, presignerFor, refuseIfCleared } from './folders';
import { canStartAnalysis, check } from './permissions';
import { analysisView } from './views';
import { LIMITS, limitBytes, metaDataOf } from './limits';
import { publishUsage, reserveAnalyses } from './metering';
import { analysisThresholds } from './thresholds';

// Clients send lower or upper case, and the iOS SDK says "liveness" for QUALITY.
const TYPE_ALIASES: Record<string, AnalysisType> = {
  quality: 'QUALITY',
  liveness: 'QUALITY',
  biometry: 'BIOMETRY',
  collection: 'COLLECTION',
  blacklist: 'COLLECTION',
  documents: 'DOCUMENTS',
};

export interface AnalysisRequest {
  type: AnalysisType;
  source_media: string[] | null;
  params: JsonObject;
  meta_data: JsonObject;
}


/** One item of a request's "analyses" as the edge's schema passed it: typed, values not yet judged. */
export interface AnalysisItemInput {
  type: string;
  source_media?: string[] | null;
  params?: JsonObject | null;
  meta_data?: JsonObject | null;
}

/**
 * The analyses of one request: types and their aliases, params merged over the request's own,
 * params' values, source_media (collection clients put it inside params) and the size limits.
 */
export function analysisRequests(items: AnalysisItemInput[], topParams: JsonObject = {}): AnalysisRequest[] {
  return items.map((item, i) => {
    const type = TYPE_ALIASES[item.type.toLowerCase()];
    if (!type) throw badValue(`analyses[${i}].type "${item.type}" is unknown: use quality, biometry, collection or documents`);
    const params: JsonObject = { ...topParams, ...(item.params ?? {}) };
    const rawSource = item.source_media ?? params['source_media'];
    delete params['source_media'];
    let source_media: string[] | null = null;
    if (rawSource !== undefined && rawSource !== null) {
      if (!Array.isArray(rawSource) || !rawSource.every((s) => typeof s === 'string')) throw badType(`analyses[${i}].source_media must be an array of media ids`);
      if (rawSource.length > LIMITS.sourceMedia) throw badValue(`analyses[${i}].source_media names more than ${LIMITS.sourceMedia} media`);
      source_media = rawSource as string[];
    }
    validateParams(type, params, i);
    limitBytes(params, `analyses[${i}].params`, LIMITS.paramsBytes);
    return { type, source_media, params, meta_data: metaDataOf(item.meta_data, `analyses[${i}].meta_data`) };
  });
}

function badType(message: string) {
  return new ApiError(400, ErrorCode.INVALID_TYPE, message);
}

function validateParams(type: AnalysisType, params: JsonObject, i: number) {
  const unit = (name: string) => {
    const v = params[name];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw badValue(`analyses[${i}].params.${name} must be a number from 0 to 1`);
  };
  if (type === 'QUALITY') ['threshold_spoofing', 'threshold_replay', 'threshold_liveness'].forEach(unit);
  if (type === 'BIOMETRY') ['threshold_min', 'threshold_max', 'threshold'].forEach(unit);
  if (params['extract_best_shot'] !== undefined && typeof params['extract_best_shot'] !== 'boolean') {
    throw badType(`analyses[${i}].params.extract_best_shot must be true or false`);
  }
}

/**
 * The settings an analysis runs with, defaults included (the documents' `confs`): what the worker
 * uses when params leave a setting out. Fixed when the analysis is created, so a later change of
 * the server's defaults does not rewrite what an old analysis says it ran with.
 */
export function confsFor(config: CoreConfig, type: AnalysisType, params: JsonObject): JsonObject {
  // The defaults come from the one reading the worker decides by (thresholds.ts).
  const thresholds = analysisThresholds({ type, params }, config);
  switch (type) {
    case 'QUALITY': {
      const spoofing = thresholds!.value;
      const num = (name: string) => (typeof params[name] === 'number' ? (params[name] as number) : spoofing);
      // With the three scores (OZ_QUALITY_THREE_SCORES) their thresholds too, as the documents' confs show.
      const three: JsonObject = config.qualityThreeScores ? { threshold_replay: num('threshold_replay'), threshold_liveness: num('threshold_liveness') } : {};
      return { threshold_spoofing: spoofing, ...three, extract_best_shot: true, extract_action_shots: false, ...params };
    }
    case 'BIOMETRY': {
      const { value, band, base } = thresholds!;
      return { threshold: base ?? value, threshold_min: band?.[0] ?? value, threshold_max: value, ...params };
    }
    case 'COLLECTION':
      return { decision_threshold: thresholds!.value, decision_count: 1, ...params };
    case 'DOCUMENTS':
      return { ...params };
  }
}

/** New PROCESSING analyses of one group (one request), checked against the folder's media. */
export function buildAnalyses(deps: Pick<CoreDeps, 'clock' | 'ids' | 'config'>, folder: Folder, media: Media[], requests: AnalysisRequest[], collections: Collection[]): Analysis[] {
  const known = new Set(media.filter((m) => m.media_type !== 'IMAGE_RESULT_ANALYSIS_SINGLE').map((m) => m.media_id));
  const collectionOf = (r: AnalysisRequest): JsonObject | null => {
    if (r.type !== 'COLLECTION') return null;
    const wanted = r.params['collection_id'];
    if (wanted !== undefined && typeof wanted !== 'string') throw badType('params.collection_id must be a collection id');
    const found = wanted ? collections.find((c) => c.collection_id === wanted) : collections.length === 1 ? collections[0] : undefined;
    if (wanted && !found) throw badValue(`Collection ${wanted} does not exist in this company`);
    if (!wanted && collections.length === 0) throw badValue('This company has no collection to search: create one first (POST /api/collections/)');
    return found ? { collection_id: found.collection_id, alias: found.alias } : { collection_id: null, alias: null };
  };
  const now = deps.clock.now();
  const group_id = deps.ids.uuid();
  return requests.map((r) => {
    const unknown = (r.source_media ?? []).filter((id) => !known.has(id));
    if (unknown.length) throw badValue(`source_media not in this folder: ${unknown.join(', ')}`, { source_media: unknown });
    return {
      analysis_id: deps.ids.uuid(),
      group_id,
      folder_id: folder.folder_id,
      company_id: folder.company_id,
      folder_time_created: folder.time_created,
      type: r.type,
      state: 'PROCESSING',
      resolution: null,
      resolution_operator: null,
      source_media: r.source_media ?? [...known],
      params: r.params,
      confs: confsFor(deps.config, r.type, r.params),
      results_data: null,
      results_media: [],
      meta_data: r.meta_data,
      technical_meta_data: (r.type === 'COLLECTION' ? { collection: collectionOf(r) } : {}) as JsonObject,
      error_code: null,
      error_message: null,
      time_created: now,
      time_updated: now,
      time_task_send_to_broker: now,
      time_task_received: null,
      time_task_finished: null,
      attempts: 0,
    };
  });
}

/**
 * Starts a group of analyses through the queue and answers them as the documents show. A
 * `resolution_endpoint` beside `analyses` (the Liveness, Biometry and Blacklist pages: "add it to
 * the payload at this step") becomes the folder's webhook before the group is queued.
 */
export async function startAnalyses(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'collections' | 'metering' | 'blobs' | 'queue' | 'clock' | 'ids' | 'config' | 'usageEvents'>, caller: Caller, folderId: string, requests: AnalysisRequest[], resolutionEndpoint?: string | null) {
  const { agg, analyses } = await createAnalyses(deps, caller, folderId, requests, { enqueue: true, resolutionEndpoint });
  const mediaById = new Map(agg.media.map((m) => [m.media_id, m]));
  const presign = presignerFor(deps);
  return Promise.all(analyses.map((a) => analysisView(a, mediaById, presign)));
}

/** Records a group of analyses as PROCESSING and, unless told otherwise, queues them for the worker. */
export async function createAnalyses(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'collections' | 'metering' | 'queue' | 'clock' | 'ids' | 'config' | 'usageEvents'>, caller: Caller, folderId: string, requests: AnalysisRequest[], options: { enqueue: boolean; reserved?: boolean; resolutionEndpoint?: string | null }) {
  const agg = await loadFolder(deps, caller, folderId);
  check(caller.user, 'ANALYSIS', 'create', folderTarget(agg.folder), 'Folder');
  refuseIfCleared(agg.folder, 'new analyses');
  for (const r of requests) {
    if (!canStartAnalysis(caller.user, r.type)) throw forbidden(`You are not allowed to start ${r.type} analyses (can_start_analysis_${r.type.toLowerCase()} is off)`);
  }
  // COLLECTION analyses answer with their collection (clients read collection.alias).
  const collections = requests.some((r) => r.type === 'COLLECTION') ? await deps.collections.listCollections(agg.folder.company_id) : [];
  const analyses = buildAnalyses(deps, agg.folder, agg.media, requests, collections);
  // The monthly quota (a 402 before anything is stored), unless the single request reserved already.
  if (options.resolutionEndpoint !== undefined && options.resolutionEndpoint !== agg.folder.resolution_endpoint) {
    check(caller.user, 'FOLDER', 'update', folderTarget(agg.folder), 'Folder');
    if (!(await deps.folders.setOperatorFields(agg.folder.company_id, folderId, { resolution_endpoint: options.resolutionEndpoint }, deps.clock.now()))) throw notFound('Folder');
    agg.folder.resolution_endpoint = options.resolutionEndpoint;
  }
  const release = options.reserved ? async () => {} : await reserveAnalyses(deps, agg.folder.company_id, analyses.length);
  await deps.analyses.createAnalyses(agg.folder, analyses).catch(async (err: unknown) => {
    await release();
    throw err;
  });
  if (!options.enqueue) return { agg, analyses };
  try {
    await deps.queue.enqueue(analyses.map((a) => ({ company_id: a.company_id, folder_id: a.folder_id, analysis_id: a.analysis_id, group_id: a.group_id })));
  } catch (err) {
    // Never leave analyses hanging in PROCESSING when the queue refused them.
    const failedAt = deps.clock.now();
    await Promise.allSettled(
      analyses.map((a) =>
        deps.analyses.finishAnalysis({ ...a, state: 'FAILED', error_code: ErrorCode.EXTERNAL_SERVICE, error_message: 'The analysis queue is unavailable; start the analysis again', time_updated: failedAt }, []),
      ),
    );
    // Counted as FAILED (not billed); the quota is given back since the client is told to retry.
    await publishUsage(deps, analyses);
    await release();
    throw new ApiError(503, ErrorCode.EXTERNAL_SERVICE, 'The analysis queue is unavailable; try again', { cause: String(err) });
  }
  return { agg, analyses };
}

/** An analysis the caller may see, with its folder; anything else is "not found". */
export async function loadAnalysis(deps: Pick<CoreDeps, 'folders'>, caller: Caller, analysisId: string) {
  const located = await deps.folders.locate('ANALYSIS', analysisId);
  if (!located) throw notFound('Analysis');
  const agg = await loadFolder(deps, caller, located.folder_id).catch(() => {
    throw notFound('Analysis');
  });
  const analysis = agg.analyses.find((a) => a.analysis_id === analysisId);
  if (!analysis) throw notFound('Analysis');
  return { agg, analysis };
}

export async function getAnalysis(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, caller: Caller, analysisId: string) {
  const { agg, analysis } = await loadAnalysis(deps, caller, analysisId);
  return analysisView(analysis, new Map(agg.media.map((m) => [m.media_id, m])), presignerFor(deps));
}

/** Only ADMIN and CLIENT ADMIN delete analyses (the matrix); a deleted COLLECTION analysis frees the persons it found. */
export async function deleteAnalysis(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'blobs'>, caller: Caller, analysisId: string) {
  const { agg, analysis } = await loadAnalysis(deps, caller, analysisId);
  check(caller.user, 'ANALYSIS', 'delete', folderTarget(agg.folder), 'Analysis');
  if (analysis.state === 'PROCESSING') throw badValue('The analysis is still PROCESSING: delete it once it has finished');
  const outputIds = new Set(analysis.results_media.flatMap((r) => r.output_images));
  const output = agg.media.filter((m) => outputIds.has(m.media_id));
  await deps.analyses.deleteAnalysis(analysis, output);
  await Promise.allSettled(output.map((m) => deps.blobs.delete(m.blob_key)));
}

export async function listFolderAnalyses(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, caller: Caller, folderId: string, filters: { type?: string; resolution_status?: string }) {
  const agg = await loadFolder(deps, caller, folderId);
  const mediaById = new Map(agg.media.map((m) => [m.media_id, m]));
  const presign = presignerFor(deps);
  const views = await Promise.all(agg.analyses.map((a) => analysisView(a, mediaById, presign)));
  return views.filter(
    (v) =>
      (!filters.type || v.type === filters.type.toUpperCase()) &&
      (!filters.resolution_status || v.resolution_status === filters.resolution_status.toUpperCase()),
  );
}
