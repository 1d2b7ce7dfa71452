// The persistence port of the core. layers/aws/dynamo-store.ts implements it on DynamoDB.
import type { UsageCount, UsageEvent } from './metering';
import type { Analysis, AuditEntry, Collection, Company, Folder, JsonObject, Media, Person, PersonImage, Session, StoredUser, WebhookDelivery } from './entities';

export class ConflictError extends Error {}

/** The objects that carry meta_data, by their keys. */
export type MetaDataTarget =
  | { kind: 'FOLDER'; company_id: string; folder_id: string }
  | { kind: 'MEDIA' | 'ANALYSIS'; company_id: string; folder_id: string; id: string }
  | { kind: 'COLLECTION'; company_id: string; collection_id: string }
  | { kind: 'PERSON'; company_id: string; collection_id: string; person_id: string }
  | { kind: 'USER'; user_id: string };

/** One logged change to a collection's search index: entry ids are "<person_id>#<media_id>". */
export type TemplateChange =
  | { key: string; op: 'add'; entries: { id: string; template: Float32Array }[] }
  | { key: string; op: 'remove'; ids: string[] };

/** How long the change log is kept; index snapshots older than this are rebuilt from the records. */
export const CHANGE_LOG_TTL_SECONDS = 7 * 24 * 3600;

export interface Page<T> {
  items: T[];
  total: number;
}

/** The folder fields that change after creation (PATCH /api/folders/{id}, analyses with a resolution_endpoint). */
export interface FolderFields {
  operator_status?: string | null;
  operator_comment?: string | null;
  resolution_endpoint?: string | null;
  user_id?: string;
}

export interface FolderAggregate {
  folder: Folder;
  media: Media[];
  analyses: Analysis[];
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

export interface AuditQuery {
  company_id: string | null;
  object_type?: AuditEntry['object_type'];
  /** Only with object_type. */
  object_id?: string;
  offset: number;
  limit: number;
}

export interface Store {
  putCompany(company: Company): Promise<void>;
  getCompany(companyId: string): Promise<Company | null>;
  listCompanies(query: { search_text?: string; offset: number; limit: number }): Promise<Page<Company>>;

  /** Creates the user; throws ConflictError when the email is taken (case-insensitive). */
  createUser(user: StoredUser): Promise<void>;
  getUser(userId: string): Promise<StoredUser | null>;
  getUserByEmail(email: string): Promise<StoredUser | null>;
  listUsers(query: { company_id: string | null; offset: number; limit: number }): Promise<Page<StoredUser>>;
  /** Replaces a stored user and moves its email entry when the email changed; ConflictError when it is taken, false when the user is gone. */
  updateUser(user: StoredUser, previousEmail: string): Promise<boolean>;
  /** Deletes the user and its email entry (its sessions are ended separately). */
  deleteUser(user: Pick<StoredUser, 'user_id' | 'email'>): Promise<void>;

  putSession(session: Session): Promise<void>;
  getSessionByAccessHash(accessHash: string): Promise<Session | null>;
  getSessionByExpireHash(expireHash: string): Promise<Session | null>;
  extendSession(session: Session, expireDate: number): Promise<void>;
  deleteSession(session: Pick<Session, 'access_hash'>): Promise<void>;
  /** The sessions of a company, or of one of its users, newest first (expired ones until the table's TTL removes them). */
  listSessions(query: { company_id: string; user_id?: string }): Promise<Session[]>;

  putAuditEntry(entry: AuditEntry): Promise<void>;
  /** Newest first; company_id null = every company. Reads only offset + limit (+1) entries. */
  listAuditEntries(query: AuditQuery): Promise<{ items: AuditEntry[]; has_more: boolean }>;

