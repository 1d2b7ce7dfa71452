// The life of an analysis after it is asked for (layers/core/analyses.ts, processing.ts,
// stranded.ts, decisions.ts). Analyses live in their folder: FolderStore.getFolder reads them.
import type { Analysis, Folder, JsonObject, Media } from '../entities';

export interface AnalysisStore {
  /** Creates PROCESSING analyses in a folder that exists and is not cleared; fails otherwise. */
  createAnalyses(folder: Folder, analyses: Analysis[]): Promise<void>;
  /** Records a processing attempt and returns the stored analysis (unchanged if no longer PROCESSING; null if gone). */
  startAttempt(companyId: string, folderId: string, analysisId: string, at: number): Promise<Analysis | null>;
  /**
   * Writes the analysis only if it is still PROCESSING; returns false when it was already final.
   * The same write adds its output media, counts it in the usage counters and leaves its usage
   * event in the outbox (MeteringStore), so an analysis is counted exactly once.
   */
  finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean>;
  /** Analyses still PROCESSING that were created before `createdBefore` (epoch seconds), oldest first, at most `limit`. */
  listProcessingAnalyses(createdBefore: number, limit: number): Promise<Analysis[]>;
  /**
   * Records an operator's decision on a finished OPERATOR_REQUIRED analysis and stamps its folder
   * (resolution_author_id, resolution_time) in one transaction; false when the analysis is not one.
   */
  decideAnalysis(analysis: Analysis, decision: JsonObject, folderFields: { resolution_author_id: string; resolution_time: number }): Promise<boolean>;
  /** Deletes an analysis, its output media and the person links it holds. */
  deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void>;
}
