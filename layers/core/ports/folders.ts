// Folders with their media, read together with their analyses (layers/core/folders.ts, deletion.ts,
// decisions.ts). A folder's records live together: reading a folder reads its media and analyses.
import type { Analysis, Folder, Media } from '../entities';
import type { Page } from './common';

export interface FolderAggregate {
  folder: Folder;
  media: Media[];
  analyses: Analysis[];
}

/** The folder fields that change after creation (PATCH /api/folders/{id}, analyses with a resolution_endpoint). */
export interface FolderFields {
  operator_status?: string | null;
  operator_comment?: string | null;
  resolution_endpoint?: string | null;
  user_id?: string;
}

export interface FolderListQuery {
  company_id: string | null; // null: every company (global roles)
  user_id: string | null; // set: only this user's folders (CLIENT)
  time_created_min?: number;
  time_created_max?: number;
  /** Keep a folder only if this returns true for its aggregate (filters on analyses). */
  filter?: (folder: FolderAggregate) => boolean;
  offset: number;
  limit: number;
}

export interface FolderStore {
  /** Creates the folder with its first media; fails when the folder id exists. */
  createFolder(folder: Folder, media: Media[]): Promise<void>;
  /** Adds media to a folder that exists and is not cleared of personal data; fails otherwise. */
  addMedia(folder: Folder, media: Media[]): Promise<void>;
  /** The folder with its media and analyses, each oldest first; null when absent. */
  getFolder(companyId: string, folderId: string): Promise<FolderAggregate | null>;
  /** Which company a folder, media or analysis belongs to, whatever the caller (then scope-check). */
  locate(kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS', id: string): Promise<{ company_id: string; folder_id: string } | null>;
  /** Newest first within the time window; `total` counts every match. */
  listFolders(query: FolderListQuery): Promise<Page<FolderAggregate>>;
  /**
   * Deletes a folder and everything recorded in it: media, analyses, webhook delivery records, their
   * id pointers, and the collection links its analyses hold. The folder record goes last, then
   * anything written into the folder meanwhile is swept too.
   */
  deleteFolder(companyId: string, folderId: string): Promise<void>;
  /** Deletes media records of a folder and their id pointers. */
  deleteMedia(media: Media[]): Promise<void>;
  /**
   * Sets a folder's operator_status / operator_comment, its webhook (resolution_endpoint) or its
   * owner (user_id); undefined leaves a field as it is. False when the folder is absent.
   */
  setOperatorFields(companyId: string, folderId: string, fields: FolderFields, at: number): Promise<boolean>;
}
