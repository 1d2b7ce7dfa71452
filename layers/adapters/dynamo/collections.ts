// CollectionStore on the table: one partition per collection ("C#<company>#COL#<id>") holding the
// collection record (with its version), persons, images with their templates, analysis links and
// the change log the search indexes follow (kept CHANGE_LOG_TTL_SECONDS by the table's TTL).
import { randomUUID } from 'node:crypto';
import type { Collection, Person, PersonImage } from '../../core/entities';
import { CHANGE_LOG_TTL_SECONDS, type CollectionStore, type FoundPerson, type TemplateChange } from '../../core/ports/collections';
import { ConflictError } from '../../core/ports/common';
import { collectionPk, linkKey, pointer, pointerKey, templateBytes, templateOf, timeKey } from './keys';
import type { DynamoTable, TransactItem } from './table';

export class DynamoCollectionStore implements CollectionStore {
  constructor(private readonly table: DynamoTable) {}

  async putCollection(collection: Collection): Promise<void> {
    const key = timeKey(collection.time_created, collection.collection_id);
    await this.table.putItem({
      Item: { pk: collectionPk(collection.company_id, collection.collection_id), sk: 'COLLECTION', lpk: `${collection.company_id}#COLLECTION`, lsk: key, gpk: 'COLLECTION', gsk: key, version: 0, data: collection },
    });
  }

  async getCollection(companyId: string, collectionId: string) {
    const item = await this.table.get<{ data: Collection; version: number }>(collectionPk(companyId, collectionId), 'COLLECTION');
    return item ? { ...item.data, version: item.version } : null;
  }

