// What the worker does with one queued analysis. Idempotent: a redelivered job whose analysis is
// already final does nothing, and the final write is conditional on the analysis still PROCESSING.
import type { CoreDeps } from './deps';
import type { Analysis, JsonObject, Media, ResultsMedia } from './entities';
import { ErrorCode } from './errors';
import { MediaRejectedError, NoFaceError, type AnalysisJob, type LivenessAnalyzer, type MediaKind } from './ports';

export interface Analyzers {
  liveness: LivenessAnalyzer;
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

interface Outcome {
  resolution: 'SUCCESS' | 'DECLINED' | 'OPERATOR_REQUIRED';
  results_media: ResultsMedia[];
  results_data: JsonObject | null;
}

const KIND: Record<Media['media_type'], MediaKind | null> = { IMAGE_FOLDER: 'image', VIDEO_FOLDER: 'video', SHOTS_SET: 'zip', IMAGE_RESULT_ANALYSIS_SINGLE: null };

// Since 5.1.0, QUALITY ignores photos of documents.
const DOCUMENT_TAGS = new Set(['photo_id', 'photo_id_front', 'photo_id_back']);

async function runQuality(deps: CoreDeps, analyzers: Analyzers, analysis: Analysis, media: Media[]): Promise<Outcome> {
  const usable = media.filter((m) => KIND[m.media_type] && !m.tags.some((t) => DOCUMENT_TAGS.has(t)));
  if (usable.length === 0) throw new AnalysisFailure(ErrorCode.INVALID_TYPE, 'Invalid/missed tag values to process quality check');
  const thresholdParam = analysis.params['threshold_spoofing'];
  const threshold = typeof thresholdParam === 'number' ? thresholdParam : deps.config.defaultThresholdSpoofing;
  const results_media: ResultsMedia[] = [];
  let declined = false;
  for (const m of usable) {
    const bytes = await deps.blobs.get(m.blob_key);
    let score;
    try {
      score = await analyzers.liveness.analyze(bytes, KIND[m.media_type]!);
    } catch (err) {
      if (err instanceof NoFaceError) throw new AnalysisFailure(ErrorCode.TAG_ERROR, `Could not locate face on source media [${m.media_id}]`);
      if (err instanceof MediaRejectedError) throw new AnalysisFailure(ErrorCode.INVALID_VALUE, `Media [${m.media_id}] cannot be processed: ${err.message}`);
      throw err;
    }
    // "If the final score is equal to or above the threshold, the result is interpreted as an attack."
    if (score.confidence_spoofing >= threshold) declined = true;
    results_media.push({
      source_media_id: m.media_id,
      media_association_id: m.media_id,
      results_data: { confidence_spoofing: score.confidence_spoofing },
      output_images: [],
      collection_persons: [],
    });
  }
  return { resolution: declined ? 'DECLINED' : 'SUCCESS', results_media, results_data: null };
}

async function runAnalysis(deps: CoreDeps, analyzers: Analyzers, analysis: Analysis, media: Media[]): Promise<Outcome> {
  switch (analysis.type) {
    case 'QUALITY':
      return runQuality(deps, analyzers, analysis, media);
    case 'DOCUMENTS':
      throw new AnalysisFailure(ErrorCode.NOT_REALIZED, 'DOCUMENTS analyses are deprecated and not realized by this server');
    case 'BIOMETRY':
    case 'COLLECTION':
      throw new AnalysisFailure(ErrorCode.NOT_REALIZED, `${analysis.type} analyses are not realized by this server version yet`);
  }
}

export interface ProcessOptions {
  /** True on the last delivery the queue will make: a transient error then ends the analysis FAILED. */
  finalAttempt: boolean;
}

/** Returns what happened, for logs and tests. Throws on transient errors so the queue retries. */
export async function processAnalysis(deps: CoreDeps, analyzers: Analyzers, job: AnalysisJob, options: ProcessOptions): Promise<'finished' | 'failed' | 'skipped'> {
  const analysis = await deps.store.startAttempt(job.company_id, job.folder_id, job.analysis_id, deps.clock.now());
  if (!analysis || analysis.state !== 'PROCESSING') return 'skipped';
  const agg = await deps.store.getFolder(job.company_id, job.folder_id);
  if (!agg) return 'skipped';
  const source = new Set(analysis.source_media);
  const media = agg.media.filter((m) => source.has(m.media_id));
  const finish = async (patch: Partial<Analysis>) => {
    const now = deps.clock.now();
    const wrote = await deps.store.finishAnalysis({ ...analysis, ...patch, time_updated: now, time_task_finished: now }, []);
    return wrote;
  };
  try {
    const outcome = await runAnalysis(deps, analyzers, analysis, media);
    await finish({ state: 'FINISHED', resolution: outcome.resolution, results_media: outcome.results_media, results_data: outcome.results_data });
    return 'finished';
  } catch (err) {
    if (err instanceof AnalysisFailure) {
      await finish({ state: 'FAILED', error_code: err.code, error_message: err.message });
      return 'failed';
    }
    if (options.finalAttempt) {
      // The analysis must not hang in PROCESSING; the message still fails, so the queue parks it in the DLQ.
      await finish({ state: 'FAILED', error_code: ErrorCode.UNKNOWN, error_message: `Processing failed after ${analysis.attempts} attempts: ${(err as Error).message}` });
    }
    throw err;
  }
}
