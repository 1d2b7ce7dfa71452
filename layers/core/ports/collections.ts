// Collections of persons with their face templates, the log of template changes the search
// indexes follow, and the links "this analysis found that person" that keep persons from being
// deleted (layers/core/collections.ts, processing.ts, layers/adapters/collection-search.ts).
import type { Analysis, Collection, Person, PersonImage } from '../entities';

/** One logged change to a collection's search index: entry ids are "<person_id>#<media_id>". */
export type TemplateChange =
  | { key: string; op: 'add'; entries: { id: string; template: Float32Array }[] }
  | { key: string; op: 'remove'; ids: string[] };

/** How long the change log is kept; index snapshots older than this are rebuilt from the records. */
export const CHANGE_LOG_TTL_SECONDS = 7 * 24 * 3600;

/** A person a COLLECTION analysis found, in the collection that holds them. */
export interface FoundPerson {
  collection_id: string;
  person_id: string;
}

export interface AnalysisLink extends FoundPerson {
  company_id: string;
  analysis_id: string;
}

export interface CollectionStore {
  putCollection(collection: Collection): Promise<void>;
  /** The collection with its version, which every change to its templates bumps. */
  getCollection(companyId: string, collectionId: string): Promise<(Collection & { version: number }) | null>;
  /** Oldest first; null = every company. */
  listCollections(companyId: string | null): Promise<Collection[]>;
  /** Deletes the collection with its persons and images (returned); ConflictError if an analysis found one of them. */
  deleteCollection(companyId: string, collectionId: string): Promise<PersonImage[]>;
  /** Writes the person (if new; fails if it exists) and images with their templates; bumps the collection's version. */
  putPersonImages(person: Person, images: { image: PersonImage; template: Float32Array }[], isNew: boolean): Promise<void>;
  getPerson(companyId: string, collectionId: string, personId: string): Promise<Person | null>;
  /** Oldest first. */
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
