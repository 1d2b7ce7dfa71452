// Clearing personal data from folders, and the retention job's walk over old folders
// (layers/core/privacy.ts).
import type { Analysis, Folder, Media } from '../entities';
import type { AnalysisLink } from './collections';

export interface PrivacyStore {
  /**
   * Writes a cleared folder record (false when the folder is gone). With `onlyIfNotCleared`, only
   * while the stored folder is not cleared yet: false means another call cleared it first.
   */
  putClearedFolder(folder: Folder, onlyIfNotCleared: boolean): Promise<boolean>;
  /**
   * Rewrites cleared media and analyses that still exist (an analysis only while its state is the
   * one given), and deletes the collection links ("this analysis found person X") listed.
   */
  putClearedRecords(media: Media[], analyses: Analysis[], links: AnalysisLink[]): Promise<void>;
  /**
   * One company's folders created at or before `before`, oldest first, after `cursor` (null: from
   * the oldest); each with its own cursor, and `next` when more may follow.
   */
  listFoldersCreatedBefore(companyId: string, before: number, cursor: string | null, limit: number): Promise<{ items: { folder: Folder; cursor: string }[]; next: string | null }>;
  /** How far the retention job got in a company's folders (everything before it is cleared). */
  getRetentionCursor(companyId: string): Promise<string | null>;
  /** Moves the cursor forward only: a concurrent or late run never moves it back. */
  advanceRetentionCursor(companyId: string, cursor: string): Promise<void>;
}
