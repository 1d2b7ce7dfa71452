// FolderStore in memory: a folder with its media and analyses, id pointers, listings newest first.
import type { Folder, Media } from '../../core/entities';
import { analysisLinks } from '../../core/ports/collections';
import { timeKey, type Page } from '../../core/ports/common';
import type { FolderAggregate, FolderFields, FolderListQuery, FolderStore } from '../../core/ports/folders';
import { ConditionFailedError, copy, descending, window, type FolderRecords, type MemoryTables } from './tables';

const byTime = <T extends { time_created: number }>(a: T, b: T) => a.time_created - b.time_created;

/** A folder's records as the port answers them (copies, each list oldest first). */
export function aggregateOf(records: FolderRecords & { folder: Folder }): FolderAggregate {
  return copy({ folder: records.folder, media: [...records.media.values()].sort(byTime), analyses: [...records.analyses.values()].sort(byTime) });
}

export class MemoryFolderStore implements FolderStore {
  constructor(private readonly t: MemoryTables) {}

  async createFolder(folder: Folder, media: Media[]): Promise<void> {
    const records = this.t.folderPartition(folder.company_id, folder.folder_id);
    if (records.folder) throw new ConditionFailedError('folder exists');
    records.folder = copy(folder);
    this.t.pointers.set(`FOLDER#${folder.folder_id}`, { company_id: folder.company_id, folder_id: folder.folder_id });
    this.t.putMedia(media);
  }

  async addMedia(folder: Folder, media: Media[]): Promise<void> {
    this.t.openFolder(folder);
    this.t.putMedia(media);
  }

  async getFolder(companyId: string, folderId: string): Promise<FolderAggregate | null> {
    const records = this.t.folder(companyId, folderId);
    return records?.folder ? aggregateOf({ ...records, folder: records.folder }) : null;
  }

  async locate(kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS', id: string) {
    return copy(this.t.pointers.get(`${kind}#${id}`) ?? null);
  }

  async listFolders(query: FolderListQuery): Promise<Page<FolderAggregate>> {
    const lower = timeKey(query.time_created_min ?? 0, '');
    const upper = timeKey(query.time_created_max ?? 9_999_999_999, '~');
    const inRange = [...this.t.folders.values()]
      .filter((r): r is FolderRecords & { folder: Folder } => r.folder !== null)
      .filter(({ folder: f }) => {
        const key = timeKey(f.time_created, f.folder_id);
        return (query.company_id === null || f.company_id === query.company_id) && (!query.user_id || f.user_id === query.user_id) && key >= lower && key <= upper;
      })
      .sort(descending(({ folder: f }) => timeKey(f.time_created, f.folder_id)))
      .map(aggregateOf);
    const matches = query.filter ? inRange.filter(query.filter) : inRange;
    return { total: matches.length, items: window(matches, query.offset, query.limit) };
  }

  async deleteFolder(companyId: string, folderId: string): Promise<void> {
    const records = this.t.folder(companyId, folderId);
    if (!records) return;
    this.t.deleteMedia([...records.media.values()]);
    for (const a of records.analyses.values()) {
      this.t.pointers.delete(`ANALYSIS#${a.analysis_id}`);
      this.t.unlink(analysisLinks(a));
    }
    this.t.pointers.delete(`FOLDER#${folderId}`);
    this.t.folders.delete(`${companyId}|${folderId}`);
  }

  async deleteMedia(media: Media[]): Promise<void> {
    this.t.deleteMedia(media);
  }

  async setOperatorFields(companyId: string, folderId: string, fields: FolderFields, at: number): Promise<boolean> {
    const folder = this.t.folder(companyId, folderId)?.folder;
    if (!folder) return false;
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) (folder as unknown as Record<string, unknown>)[name] = value;
    folder.time_updated = at;
    return true;
  }
}