  async listCollections(companyId: string | null): Promise<Collection[]> {
    const items =
      companyId === null
        ? await this.table.queryAll({ IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': 'COLLECTION' } })
        : await this.table.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `${companyId}#COLLECTION` } });
    return items.map((i) => i['data'] as Collection);
  }

  private async collectionItems(companyId: string, collectionId: string, prefix: string, projection?: string) {
    return this.table.queryAll({
      // DynamoDB refuses begins_with on an empty prefix: the whole partition is just pk = :p.
      KeyConditionExpression: prefix ? 'pk = :p AND begins_with(sk, :s)' : 'pk = :p',
      ExpressionAttributeValues: { ':p': collectionPk(companyId, collectionId), ...(prefix ? { ':s': prefix } : {}) },
      ConsistentRead: true,
      ...(projection ? { ProjectionExpression: projection, ...(projection.includes('#d') ? { ExpressionAttributeNames: { '#d': 'data' } } : {}) } : {}),
    });
  }

  private bumpVersion(companyId: string, collectionId: string): TransactItem {
    return {
      Update: {
        TableName: this.table.name,
        Key: { pk: collectionPk(companyId, collectionId), sk: 'COLLECTION' },
        UpdateExpression: 'ADD version :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      },
    };
  }

  /** A change-log item, written in the same transaction as the change it describes. */
  private logItem(companyId: string, collectionId: string, change: { op: 'add'; entries: { id: string; template: Float32Array }[] } | { op: 'remove'; ids: string[] }): TransactItem {
    const now = Date.now() / 1000;
    const payload =
      change.op === 'add'
        ? { op: 'add', ids: change.entries.map((e) => e.id), templates: change.entries.map((e) => templateBytes(e.template)) }
        : { op: 'remove', ids: change.ids };
    return this.table.put({ pk: collectionPk(companyId, collectionId), sk: `LOG#${timeKey(now, randomUUID())}`, ttl: Math.ceil(now + CHANGE_LOG_TTL_SECONDS), ...payload });
  }

  async collectionChanges(companyId: string, collectionId: string, sinceKey: string): Promise<TemplateChange[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':p': collectionPk(companyId, collectionId), ':lo': `LOG#${sinceKey}`, ':hi': 'LOG#~' },
      ConsistentRead: true,
    });
    return items.map((i) => {
      const key = i.sk.slice(4);
      const ids = i['ids'] as string[];
      if (i['op'] === 'add') return { key, op: 'add' as const, entries: ids.map((id, n) => ({ id, template: templateOf((i['templates'] as Uint8Array[])[n]!) })) };
      return { key, op: 'remove' as const, ids };
    });
  }

  async deleteCollection(companyId: string, collectionId: string): Promise<PersonImage[]> {
    const items = await this.collectionItems(companyId, collectionId, '', 'pk, sk, #d');
    // A link to a person of another collection is a stray one (written under the first collection
    // of a multi-collection search by an earlier version): it holds nothing back and goes with the rest.
    const persons = new Set(items.filter((i) => i.sk.startsWith('PERSON#')).map((i) => i.sk.slice('PERSON#'.length)));
    if (items.some((i) => i.sk.startsWith('LINK#') && persons.has(i.sk.split('#')[1]!))) throw new ConflictError('collection has related analyses');
    const pointers = [...persons].map((p) => pointerKey('PERSON', p));
    // The collection item goes last: while it exists, a half-deleted collection can be deleted again.
    await this.table.deleteKeys([...items.filter((i) => i.sk !== 'COLLECTION').map((i) => ({ pk: i.pk, sk: i.sk })), ...pointers]);
    await this.table.deleteKeys([{ pk: collectionPk(companyId, collectionId), sk: 'COLLECTION' }]);
    return items.filter((i) => i.sk.startsWith('IMAGE#')).map((i) => i['data'] as PersonImage);
  }

  async putPersonImages(person: Person, images: { image: PersonImage; template: Float32Array }[], isNew: boolean): Promise<void> {
    const pk = collectionPk(person.company_id, person.collection_id);
    await this.table.transact([
      isNew
        ? this.table.put({ pk, sk: `PERSON#${person.person_id}`, data: person }, 'attribute_not_exists(pk)')
        : { ConditionCheck: { TableName: this.table.name, Key: { pk, sk: `PERSON#${person.person_id}` }, ConditionExpression: 'attribute_exists(pk)' } },
      ...(isNew ? [this.table.put(pointer('PERSON', person.person_id, person.company_id, person.collection_id))] : []),
      this.bumpVersion(person.company_id, person.collection_id),
      ...images.map(({ image, template }) => this.table.put({ pk, sk: `IMAGE#${person.person_id}#${image.media_id}`, data: image, template: templateBytes(template) })),
      this.logItem(person.company_id, person.collection_id, { op: 'add', entries: images.map(({ image, template }) => ({ id: `${person.person_id}#${image.media_id}`, template })) }),
    ]);
  }

  async getPerson(companyId: string, collectionId: string, personId: string): Promise<Person | null> {
    return (await this.table.get<{ data: Person }>(collectionPk(companyId, collectionId), `PERSON#${personId}`))?.data ?? null;
  }

  async listPersons(companyId: string, collectionId: string): Promise<Person[]> {
    return (await this.collectionItems(companyId, collectionId, 'PERSON#')).map((i) => i['data'] as Person).sort((a, b) => a.time_created - b.time_created);
  }

  async listPersonImages(companyId: string, collectionId: string, personId: string): Promise<PersonImage[]> {
    return (await this.collectionItems(companyId, collectionId, `IMAGE#${personId}#`, 'pk, sk, #d')).map((i) => i['data'] as PersonImage);
  }

  async deletePerson(companyId: string, collectionId: string, personId: string): Promise<PersonImage[]> {
    if ((await this.collectionItems(companyId, collectionId, `LINK#${personId}#`, 'pk, sk')).length > 0) throw new ConflictError('person has related analyses');
    const images = await this.collectionItems(companyId, collectionId, `IMAGE#${personId}#`, 'pk, sk, #d');
    const pk = collectionPk(companyId, collectionId);
    await this.table.deleteKeys(
      [{ pk, sk: `PERSON#${personId}` }, pointerKey('PERSON', personId), ...images.map((i) => ({ pk: i.pk, sk: i.sk }))],
      [this.bumpVersion(companyId, collectionId), this.logItem(companyId, collectionId, { op: 'remove', ids: images.map((i) => i.sk.slice('IMAGE#'.length)) })],
    );
    return images.map((i) => i['data'] as PersonImage);
  }

  async deletePersonImage(companyId: string, collectionId: string, personId: string, mediaId: string): Promise<PersonImage | null> {
    const key = { pk: collectionPk(companyId, collectionId), sk: `IMAGE#${personId}#${mediaId}` };
    const existing = await this.table.get<{ data: PersonImage }>(key.pk, key.sk);
    if (!existing) return null;
    await this.table.deleteKeys([key], [this.bumpVersion(companyId, collectionId), this.logItem(companyId, collectionId, { op: 'remove', ids: [`${personId}#${mediaId}`] })]);
    return existing.data;
  }

  async collectionTemplates(companyId: string, collectionId: string) {
    const items = await this.collectionItems(companyId, collectionId, 'IMAGE#', 'sk, template');
    return items.map((i) => {
      const [, person_id, media_id] = i.sk.split('#');
      return { person_id: person_id!, media_id: media_id!, template: templateOf(i['template'] as Uint8Array) };
    });
  }

  async linkAnalysisToPersons(companyId: string, analysisId: string, found: FoundPerson[]): Promise<void> {
    await this.table.transactInChunks(found.map((f) => this.table.put({ ...linkKey({ company_id: companyId, analysis_id: analysisId, ...f }), analysis_id: analysisId })));
  }
}
