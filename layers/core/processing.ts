// What the worker does with one queued analysis. Idempotent: a redelivered job whose analysis is
// already final does nothing, and the final write is conditional on the analysis still PROCESSING.
import { analysisThresholds } from './thresholds';
import type { CoreDeps } from './deps';
import type { Analysis, JsonObject, Media, ResultsMedia } from './entities';
import { ErrorCode } from './errors';
import { MediaRejectedError, NoFaceError, type AnalysisJob, type FaceAnalyzer, type MediaKind, type OutputImage } from './ports';
import { UnknownCollectionError, type CollectionSearch } from './search';
import { publishUsage, sweepUsageOutbox } from './metering';
import type { FoundPerson } from './ports/collections';

export interface Analyzers {
  faces: FaceAnalyzer;
  collections: CollectionSearch;
}

/** A failure that belongs to the analysis (bad media, tags): ends it FAILED, no retry. */
export class AnalysisFailure extends Error {
  constructor(
    public readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Outcome {
  resolution: 'SUCCESS' | 'DECLINED' | 'OPERATOR_REQUIRED';
  results_media: ResultsMedia[];
  results_data: JsonObject | null;
  output: Media[];
  outputBytes: Buffer[];
  /** COLLECTION analyses: the persons found, which then cannot be deleted while the analysis exists. */
  foundPersons?: FoundPerson[];
}

const KIND: Record<Media['media_type'], MediaKind | null> = { IMAGE_FOLDER: 'image', VIDEO_FOLDER: 'video', SHOTS_SET: 'zip', IMAGE_RESULT_ANALYSIS_SINGLE: null };

// Since 5.1.0, QUALITY ignores photos of documents; photo_id_back is ignored by everything.
const DOCUMENT_TAGS = new Set(['photo_id', 'photo_id_front', 'photo_id_back']);
const NO_GESTURE = new Set(['video_selfie', 'video_selfie_blank', 'video_selfie_oneshot']);

const gestureOf = (m: Media) => m.tags.find((t) => t.startsWith('video_selfie_') && !NO_GESTURE.has(t)) ?? null;
const param = (analysis: Analysis, name: string) => analysis.params[name];
const numberParam = (analysis: Analysis, name: string, fallback: number) => {
  const v = param(analysis, name);
  return typeof v === 'number' ? v : fallback;
};

/** Where a media's bytes come from: blob storage, or the request itself (instant mode). */
export type MediaBytes = (m: Media) => Promise<Buffer>;

async function analyze(bytesOf: MediaBytes, faces: FaceAnalyzer, m: Media, request: Parameters<FaceAnalyzer['analyze']>[2]) {
  const bytes = await bytesOf(m);
  try {
    return await faces.analyze(bytes, KIND[m.media_type]!, request);
  } catch (err) {
    if (err instanceof NoFaceError) throw new AnalysisFailure(ErrorCode.TAG_ERROR, `Could not locate face on source media [${m.media_id}]`);
    if (err instanceof MediaRejectedError) throw new AnalysisFailure(ErrorCode.INVALID_VALUE, `Media [${m.media_id}] cannot be processed: ${err.message}`);
    throw err;
  }
}

/** An IMAGE_RESULT_ANALYSIS_SINGLE media (best shot, action shot) made from a source media. */
function outputMedia(deps: Pick<CoreDeps, 'clock' | 'ids'>, source: Media, image: OutputImage, tags: string[]): Media {
  const now = deps.clock.now();
  const media_id = deps.ids.uuid();
  return {
    media_id,
    folder_id: source.folder_id,
    company_id: source.company_id,
    folder_time_created: source.folder_time_created,
    media_type: 'IMAGE_RESULT_ANALYSIS_SINGLE',
    original_name: `${tags[0]}-${source.media_id}.jpg`,
    tags,
    info: { thumb: null, original: { md5: '', width: image.width, height: image.height, size: image.jpeg.length, 'mime-type': 'image/jpeg' } },
    meta_data: {},
    technical_meta_data: {},
    time_created: now,
    time_updated: now,
    blob_key: `${source.company_id}/${source.folder_id}/${media_id}`,
    media_association_id: source.media_id,
  };
}

const resultRow = (m: Media, results_data: JsonObject, output_images: string[] = []): ResultsMedia => ({
  source_media_id: m.media_id,
  media_association_id: m.media_id,
  results_data,
  output_images,
  collection_persons: [],
});

async function runQuality(deps: Pick<CoreDeps, 'clock' | 'ids' | 'config'>, bytesOf: MediaBytes, faces: FaceAnalyzer, analysis: Analysis, media: Media[]): Promise<Outcome> {
  const usable = media.filter((m) => KIND[m.media_type] && !m.tags.some((t) => DOCUMENT_TAGS.has(t)));
  if (usable.length === 0) throw new AnalysisFailure(ErrorCode.INVALID_TYPE, 'Invalid/missed tag values to process quality check');
  const threshold = analysisThresholds(analysis, deps.config)!.value;
  const bestShot = param(analysis, 'extract_best_shot') !== false; // true by default since 5.0.0
  const actionShots = param(analysis, 'extract_action_shots') === true;
  const outcome: Outcome = { resolution: 'SUCCESS', results_media: [], results_data: null, output: [], outputBytes: [] };
  for (const m of usable) {
    const gesture = gestureOf(m);
    const r = await analyze(bytesOf, faces, m, { liveness: true, bestShot, gesture, actionShot: actionShots && !!gesture });
    const score = r.confidence_spoofing ?? 1;
    // "If the final score is equal to or above the threshold, the result is interpreted as an attack";
    // a gesture that never happened declines whatever the threshold.
    if (score >= threshold || r.gesture?.passed === false) outcome.resolution = 'DECLINED';
    // The pre-5.0.0 three scores (OZ_QUALITY_THREE_SCORES): one anti-spoofing model covers print and
    // replay here, so replay and liveness carry the same score, each against its own threshold.
    if (deps.config.qualityThreeScores && (score >= numberParam(analysis, 'threshold_replay', threshold) || score >= numberParam(analysis, 'threshold_liveness', threshold))) outcome.resolution = 'DECLINED';
    const images: string[] = [];
    for (const [image, tags] of [[r.best_shot, ['best_shot']], [r.action_shot, ['action_shot', r.action_shot?.tag ?? '']]] as const) {
      if (!image) continue;
      const out = outputMedia(deps, m, image, tags.filter(Boolean));
      outcome.output.push(out);
      outcome.outputBytes.push(image.jpeg);
      images.push(out.media_id);
    }
    const data: JsonObject = deps.config.qualityThreeScores ? { confidence_replay: score, confidence_liveness: score, confidence_spoofing: score } : { confidence_spoofing: score };
    if (r.gesture) data['gesture'] = { tag: r.gesture.tag, passed: r.gesture.passed, message: r.gesture.message };
    outcome.results_media.push(resultRow(m, data, images));
  }
  return outcome;
}

/** Runs `fn` over `items`, two at a time, settling every one (results in the items' order). */
async function inPairs<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(...(await Promise.allSettled(items.slice(i, i + 2).map(fn))));
  return out;
}

async function runBiometry(deps: Pick<CoreDeps, 'config'>, bytesOf: MediaBytes, faces: FaceAnalyzer, analysis: Analysis, media: Media[]): Promise<Outcome> {
  const usable = media.filter((m) => KIND[m.media_type] && !m.tags.includes('photo_id_back'));
  if (usable.length < 2) throw new AnalysisFailure(ErrorCode.TAG_ERROR, 'Biometry. Analysis requires at least 2 media objects to process');
  // Two templates at a time: one media's decoding and pre-processing overlap the other's inference.
  // The first failure in media order is the one reported, as when they ran one after the other.
  const settled = await inPairs(usable, async (m) => {
    const r = await analyze(bytesOf, faces, m, { template: true, document: m.tags.includes('photo_id_front') || m.tags.includes('photo_id') });
    if (!r.template) throw new AnalysisFailure(ErrorCode.TAG_ERROR, `Could not locate face on source media [${m.media_id}]`);
    return r.template;
  });
  const templates: Float32Array[] = [];
  for (const x of settled) {
    if (x.status === 'rejected') throw x.reason;
    templates.push(x.value);
  }
  // Every pair; each media keeps its best and worst match, the analysis its least similar pair.
  const max = usable.map(() => -Infinity);
  const min = usable.map(() => Infinity);
  for (let i = 0; i < usable.length; i++) {
    for (let j = i + 1; j < usable.length; j++) {
      const score = faces.compare(templates[i]!, templates[j]!);
      for (const k of [i, j]) {
        max[k] = Math.max(max[k]!, score);
        min[k] = Math.min(min[k]!, score);
      }
    }
  }
  const overallMin = Math.min(...min);
  const overallMax = Math.max(...max);
  // Between the band's ends (threshold_min / threshold_max) an operator decides; without a band one threshold does.
  const thresholds = analysisThresholds(analysis, deps.config)!;
  const high = thresholds.value;
  const low = thresholds.band?.[0] ?? high;
  const resolution = overallMin >= high ? 'SUCCESS' : overallMin >= low && low < high ? 'OPERATOR_REQUIRED' : 'DECLINED';
  return {
    resolution,
    results_media: usable.map((m, i) => resultRow(m, { max_confidence: max[i]!, min_confidence: min[i]! })),
    results_data: { max_confidence: overallMax, min_confidence: overallMin },
    output: [],
    outputBytes: [],
  };
}

async function runCollection(deps: Pick<CoreDeps, 'config'>, bytesOf: MediaBytes, analyzers: Analyzers, analysis: Analysis, media: Media[]): Promise<Outcome> {
  const usable = media.filter((m) => KIND[m.media_type] && !m.tags.includes('photo_id_back'));
  if (usable.length === 0) throw new AnalysisFailure(ErrorCode.INVALID_TYPE, 'Invalid/missed tag values to process blacklist check');
  const threshold = analysisThresholds(analysis, deps.config)!.value;
  const count = Math.max(1, Math.min(100, Math.floor(numberParam(analysis, 'decision_count', 1))));
  const collectionId = typeof param(analysis, 'collection_id') === 'string' ? (param(analysis, 'collection_id') as string) : null;
  const outcome: Outcome = { resolution: 'SUCCESS', results_media: [], results_data: null, output: [], outputBytes: [] };
  const found = new Set<string>();
  let best = 0;
  for (const m of usable) {
    const r = await analyze(bytesOf, analyzers.faces, m, { template: true, document: m.tags.includes('photo_id_front') });
    if (!r.template) throw new AnalysisFailure(ErrorCode.TAG_ERROR, `Could not locate face on source media [${m.media_id}]`);
    const matches = await analyzers.collections.search(analysis.company_id, collectionId, r.template, count, threshold).catch((err: unknown) => {
      if (err instanceof UnknownCollectionError) throw new AnalysisFailure(ErrorCode.INVALID_VALUE, `Collection ${err.collectionId} does not exist in this company`);
      throw err;
    });
    const persons = matches.map((x) => ({ person_id: x.person_id, collection_id: x.collection_id, media_id: x.media_id, confidence: x.score }));
    for (const x of matches) found.add(`${x.collection_id}#${x.person_id}`);
    const top = matches[0]?.score ?? 0;
    best = Math.max(best, top);
    outcome.results_media.push({ ...resultRow(m, { max_confidence: top }), collection_persons: persons });
  }
  // As the collection issue specifies: SUCCESS means the face was found in the collection (a
  // score at or above decision_threshold, "matches with one of the faces in the database").
  outcome.resolution = found.size > 0 ? 'SUCCESS' : 'DECLINED';
  outcome.results_data = { max_confidence: best };
  // Each person is linked under the collection that holds them (a search may span several).
  if (found.size) outcome.foundPersons = [...found].map((k) => ({ collection_id: k.slice(0, k.indexOf('#')), person_id: k.slice(k.indexOf('#') + 1) }));
  return outcome;
}

export async function runAnalysis(deps: Pick<CoreDeps, 'clock' | 'ids' | 'config'>, analyzers: Analyzers, analysis: Analysis, media: Media[], bytesOf: MediaBytes): Promise<Outcome> {
  switch (analysis.type) {
    case 'QUALITY':
      return runQuality(deps, bytesOf, analyzers.faces, analysis, media);
    case 'BIOMETRY':
      return runBiometry(deps, bytesOf, analyzers.faces, analysis, media);
    case 'COLLECTION':
      return runCollection(deps, bytesOf, analyzers, analysis, media);
    case 'DOCUMENTS':
      throw new AnalysisFailure(ErrorCode.NOT_REALIZED, 'DOCUMENTS analyses are deprecated and not realized by this server');
  }
}

export interface ProcessOptions {
  /** True on the last delivery the queue will make: a transient error then ends the analysis FAILED. */
  finalAttempt: boolean;
  /**
   * Epoch milliseconds by which the attempt must have given up, leaving time for the final write
   * before the function's own timeout. Past it, the attempt throws DeadlineExceeded (retried), or on
   * the last attempt ends the analysis FAILED with ANALYSIS_TIMED_OUT.
   */
  deadline?: number;
  /** With a deadline: past it, throw DeadlineExceeded even on the final attempt (the caller queues the analysis). */
  handOffAtDeadline?: boolean;
  /** Told when this attempt ended the analysis (for metrics). */
  onEnded?: (ended: Pick<Analysis, 'type' | 'state' | 'resolution'>) => void;
}

/** The attempt ran out of its time budget (ProcessOptions.deadline): transient, retried by the queue. */
export class DeadlineExceeded extends Error {
  constructor(public readonly budgetMs: number) {
    super(`The analysis did not finish within its ${Math.round(budgetMs / 1000)} s time budget`);
    this.name = 'DeadlineExceeded';
  }
}

/** `work`, or DeadlineExceeded once `deadline` passes (the work itself cannot be stopped; its late result is dropped). */
async function beforeDeadline<T>(work: Promise<T>, deadline: number | undefined, startedAt: number): Promise<T> {
  if (deadline === undefined) return work;
  work.catch(() => {}); // a late failure after the deadline is nobody's business any more
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(deadline - startedAt)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Returns what happened, for logs and tests. Throws on transient errors so the queue retries. */
export async function processAnalysis(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'collections' | 'metering' | 'blobs' | 'clock' | 'ids' | 'config' | 'usageEvents'>, analyzers: Analyzers, job: AnalysisJob, options: ProcessOptions): Promise<'finished' | 'failed' | 'skipped'> {
  await sweepUsageOutbox(deps);
  const analysis = await deps.analyses.startAttempt(job.company_id, job.folder_id, job.analysis_id, deps.clock.now());
  if (!analysis || analysis.state !== 'PROCESSING') {
    // A redelivery after a crash between the final write and its usage event: publish it now.
    if (analysis) await publishUsage(deps, [analysis]);
    return 'skipped';
  }
  const agg = await deps.folders.getFolder(job.company_id, job.folder_id);
  if (!agg) return 'skipped';
  const source = new Set(analysis.source_media);
  const media = agg.media.filter((m) => source.has(m.media_id));
  const finish = async (patch: Partial<Analysis>, output: Media[] = []) => {
    const now = deps.clock.now();
    const wrote = await deps.analyses.finishAnalysis({ ...analysis, ...patch, time_updated: now, time_task_finished: now }, output);
    if (wrote) {
      options.onEnded?.({ type: analysis.type, state: patch.state ?? analysis.state, resolution: patch.resolution ?? analysis.resolution });
      await publishUsage(deps, [analysis]);
    }
    return wrote;
  };
  const startedAt = Date.now();
  try {
    if (options.deadline !== undefined && Date.now() >= options.deadline) throw new DeadlineExceeded(0);
    const outcome = await beforeDeadline(runAnalysis(deps, analyzers, analysis, media, (m) => deps.blobs.get(m.blob_key)), options.deadline, startedAt);
    await Promise.all(outcome.output.map((m, i) => deps.blobs.put(m.blob_key, outcome.outputBytes[i]!, 'image/jpeg')));
    if (outcome.foundPersons) await deps.collections.linkAnalysisToPersons(analysis.company_id, analysis.analysis_id, outcome.foundPersons);
    const wrote = await finish({ state: 'FINISHED', resolution: outcome.resolution, results_media: outcome.results_media, results_data: outcome.results_data }, outcome.output);
    // Another attempt finished first: its output images are the ones on record.
    if (!wrote) await Promise.allSettled(outcome.output.map((m) => deps.blobs.delete(m.blob_key)));
    return 'finished';
  } catch (err) {
    if (err instanceof AnalysisFailure) {
      await finish({ state: 'FAILED', error_code: err.code, error_message: err.message });
      return 'failed';
    }
    if (err instanceof DeadlineExceeded && options.handOffAtDeadline) throw err;
    if (options.finalAttempt && err instanceof DeadlineExceeded) {
      await finish({ state: 'FAILED', error_code: ErrorCode.ANALYSIS_TIMED_OUT, error_message: `Processing timed out after ${analysis.attempts} attempts: ${err.message}` });
    } else if (options.finalAttempt) {
      // The analysis must not hang in PROCESSING; the message still fails, so the queue parks it in the DLQ.
      await finish({ state: 'FAILED', error_code: ErrorCode.UNKNOWN, error_message: `Processing failed after ${analysis.attempts} attempts: ${(err as Error).message}` });
    }
    throw err;
  }
}
