// PrivacyStore in memory: cleared records replace existing ones only; the retention cursor only moves forward.
import type { Analysis, Folder, Media } from '../../core/entities';
import type { AnalysisLink } from '../../core/ports/collections';
import { timeKey } from '../../core/ports/common';
import type { PrivacyStore } from '../../core/ports/privacy';
import { ascending, copy, type MemoryTables } from './tables';

export class MemoryPrivacyStore implements PrivacyStore {
  constructor(private readonly t: MemoryTables) {}

  async putClearedFolder(folder: Folder, onlyIfNotCleared: boolean): Promise<boolean> {
    const records = this.t.folder(folder.company_id, folder.folder_id);
    if (!records?.folder || (onlyIfNotCleared && records.folder.is_cleared === true)) return false;
    records.folder = copy(folder);
    return true;
  }

  async putClearedRecords(media: Media[], analyses: Analysis[], links: AnalysisLink[]): Promise<void> {
    // A record deleted meanwhile stays deleted; an analysis is rewritten only in the state it was read in.
    for (const m of media) {
      const records = this.t.folder(m.company_id, m.folder_id);
      if (records?.media.has(m.media_id)) records.media.set(m.media_id, copy(m));
    }
    for (const a of analyses) {
      const records = this.t.folder(a.company_id, a.folder_id);
      if (records?.analyses.get(a.analysis_id)?.state === a.state) records.analyses.set(a.analysis_id, copy(a));
    }
    this.t.unlink(links);
  }

  async listFoldersCreatedBefore(companyId: string, before: number, cursor: string | null, limit: number) {
    const upper = timeKey(before, '~');
    const folders = [...this.t.folders.values()]
      .flatMap((r) => (r.folder?.company_id === companyId ? [{ folder: r.folder, cursor: timeKey(r.folder.time_created, r.folder.folder_id) }] : []))
      .filter((f) => f.cursor <= upper && (cursor === null || f.cursor > cursor))
      .sort(ascending((f) => f.cursor));
    const items = copy(folders.slice(0, limit));
    // As a DynamoDB page: a full page says more may follow.
    return { items, next: items.length === limit && limit > 0 ? items[items.length - 1]!.cursor : null };
  }

  async getRetentionCursor(companyId: string): Promise<string | null> {
    return this.t.retentionCursors.get(companyId) ?? null;
  }

  async advanceRetentionCursor(companyId: string, cursor: string): Promise<void> {
    const current = this.t.retentionCursors.get(companyId);
    if (current === undefined || current < cursor) this.t.retentionCursors.set(companyId, cursor);
  }
}
