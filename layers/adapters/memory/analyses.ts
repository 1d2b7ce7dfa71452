// AnalysisStore in memory: an analysis is final once, and finishing it counts it in metering in
// the same step (as the DynamoDB transaction does).
import type { Analysis, Folder, JsonObject, Media } from '../../core/entities';
import { usageEventOf } from '../../core/metering';
import type { AnalysisStore } from '../../core/ports/analyses';
import { analysisLinks } from '../../core/ports/collections';
import { timeKey } from '../../core/ports/common';
import { ascending, copy, type MemoryTables } from './tables';

export class MemoryAnalysisStore implements AnalysisStore {
  constructor(private readonly t: MemoryTables) {}

  private stored(companyId: string, folderId: string, analysisId: string): Analysis | undefined {
    return this.t.folder(companyId, folderId)?.analyses.get(analysisId);
  }

  async createAnalyses(folder: Folder, analyses: Analysis[]): Promise<void> {
    const records = this.t.openFolder(folder);
    for (const a of analyses) {
      records.analyses.set(a.analysis_id, copy(a));
      this.t.pointers.set(`ANALYSIS#${a.analysis_id}`, { company_id: a.company_id, folder_id: a.folder_id });
    }
  }

  async startAttempt(companyId: string, folderId: string, analysisId: string, at: number): Promise<Analysis | null> {
    const stored = this.stored(companyId, folderId, analysisId);
    if (stored?.state === 'PROCESSING') {
      stored.attempts += 1;
      stored.time_task_received = at;
    }
    return copy(stored ?? null);
  }

  async finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean> {
    const records = this.t.folder(analysis.company_id, analysis.folder_id);
    if (records?.analyses.get(analysis.analysis_id)?.state !== 'PROCESSING') return false;
    records.analyses.set(analysis.analysis_id, copy(analysis));
    this.t.putMedia(outputMedia);
    const usage = usageEventOf(analysis);
    const key = `${usage.company_id}|${usage.month}|${usage.type}`;
    const count = this.t.usageCounts.get(key) ?? { company_id: usage.company_id, month: usage.month, type: usage.type, finished: 0, failed: 0 };
    if (usage.state === 'FINISHED') count.finished += 1;
    else count.failed += 1;
    this.t.usageCounts.set(key, count);
    this.t.outbox.set(`${usage.company_id}|${usage.analysis_id}`, copy(usage));
    return true;
  }

  async listProcessingAnalyses(createdBefore: number, limit: number): Promise<Analysis[]> {
    const before = timeKey(createdBefore, '');
    const processing = [...this.t.folders.values()].flatMap((r) => [...r.analyses.values()]).filter((a) => a.state === 'PROCESSING' && timeKey(a.time_created, a.analysis_id) < before);
    return copy(processing.sort(ascending((a) => timeKey(a.time_created, a.analysis_id))).slice(0, limit));
  }

  async decideAnalysis(analysis: Analysis, decision: JsonObject, folderFields: { resolution_author_id: string; resolution_time: number }): Promise<boolean> {
    const records = this.t.folder(analysis.company_id, analysis.folder_id);
    const stored = records?.analyses.get(analysis.analysis_id);
    // Only a finished OPERATOR_REQUIRED result takes a decision (a later one replaces it).
    if (!records?.folder || stored?.state !== 'FINISHED' || stored.resolution !== 'OPERATOR_REQUIRED') return false;
    stored.resolution_operator = copy(decision);
    Object.assign(records.folder, { resolution_author_id: folderFields.resolution_author_id, resolution_time: folderFields.resolution_time, time_updated: folderFields.resolution_time });
    return true;
  }

  async deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void> {
    this.t.folder(analysis.company_id, analysis.folder_id)?.analyses.delete(analysis.analysis_id);
    this.t.pointers.delete(`ANALYSIS#${analysis.analysis_id}`);
    this.t.deleteMedia(outputMedia);
    this.t.unlink(analysisLinks(analysis));
  }
}
