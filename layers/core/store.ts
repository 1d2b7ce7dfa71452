// The persistence port of the core. layers/aws/dynamo-store.ts implements it on DynamoDB.
import type { Analysis, Collection, Company, Folder, JsonObject, Media, Person, PersonImage, Session, StoredUser, WebhookDelivery } from './entities';

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

export interface Store {
  putCompany(company: Company): Promise<void>;
  getCompany(companyId: string): Promise<Company | null>;
  listCompanies(query: { search_text?: string; offset: number; limit: number }): Promise<Page<Company>>;

  /** Creates the user; throws ConflictError when the email is taken (case-insensitive). */
  createUser(user: StoredUser): Promise<void>;
  getUser(userId: string): Promise<StoredUser | null>;
  getUserByEmail(email: string): Promise<StoredUser | null>;
  listUsers(query: { company_id: string | null; offset: number; limit: number }): Promise<Page<StoredUser>>;

  putSession(session: Session): Promise<void>;
  getSessionByAccessHash(accessHash: string): Promise<Session | null>;
  getSessionByExpireHash(expireHash: string): Promise<Session | null>;
  extendSession(session: Session, expireDate: number): Promise<void>;
  deleteSession(session: Pick<Session, 'access_hash'>): Promise<void>;

  createFolder(folder: Folder, media: Media[]): Promise<void>;
  addMedia(folder: Folder, media: Media[]): Promise<void>;
  getFolder(companyId: string, folderId: string): Promise<FolderAggregate | null>;
  /** Which company a folder, media or analysis belongs to, whatever the caller (then scope-check). */
  locate(kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS', id: string): Promise<{ company_id: string; folder_id: string } | null>;
  listFolders(query: FolderListQuery): Promise<Page<FolderAggregate>>;

  createAnalyses(folder: Folder, analyses: Analysis[]): Promise<void>;
  /** Writes the analysis only if it is still PROCESSING; returns false when it was already final. */
  finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean>;
  /** Deletes an analysis, its output media and the person links it holds. */
  deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void>;
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
  /** Records that a collection analysis found these persons (they cannot be deleted while it exists). */
  linkAnalysisToPersons(companyId: string, collectionId: string, analysisId: string, personIds: string[]): Promise<void>;

  /** Replaces the meta_data of one object (and its time_updated); false when the object does not exist. */
  setMetaData(target: MetaDataTarget, meta: JsonObject, at: number): Promise<boolean>;

  /** The company's webhook signing secret, created on first use. */
  webhookSecret(companyId: string, create: () => string): Promise<string>;
  rotateWebhookSecret(companyId: string, secret: string): Promise<void>;
}
