// CollectionStore in memory: versions bumped and the change log appended with every change to the
// templates; a person an analysis found cannot be deleted.
import { randomUUID } from 'node:crypto';
import type { Collection, Person, PersonImage } from '../../core/entities';
import type { CollectionStore, FoundPerson, TemplateChange } from '../../core/ports/collections';
import { ConflictError, timeKey } from '../../core/ports/common';
import { ascending, ConditionFailedError, copy, type CollectionRecords, type MemoryTables } from './tables';

export class MemoryCollectionStore implements CollectionStore {
  constructor(private readonly t: MemoryTables) {}

  /** A collection that exists; its version moves with the change logged. */
  private change(companyId: string, collectionId: string, change: { op: 'add'; entries: { id: string; template: Float32Array }[] } | { op: 'remove'; ids: string[] }): CollectionRecords {
    const records = this.t.collection(companyId, collectionId);
    if (!records?.collection) throw new ConditionFailedError('collection absent');
    records.version += 1;
    // Keys in commit order, as the DynamoDB log's are: changes within one millisecond keep their order.
    records.log.push(copy({ key: timeKey(Date.now() / 1000, `${String(++this.t.changes).padStart(12, '0')}-${randomUUID()}`), ...change }));
    return records;
  }

  async putCollection(collection: Collection): Promise<void> {
    const records = this.t.collectionPartition(collection.company_id, collection.collection_id);
    records.collection = copy(collection);
    records.version = 0;
  }

  async getCollection(companyId: string, collectionId: string) {
    const records = this.t.collection(companyId, collectionId);
    return records?.collection ? { ...copy(records.collection), version: records.version } : null;
  }

  async listCollections(companyId: string | null): Promise<Collection[]> {
    const all = [...this.t.collections.values()].flatMap((r) => (r.collection && (companyId === null || r.collection.company_id === companyId) ? [r.collection] : []));
    return copy(all.sort(ascending((c) => timeKey(c.time_created, c.collection_id))));
  }

  async deleteCollection(companyId: string, collectionId: string): Promise<PersonImage[]> {
    const records = this.t.collection(companyId, collectionId);
    if (!records) return [];
    // A link to a person of another collection is a stray one (written by an earlier version): it holds nothing back.
    if ([...records.links].some((l) => records.persons.has(l.split('#')[0]!))) throw new ConflictError('collection has related analyses');
    this.t.collections.delete(`${companyId}|${collectionId}`);
    return copy([...records.images.values()].map((i) => i.image));
  }

  async putPersonImages(person: Person, images: { image: PersonImage; template: Float32Array }[], isNew: boolean): Promise<void> {
    const records = this.t.collection(person.company_id, person.collection_id);
    if (!records?.collection || records.persons.has(person.person_id) !== !isNew) throw new ConditionFailedError(isNew ? 'person exists' : 'person absent');
    this.change(person.company_id, person.collection_id, { op: 'add', entries: images.map(({ image, template }) => ({ id: `${person.person_id}#${image.media_id}`, template })) });
    if (isNew) records.persons.set(person.person_id, copy(person));
    for (const i of images) records.images.set(`${person.person_id}#${i.image.media_id}`, copy(i));
  }

  async getPerson(companyId: string, collectionId: string, personId: string): Promise<Person | null> {
    return copy(this.t.collection(companyId, collectionId)?.persons.get(personId) ?? null);
  }

  async listPersons(companyId: string, collectionId: string): Promise<Person[]> {
    return copy([...(this.t.collection(companyId, collectionId)?.persons.values() ?? [])].sort((a, b) => a.time_created - b.time_created));
  }

  private imagesOf(records: CollectionRecords | undefined, personId: string) {
    return [...(records?.images.entries() ?? [])].filter(([key]) => key.startsWith(`${personId}#`)).sort(ascending(([key]) => key));
  }

  async listPersonImages(companyId: string, collectionId: string, personId: string): Promise<PersonImage[]> {
    return copy(this.imagesOf(this.t.collection(companyId, collectionId), personId).map(([, i]) => i.image));
  }

  async deletePerson(companyId: string, collectionId: string, personId: string): Promise<PersonImage[]> {
    const records = this.t.collection(companyId, collectionId);
    if ([...(records?.links ?? [])].some((l) => l.startsWith(`${personId}#`))) throw new ConflictError('person has related analyses');
    const images = this.imagesOf(records, personId);
    this.change(companyId, collectionId, { op: 'remove', ids: images.map(([key]) => key) });
    records!.persons.delete(personId);
    for (const [key] of images) records!.images.delete(key);
    return copy(images.map(([, i]) => i.image));
  }

  async deletePersonImage(companyId: string, collectionId: string, personId: string, mediaId: string): Promise<PersonImage | null> {
    const records = this.t.collection(companyId, collectionId);
    const key = `${personId}#${mediaId}`;
    const existing = records?.images.get(key);
    if (!existing) return null;
    this.change(companyId, collectionId, { op: 'remove', ids: [key] });
    records!.images.delete(key);
    return copy(existing.image);
  }

  async collectionChanges(companyId: string, collectionId: string, sinceKey: string): Promise<TemplateChange[]> {
    const log = this.t.collection(companyId, collectionId)?.log ?? [];
    return copy(log.filter((c) => c.key >= sinceKey).sort(ascending((c) => c.key)));
  }

  async collectionTemplates(companyId: string, collectionId: string) {
    return [...(this.t.collection(companyId, collectionId)?.images.entries() ?? [])].sort(ascending(([key]) => key)).map(([key, i]) => {
      const [person_id, media_id] = key.split('#');
      return { person_id: person_id!, media_id: media_id!, template: copy(i.template) };
    });
  }

  async linkAnalysisToPersons(companyId: string, analysisId: string, found: FoundPerson[]): Promise<void> {
    for (const f of found) this.t.collectionPartition(companyId, f.collection_id).links.add(`${f.person_id}#${analysisId}`);
  }
}
