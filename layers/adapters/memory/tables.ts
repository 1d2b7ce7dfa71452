// The state every in-memory port shares, as the DynamoDB adapters share one table: writes that
// span areas (an analysis finished and counted, a folder deleted with its collection links) stay
// atomic because they change one object synchronously. Records are copied in and out, so a caller
// changing an object it read or wrote changes nothing stored, as with a real store.
import type { Analysis, AuditEntry, Collection, Company, Folder, Media, Person, PersonImage, Session, StoredUser, WebhookDelivery } from '../../core/entities';
import type { UsageCount, UsageEvent } from '../../core/metering';
import type { TemplateChange } from '../../core/ports/collections';
import type { EventSession } from '../../core/ports/event-sessions';
import type { Report } from '../../core/ports/reports';
import type { ReportTemplate, ReportTemplateAttachment } from '../../core/reports/template';

/** A write refused by its condition (the in-memory form of DynamoDB's ConditionalCheckFailed). */
export class ConditionFailedError extends Error {
  constructor(what: string) {
    super(`condition failed: ${what}`);
  }
}

export const copy = <T>(value: T): T => structuredClone(value);

/** What a folder's partition holds; `folder` is null while only records written beside it exist. */
export interface FolderRecords {
  folder: Folder | null;
  media: Map<string, Media>;
  analyses: Map<string, Analysis>;
  webhooks: Map<string, WebhookDelivery>;
  reports: Map<string, Report>;
}

/** What a collection's partition holds; `collection` is null once deleted or before creation. */
export interface CollectionRecords {
  collection: Collection | null;
  version: number;
  persons: Map<string, Person>;
  /** By "<person_id>#<media_id>". */
  images: Map<string, { image: PersonImage; template: Float32Array }>;
  /** "<person_id>#<analysis_id>": an analysis found this person. */
  links: Set<string>;
  log: TemplateChange[];
}

export class MemoryTables {
  readonly companies = new Map<string, Company>();
  readonly users = new Map<string, StoredUser>();
  /** Lower-cased email -> user_id. */
  readonly emails = new Map<string, string>();
  /** By access_hash. */
  readonly sessions = new Map<string, Session>();
  /** expire_hash -> access_hash. */
  readonly refreshes = new Map<string, string>();
  readonly audit: AuditEntry[] = [];
  /** By folderKey. */
  readonly folders = new Map<string, FolderRecords>();
  /** "<kind>#<id>" of folders, media, analyses and reports -> where they live. */
  readonly pointers = new Map<string, { company_id: string; folder_id: string }>();
  /** By collectionKey. */
  readonly collections = new Map<string, CollectionRecords>();
  /** "<company>|<month>|<type>". */
  readonly usageCounts = new Map<string, UsageCount>();
  /** "<company>|<analysis_id>". */
  readonly outbox = new Map<string, UsageEvent>();
  readonly quotas = new Map<string, number>();
  /** "<company>|<month>". */
  readonly started = new Map<string, number>();
  readonly webhookSecrets = new Map<string, string>();
  readonly retentionCursors = new Map<string, string>();
  readonly reportTemplates = new Map<string, ReportTemplate>();
  /** By template id, then attachment id. */
  readonly attachments = new Map<string, Map<string, ReportTemplateAttachment>>();
  /** SDK event sessions by "<company>|<session_id>". */
  readonly eventSessions = new Map<string, EventSession>();
  /** How many changes the collections' logs hold, for their keys' order. */
  changes = 0;

  folder(companyId: string, folderId: string): FolderRecords | undefined {
    return this.folders.get(folderKey(companyId, folderId));
  }

  /** The folder's partition, made empty when absent (for records written beside a folder). */
  folderPartition(companyId: string, folderId: string): FolderRecords {
    const key = folderKey(companyId, folderId);
    let records = this.folders.get(key);
    if (!records) this.folders.set(key, (records = { folder: null, media: new Map(), analyses: new Map(), webhooks: new Map(), reports: new Map() }));
    return records;
  }

  /** A folder that exists and is not cleared of personal data (new media and analyses need one). */
  openFolder(folder: Pick<Folder, 'company_id' | 'folder_id'>): FolderRecords {
    const records = this.folder(folder.company_id, folder.folder_id);
    if (!records?.folder || records.folder.is_cleared === true) throw new ConditionFailedError('folder absent or cleared');
    return records;
  }

  collection(companyId: string, collectionId: string): CollectionRecords | undefined {
    return this.collections.get(collectionKey(companyId, collectionId));
  }

  collectionPartition(companyId: string, collectionId: string): CollectionRecords {
    const key = collectionKey(companyId, collectionId);
    let records = this.collections.get(key);
    if (!records) this.collections.set(key, (records = { collection: null, version: 0, persons: new Map(), images: new Map(), links: new Set(), log: [] }));
    return records;
  }

  /** Removes the links "this analysis found that person" an analysis holds. */
  unlink(links: { company_id: string; collection_id: string; person_id: string; analysis_id: string }[]) {
    for (const l of links) this.collection(l.company_id, l.collection_id)?.links.delete(`${l.person_id}#${l.analysis_id}`);
  }

  putMedia(media: Media[]) {
    for (const m of media) {
      this.folderPartition(m.company_id, m.folder_id).media.set(m.media_id, copy(m));
      this.pointers.set(`MEDIA#${m.media_id}`, { company_id: m.company_id, folder_id: m.folder_id });
    }
  }

  deleteMedia(media: Pick<Media, 'company_id' | 'folder_id' | 'media_id'>[]) {
    for (const m of media) {
      this.folder(m.company_id, m.folder_id)?.media.delete(m.media_id);
      this.pointers.delete(`MEDIA#${m.media_id}`);
    }
  }
}

const folderKey = (companyId: string, folderId: string) => `${companyId}|${folderId}`;
const collectionKey = (companyId: string, collectionId: string) => `${companyId}|${collectionId}`;

/** Ascending by a key function (string keys compared as DynamoDB compares sort keys). */
export const ascending = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
export const descending = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0);
/** The offset/limit window of a list. */
export const window = <T>(items: T[], offset: number, limit: number) => items.slice(offset, offset + limit);
