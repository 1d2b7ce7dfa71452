// MetaDataStore in memory: meta_data set on the object's own record.
import type { JsonObject } from '../../core/entities';
import type { MetaDataStore, MetaDataTarget } from '../../core/ports/metadata';
import { copy, type MemoryTables } from './tables';

export class MemoryMetaDataStore implements MetaDataStore {
  constructor(private readonly t: MemoryTables) {}

  private record(target: MetaDataTarget): { meta_data: JsonObject; time_updated: number } | undefined | null {
    switch (target.kind) {
      case 'FOLDER':
        return this.t.folder(target.company_id, target.folder_id)?.folder;
      case 'MEDIA':
        return this.t.folder(target.company_id, target.folder_id)?.media.get(target.id) as { meta_data: JsonObject; time_updated: number } | undefined;
      case 'ANALYSIS':
        return this.t.folder(target.company_id, target.folder_id)?.analyses.get(target.id);
      case 'COLLECTION':
        return this.t.collection(target.company_id, target.collection_id)?.collection;
      case 'PERSON':
        return this.t.collection(target.company_id, target.collection_id)?.persons.get(target.person_id);
      case 'USER':
        return this.t.users.get(target.user_id);
    }
  }

  async setMetaData(target: MetaDataTarget, meta: JsonObject, at: number): Promise<boolean> {
    const record = this.record(target);
    if (!record) return false;
    record.meta_data = copy(meta);
    record.time_updated = at;
    return true;
  }
}
