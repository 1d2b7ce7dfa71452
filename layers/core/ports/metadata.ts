// meta_data of any object that carries it (layers/core/metadata.ts).
import type { JsonObject } from '../entities';

/** The objects that carry meta_data, by their keys. */
export type MetaDataTarget =
  | { kind: 'FOLDER'; company_id: string; folder_id: string }
  | { kind: 'MEDIA' | 'ANALYSIS'; company_id: string; folder_id: string; id: string }
  | { kind: 'COLLECTION'; company_id: string; collection_id: string }
  | { kind: 'PERSON'; company_id: string; collection_id: string; person_id: string }
  | { kind: 'USER'; user_id: string };

export interface MetaDataStore {
  /** Replaces the meta_data of one object (and its time_updated); false when the object does not exist. */
  setMetaData(target: MetaDataTarget, meta: JsonObject, at: number): Promise<boolean>;
}