  createFolder(folder: Folder, media: Media[]): Promise<void>;
  addMedia(folder: Folder, media: Media[]): Promise<void>;
  getFolder(companyId: string, folderId: string): Promise<FolderAggregate | null>;
  /** Which company a folder, media or analysis belongs to, whatever the caller (then scope-check). */
  locate(kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS', id: string): Promise<{ company_id: string; folder_id: string } | null>;
  listFolders(query: FolderListQuery): Promise<Page<FolderAggregate>>;

  createAnalyses(folder: Folder, analyses: Analysis[]): Promise<void>;
  /**
   * Writes the analysis only if it is still PROCESSING; returns false when it was already final.
   * The same write counts it in the usage counters and leaves its usage event in the outbox
   * (layers/core/metering.ts), so an analysis is counted exactly once.
   */
  finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean>;
  /**
   * Deletes a folder and everything recorded in it: media, analyses, webhook delivery records, their
   * id pointers, and the collection links its analyses hold. The folder record (with its list-index
   * entries) goes last, then anything written into the folder meanwhile is swept too.
   */
  deleteFolder(companyId: string, folderId: string): Promise<void>;
  /** Deletes media records of a folder and their id pointers. */
  deleteMedia(media: Media[]): Promise<void>;
  /** Deletes an analysis, its output media and the person links it holds. */
  deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void>;
  /** Analyses still PROCESSING that were created before `createdBefore` (epoch seconds), oldest first, at most `limit`. */
  listProcessingAnalyses(createdBefore: number, limit: number): Promise<Analysis[]>;
  /** Records a processing attempt and returns the stored analysis (or null if gone). */
  startAttempt(companyId: string, folderId: string, analysisId: string, at: number): Promise<Analysis | null>;

  /** Creates the delivery record of a group; false if one exists already (exactly one notification). */
  createWebhookDelivery(delivery: WebhookDelivery): Promise<boolean>;
  getWebhookDelivery(companyId: string, folderId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  updateWebhookDelivery(companyId: string, folderId: string, deliveryId: string, patch: Partial<WebhookDelivery>, countAttempt: boolean): Promise<void>;
  listWebhookDeliveries(companyId: string, folderId: string): Promise<WebhookDelivery[]>;
  putCollection(collection: Collection): Promise<void>;
  getCollection(companyId: string, collectionId: string): Promise<(Collection & { version: number }) | null>;
  listCollections(companyId: string | null): Promise<Collection[]>;
  /** Deletes the collection with its persons and images (returned); ConflictError if an analysis found one of them. */
  deleteCollection(companyId: string, collectionId: string): Promise<PersonImage[]>;
  /** Writes the person (if new) and images with their templates; bumps the collection's version. */
  putPersonImages(person: Person, images: { image: PersonImage; template: Float32Array }[], isNew: boolean): Promise<void>;
  getPerson(companyId: string, collectionId: string, personId: string): Promise<Person | null>;
  listPersons(companyId: string, collectionId: string): Promise<Person[]>;
  listPersonImages(companyId: string, collectionId: string, personId: string): Promise<PersonImage[]>;
  /** Deletes a person and their images; ConflictError if an analysis found them. */
  deletePerson(companyId: string, collectionId: string, personId: string): Promise<PersonImage[]>;
  deletePersonImage(companyId: string, collectionId: string, personId: string, mediaId: string): Promise<PersonImage | null>;
  /**
   * The changes to a collection's templates (the log written with each change), in commit-key
   * order, from `sinceKey` on; keys are "<zero-padded epoch seconds>#<id>".
   */
  collectionChanges(companyId: string, collectionId: string, sinceKey: string): Promise<TemplateChange[]>;
  /** Every template of a collection, for building its search index. */
  collectionTemplates(companyId: string, collectionId: string): Promise<{ media_id: string; person_id: string; template: Float32Array }[]>;
  /** Records that a collection analysis found these persons, each in its own collection (they cannot be deleted while it exists). */
  linkAnalysisToPersons(companyId: string, analysisId: string, found: FoundPerson[]): Promise<void>;

  /**
   * Records an operator's decision on a finished OPERATOR_REQUIRED analysis and stamps its folder
   * (resolution_author_id, resolution_time) in one transaction; false when the analysis is not one.
   */
  decideAnalysis(analysis: Analysis, decision: JsonObject, folderFields: { resolution_author_id: string; resolution_time: number }): Promise<boolean>;
  /**
   * Sets a folder's operator_status / operator_comment, its webhook (resolution_endpoint) or its
   * owner (user_id); undefined leaves a field as it is. False when the folder is absent.
   */
  setOperatorFields(companyId: string, folderId: string, fields: FolderFields, at: number): Promise<boolean>;

  /** Replaces the meta_data of one object (and its time_updated); false when the object does not exist. */
  setMetaData(target: MetaDataTarget, meta: JsonObject, at: number): Promise<boolean>;

  // Personal-data clearing (layers/core/privacy.ts) ----------------------------------------------
  /**
   * Writes a cleared folder record. With `onlyIfNotCleared`, only while the stored folder is not
   * cleared yet: false means another call cleared it first (nothing written).
   */
  putClearedFolder(folder: Folder, onlyIfNotCleared: boolean): Promise<boolean>;
  /**
   * Rewrites cleared media and analyses that still exist (an analysis only while its state is the
   * one given), and deletes the collection links ("this analysis found person X") listed.
   */
  putClearedRecords(media: Media[], analyses: Analysis[], links: { collection_id: string; person_id: string; analysis_id: string; company_id: string }[]): Promise<void>;
  /**
   * One company's folders created at or before `before`, oldest first, after `cursor` (null: from
   * the oldest); each with its own cursor, and `next` when more may follow.
   */
  listFoldersCreatedBefore(companyId: string, before: number, cursor: string | null, limit: number): Promise<{ items: { folder: Folder; cursor: string }[]; next: string | null }>;
  /** How far the retention job got in a company's folders (everything before it is cleared). */
  getRetentionCursor(companyId: string): Promise<string | null>;
  /** Moves the cursor forward only: a concurrent or late run never moves it back. */
  advanceRetentionCursor(companyId: string, cursor: string): Promise<void>;

  /** The company's webhook signing secret, created on first use. */
  webhookSecret(companyId: string, create: () => string): Promise<string>;
  rotateWebhookSecret(companyId: string, secret: string): Promise<void>;

  // Metering (layers/core/metering.ts) ------------------------------------------------------
  /** Counts a final analysis that is not stored (Instant API): the counters only. */
  countUsage(event: UsageEvent): Promise<void>;
  /** Counter lines of the months, of one company or (null) every company. */
  usageCounts(query: { company_id: string | null; months: string[] }): Promise<UsageCount[]>;
  /** The outbox entry of an analysis, if its event is not published yet. */
  pendingUsageEvent(companyId: string, analysisId: string): Promise<UsageEvent | null>;
  clearUsageEvent(companyId: string, analysisId: string): Promise<void>;
  /** Outbox entries of analyses that became final before `before` (epoch seconds). */
  staleUsageEvents(before: number, limit: number): Promise<UsageEvent[]>;
  getUsageQuota(companyId: string): Promise<number | null>;
  setUsageQuota(companyId: string, monthlyAnalyses: number | null): Promise<void>;
  /** Adds `count` to the month's started analyses, atomically and only within `limit` if set. */
  reserveAnalyses(companyId: string, month: string, count: number, limit: number | null): Promise<{ ok: boolean; started: number }>;
  releaseAnalyses(companyId: string, month: string, count: number): Promise<void>;
  startedAnalyses(companyId: string, month: string): Promise<number>;
}

/** A person a COLLECTION analysis found, in the collection that holds them. */
export interface FoundPerson {
  collection_id: string;
  person_id: string;
}

export interface AnalysisLink extends FoundPerson {
  company_id: string;
  analysis_id: string;
}

/**
 * Every link a COLLECTION analysis may hold: each found person under each collection the analysis
 * found anyone in. A correct link is a person under their own collection; the others are the stray
 * links an earlier version wrote (every person under the first collection of a search over
 * several), so deleting or clearing the analysis removes those too.
 */
export function analysisLinks(analysis: Pick<Analysis, 'company_id' | 'analysis_id' | 'results_media'>): AnalysisLink[] {
  const found = analysis.results_media.flatMap((r) => r.collection_persons);
  const collections = [...new Set(found.map((p) => String(p['collection_id'])))];
  const persons = [...new Set(found.map((p) => String(p['person_id'])))];
  return collections.flatMap((collection_id) => persons.map((person_id) => ({ company_id: analysis.company_id, analysis_id: analysis.analysis_id, collection_id, person_id })));
}
