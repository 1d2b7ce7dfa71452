// The Store port on one DynamoDB table. Keys are tenant-prefixed (C#<company>#F#<folder>); lookups by
// id go through pointer items written in the same transaction, so they are strongly consistent
// (a GSI would be eventually consistent and a folder created a moment ago could answer 404).
// Listings use two GSIs: "list" (per company) and "all" (global roles).
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Analysis, Collection, Company, Folder, JsonObject, Media, Person, PersonImage, Session, StoredUser, WebhookDelivery } from '../core/entities';
import { CHANGE_LOG_TTL_SECONDS, ConflictError, type FolderAggregate, type FolderListQuery, type MetaDataTarget, type Page, type Store, type TemplateChange } from '../core/store';
import { randomUUID } from 'node:crypto';

type Item = Record<string, unknown> & { pk: string; sk: string };
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const folderPk = (companyId: string, folderId: string) => `C#${companyId}#F#${folderId}`;
const collectionPk = (companyId: string, collectionId: string) => `C#${companyId}#COL#${collectionId}`;
const templateBytes = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
const templateOf = (b: Uint8Array) => new Float32Array(Uint8Array.from(b).buffer);
/** Sort keys that order by creation time: zero-padded epoch seconds with microseconds. */
const timeKey = (t: number, id: string) => `${t.toFixed(6).padStart(20, '0')}#${id}`;
const pointer = (kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS' | 'PERSON', id: string, companyId: string, folderId: string): Item => ({
  pk: `${kind}#${id}`,
  sk: 'POINTER',
  company_id: companyId,
  folder_id: folderId,
});

const isConditionFailure = (err: unknown) =>
  (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) ||
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

export class DynamoStore implements Store {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async get<T>(pk: string, sk: string): Promise<T | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return (out.Item as T | undefined) ?? null;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey }));
      items.push(...((out.Items ?? []) as Item[]));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  private async transact(items: TransactItem[]): Promise<void> {
    await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
  }

  private put(item: Item, condition?: string): TransactItem {
    return { Put: { TableName: this.table, Item: item, ...(condition ? { ConditionExpression: condition } : {}) } };
  }

  private folderExists(folder: Folder): TransactItem {
    return { ConditionCheck: { TableName: this.table, Key: { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER' }, ConditionExpression: 'attribute_exists(pk)' } };
  }

  // Companies -------------------------------------------------------------------------------------
  async putCompany(company: Company): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `COMPANY#${company.company_id}`, sk: 'COMPANY', lpk: 'COMPANY', lsk: `${company.name.toLowerCase()}#${company.company_id}`, data: company },
      }),
    );
  }

  async getCompany(companyId: string): Promise<Company | null> {
    return (await this.get<{ data: Company }>(`COMPANY#${companyId}`, 'COMPANY'))?.data ?? null;
  }

  async listCompanies(query: { search_text?: string; offset: number; limit: number }): Promise<Page<Company>> {
    const needle = query.search_text?.toLowerCase();
    const all = (await this.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': 'COMPANY' } }))
      .map((i) => i['data'] as Company)
      .filter((c) => !needle || c.name.toLowerCase().includes(needle));
    return { total: all.length, items: all.slice(query.offset, query.offset + query.limit) };
  }

  // Users -----------------------------------------------------------------------------------------
  async createUser(user: StoredUser): Promise<void> {
    const key = timeKey(user.time_created, user.user_id);
    try {
      await this.transact([
        this.put({ pk: `EMAIL#${user.email.toLowerCase()}`, sk: 'EMAIL', user_id: user.user_id }, 'attribute_not_exists(pk)'),
        this.put({ pk: `USER#${user.user_id}`, sk: 'USER', lpk: `${user.company_id}#USER`, lsk: key, gpk: 'USER', gsk: key, data: user }),
      ]);
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`email taken: ${user.email}`);
      throw err;
    }
  }

  async getUser(userId: string): Promise<StoredUser | null> {
    return (await this.get<{ data: StoredUser }>(`USER#${userId}`, 'USER'))?.data ?? null;
  }

  async getUserByEmail(email: string): Promise<StoredUser | null> {
    const entry = await this.get<{ user_id: string }>(`EMAIL#${email.trim().toLowerCase()}`, 'EMAIL');
    return entry ? this.getUser(entry.user_id) : null;
  }

  async listUsers(query: { company_id: string | null; offset: number; limit: number }): Promise<Page<StoredUser>> {
    const items =
      query.company_id === null
        ? await this.queryAll({ IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': 'USER' } })
        : await this.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `${query.company_id}#USER` } });
    const users = items.map((i) => i['data'] as StoredUser);
    return { total: users.length, items: users.slice(query.offset, query.offset + query.limit) };
  }

  // Sessions (keyed by token hashes; expired ones are removed by the table's TTL) ----------------
  async putSession(session: Session): Promise<void> {
    const ttl = Math.ceil(session.expire_date) + 24 * 3600;
    await this.transact([
      this.put({ pk: `SESSION#${session.access_hash}`, sk: 'SESSION', ttl, data: session }),
      this.put({ pk: `REFRESH#${session.expire_hash}`, sk: 'REFRESH', ttl, access_hash: session.access_hash }),
    ]);
  }

  async getSessionByAccessHash(accessHash: string): Promise<Session | null> {
    return (await this.get<{ data: Session }>(`SESSION#${accessHash}`, 'SESSION'))?.data ?? null;
  }

  async getSessionByExpireHash(expireHash: string): Promise<Session | null> {
    const entry = await this.get<{ access_hash: string }>(`REFRESH#${expireHash}`, 'REFRESH');
    return entry ? this.getSessionByAccessHash(entry.access_hash) : null;
  }

  async extendSession(session: Session, expireDate: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `SESSION#${session.access_hash}`, sk: 'SESSION' },
        UpdateExpression: 'SET #d.expire_date = :e, #ttl = :ttl',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#d': 'data', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':e': expireDate, ':ttl': Math.ceil(expireDate) + 24 * 3600 },
      }),
    ).catch((err) => {
      if (!isConditionFailure(err)) throw err; // the session was retired meanwhile: nothing to extend
    });
  }

  async deleteSession(session: Pick<Session, 'access_hash'>): Promise<void> {
    const stored = await this.getSessionByAccessHash(session.access_hash);
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: `SESSION#${session.access_hash}`, sk: 'SESSION' } }));
    if (stored) await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: `REFRESH#${stored.expire_hash}`, sk: 'REFRESH' } }));
  }

  // Folders, media, analyses ---------------------------------------------------------------------
  private mediaItems(media: Media[]): TransactItem[] {
    return media.flatMap((m) => [
      this.put({ pk: folderPk(m.company_id, m.folder_id), sk: `MEDIA#${m.media_id}`, data: m }),
      this.put(pointer('MEDIA', m.media_id, m.company_id, m.folder_id)),
    ]);
  }

  async createFolder(folder: Folder, media: Media[]): Promise<void> {
    const key = timeKey(folder.time_created, folder.folder_id);
    await this.transact([
      this.put(
        { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER', lpk: `${folder.company_id}#FOLDER`, lsk: key, gpk: 'FOLDER', gsk: key, data: folder },
        'attribute_not_exists(pk)',
      ),
      this.put(pointer('FOLDER', folder.folder_id, folder.company_id, folder.folder_id)),
      ...this.mediaItems(media),
    ]);
  }

  async addMedia(folder: Folder, media: Media[]): Promise<void> {
    await this.transact([this.folderExists(folder), ...this.mediaItems(media)]);
  }

  async getFolder(companyId: string, folderId: string): Promise<FolderAggregate | null> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': folderPk(companyId, folderId) }, ConsistentRead: true });
    const folder = items.find((i) => i.sk === 'FOLDER');
    if (!folder) return null;
    const byTime = <T extends { time_created: number }>(a: T, b: T) => a.time_created - b.time_created;
    return {
      folder: folder['data'] as Folder,
      media: items.filter((i) => i.sk.startsWith('MEDIA#')).map((i) => i['data'] as Media).sort(byTime),
      analyses: items.filter((i) => i.sk.startsWith('ANALYSIS#')).map((i) => i['data'] as Analysis).sort(byTime),
    };
  }

  async locate(kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS', id: string) {
    const entry = await this.get<{ company_id: string; folder_id: string }>(`${kind}#${id}`, 'POINTER');
    return entry ? { company_id: entry.company_id, folder_id: entry.folder_id } : null;
  }

  async listFolders(query: FolderListQuery): Promise<Page<FolderAggregate>> {
    const [index, pkName, skName, pkValue] =
      query.company_id === null ? ['all', 'gpk', 'gsk', 'FOLDER'] : ['list', 'lpk', 'lsk', `${query.company_id}#FOLDER`];
    const lower = timeKey(query.time_created_min ?? 0, '');
    const upper = timeKey(query.time_created_max ?? 9_999_999_999, '~');
    const items = await this.queryAll({
      IndexName: index,
      KeyConditionExpression: `${pkName} = :p AND ${skName} BETWEEN :lo AND :hi`,
      ExpressionAttributeValues: { ':p': pkValue, ':lo': lower, ':hi': upper },
      ScanIndexForward: false, // newest first
    });
    let folders = items.map((i) => i['data'] as Folder);
    if (query.user_id) folders = folders.filter((f) => f.user_id === query.user_id);
    const load = async (f: Folder) => (await this.getFolder(f.company_id, f.folder_id)) ?? { folder: f, media: [], analyses: [] };
    if (!query.filter) {
      const window = folders.slice(query.offset, query.offset + query.limit);
      return { total: folders.length, items: await Promise.all(window.map(load)) };
    }
    const matches: FolderAggregate[] = [];
    for (let i = 0; i < folders.length; i += 25) {
      const loaded = await Promise.all(folders.slice(i, i + 25).map(load));
      matches.push(...loaded.filter(query.filter));
    }
    return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit) };
  }

  async createAnalyses(folder: Folder, analyses: Analysis[]): Promise<void> {
    await this.transact([
      this.folderExists(folder),
      ...analyses.flatMap((a) => [
        this.put({ pk: folderPk(a.company_id, a.folder_id), sk: `ANALYSIS#${a.analysis_id}`, data: a }),
        this.put(pointer('ANALYSIS', a.analysis_id, a.company_id, a.folder_id)),
      ]),
    ]);
  }

  async finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean> {
    try {
      await this.transact([
        {
          Put: {
            TableName: this.table,
            Item: { pk: folderPk(analysis.company_id, analysis.folder_id), sk: `ANALYSIS#${analysis.analysis_id}`, data: analysis },
            ConditionExpression: '#d.#state = :processing',
            ExpressionAttributeNames: { '#d': 'data', '#state': 'state' },
            ExpressionAttributeValues: { ':processing': 'PROCESSING' },
          },
        },
        ...this.mediaItems(outputMedia),
      ]);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async startAttempt(companyId: string, folderId: string, analysisId: string, at: number): Promise<Analysis | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: folderPk(companyId, folderId), sk: `ANALYSIS#${analysisId}` },
          UpdateExpression: 'SET #d.attempts = #d.attempts + :one, #d.time_task_received = :t',
          ConditionExpression: 'attribute_exists(pk) AND #d.#state = :processing',
          ExpressionAttributeNames: { '#d': 'data', '#state': 'state' },
          ExpressionAttributeValues: { ':one': 1, ':t': at, ':processing': 'PROCESSING' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (out.Attributes?.['data'] as Analysis | undefined) ?? null;
    } catch (err) {
      if (isConditionFailure(err)) return this.get<{ data: Analysis }>(folderPk(companyId, folderId), `ANALYSIS#${analysisId}`).then((i) => i?.data ?? null);
      throw err;
    }
  }

  // Webhook deliveries (in the folder's partition) and the company's signing secret ------------
  async createWebhookDelivery(delivery: WebhookDelivery): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: folderPk(delivery.company_id, delivery.folder_id), sk: `WEBHOOK#${delivery.delivery_id}`, data: delivery },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async getWebhookDelivery(companyId: string, folderId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    return (await this.get<{ data: WebhookDelivery }>(folderPk(companyId, folderId), `WEBHOOK#${deliveryId}`))?.data ?? null;
  }

  async updateWebhookDelivery(companyId: string, folderId: string, deliveryId: string, patch: Partial<WebhookDelivery>, countAttempt: boolean): Promise<void> {
    const names: Record<string, string> = { '#d': 'data' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(patch).forEach(([key, value], i) => {
      names[`#f${i}`] = key;
      values[`:v${i}`] = value;
      sets.push(`#d.#f${i} = :v${i}`);
    });
    if (countAttempt) {
      names['#attempts'] = 'attempts';
      values[':one'] = 1;
      sets.push('#d.#attempts = #d.#attempts + :one');
    }
    if (sets.length === 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: folderPk(companyId, folderId), sk: `WEBHOOK#${deliveryId}` },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async listWebhookDeliveries(companyId: string, folderId: string): Promise<WebhookDelivery[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :w)',
      ExpressionAttributeValues: { ':p': folderPk(companyId, folderId), ':w': 'WEBHOOK#' },
      ConsistentRead: true,
    });
    return items.map((i) => i['data'] as WebhookDelivery).sort((a, b) => a.time_created - b.time_created);
  }

  async webhookSecret(companyId: string, create: () => string): Promise<string> {
    const key = { pk: `COMPANY#${companyId}`, sk: 'WEBHOOK_SECRET' };
    const existing = await this.get<{ secret: string }>(key.pk, key.sk);
    if (existing) return existing.secret;
    const secret = create();
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key, secret }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return secret;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return (await this.get<{ secret: string }>(key.pk, key.sk))!.secret; // created concurrently: use theirs
    }
  }

  async rotateWebhookSecret(companyId: string, secret: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `COMPANY#${companyId}`, sk: 'WEBHOOK_SECRET', secret } }));
  }

  // Collections: one partition per collection (persons, images with templates, analysis links) --
  async putCollection(collection: Collection): Promise<void> {
    const key = timeKey(collection.time_created, collection.collection_id);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: collectionPk(collection.company_id, collection.collection_id), sk: 'COLLECTION', lpk: `${collection.company_id}#COLLECTION`, lsk: key, gpk: 'COLLECTION', gsk: key, version: 0, data: collection },
      }),
    );
  }

  async getCollection(companyId: string, collectionId: string) {
    const item = await this.get<{ data: Collection; version: number }>(collectionPk(companyId, collectionId), 'COLLECTION');
    return item ? { ...item.data, version: item.version } : null;
  }

  async listCollections(companyId: string | null): Promise<Collection[]> {
    const items =
      companyId === null
        ? await this.queryAll({ IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': 'COLLECTION' } })
        : await this.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `${companyId}#COLLECTION` } });
    return items.map((i) => i['data'] as Collection);
  }

  private async collectionItems(companyId: string, collectionId: string, prefix: string, projection?: string) {
    return this.queryAll({
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
        TableName: this.table,
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
    return this.put({ pk: collectionPk(companyId, collectionId), sk: `LOG#${timeKey(now, randomUUID())}`, ttl: Math.ceil(now + CHANGE_LOG_TTL_SECONDS), ...payload });
  }

  async collectionChanges(companyId: string, collectionId: string, sinceKey: string): Promise<TemplateChange[]> {
    const items = await this.queryAll({
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

  private async deleteKeys(keys: { pk: string; sk: string }[], extra: TransactItem[] = []) {
    const deletes: TransactItem[] = keys.map((k) => ({ Delete: { TableName: this.table, Key: { pk: k.pk, sk: k.sk } } }));
    const all = [...extra, ...deletes];
    for (let i = 0; i < all.length; i += 100) await this.transact(all.slice(i, i + 100));
  }

  async deleteCollection(companyId: string, collectionId: string): Promise<PersonImage[]> {
    const items = await this.collectionItems(companyId, collectionId, '', 'pk, sk, #d');
    if (items.some((i) => i.sk.startsWith('LINK#'))) throw new ConflictError('collection has related analyses');
    const pointers = items.filter((i) => i.sk.startsWith('PERSON#')).map((i) => ({ pk: `PERSON#${i.sk.slice(7)}`, sk: 'POINTER' }));
    // The collection item goes last: while it exists, a half-deleted collection can be deleted again.
    await this.deleteKeys([...items.filter((i) => i.sk !== 'COLLECTION').map((i) => ({ pk: i.pk, sk: i.sk })), ...pointers]);
    await this.deleteKeys([{ pk: collectionPk(companyId, collectionId), sk: 'COLLECTION' }]);
    return items.filter((i) => i.sk.startsWith('IMAGE#')).map((i) => i['data'] as PersonImage);
  }

  async putPersonImages(person: Person, images: { image: PersonImage; template: Float32Array }[], isNew: boolean): Promise<void> {
    const pk = collectionPk(person.company_id, person.collection_id);
    await this.transact([
      isNew
        ? this.put({ pk, sk: `PERSON#${person.person_id}`, data: person }, 'attribute_not_exists(pk)')
        : { ConditionCheck: { TableName: this.table, Key: { pk, sk: `PERSON#${person.person_id}` }, ConditionExpression: 'attribute_exists(pk)' } },
      ...(isNew ? [this.put(pointer('PERSON', person.person_id, person.company_id, person.collection_id))] : []),
      this.bumpVersion(person.company_id, person.collection_id),
      ...images.map(({ image, template }) => this.put({ pk, sk: `IMAGE#${person.person_id}#${image.media_id}`, data: image, template: templateBytes(template) })),
      this.logItem(person.company_id, person.collection_id, { op: 'add', entries: images.map(({ image, template }) => ({ id: `${person.person_id}#${image.media_id}`, template })) }),
    ]);
  }

  async getPerson(companyId: string, collectionId: string, personId: string): Promise<Person | null> {
    return (await this.get<{ data: Person }>(collectionPk(companyId, collectionId), `PERSON#${personId}`))?.data ?? null;
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
    await this.deleteKeys(
      [{ pk, sk: `PERSON#${personId}` }, { pk: `PERSON#${personId}`, sk: 'POINTER' }, ...images.map((i) => ({ pk: i.pk, sk: i.sk }))],
      [this.bumpVersion(companyId, collectionId), this.logItem(companyId, collectionId, { op: 'remove', ids: images.map((i) => i.sk.slice('IMAGE#'.length)) })],
    );
    return images.map((i) => i['data'] as PersonImage);
  }

  async deletePersonImage(companyId: string, collectionId: string, personId: string, mediaId: string): Promise<PersonImage | null> {
    const key = { pk: collectionPk(companyId, collectionId), sk: `IMAGE#${personId}#${mediaId}` };
    const existing = await this.get<{ data: PersonImage }>(key.pk, key.sk);
    if (!existing) return null;
    await this.deleteKeys([key], [this.bumpVersion(companyId, collectionId), this.logItem(companyId, collectionId, { op: 'remove', ids: [`${personId}#${mediaId}`] })]);
    return existing.data;
  }

  async collectionTemplates(companyId: string, collectionId: string) {
    const items = await this.collectionItems(companyId, collectionId, 'IMAGE#', 'sk, template');
    return items.map((i) => {
      const [, person_id, media_id] = i.sk.split('#');
      return { person_id: person_id!, media_id: media_id!, template: templateOf(i['template'] as Uint8Array) };
    });
  }

  async linkAnalysisToPersons(companyId: string, collectionId: string, analysisId: string, personIds: string[]): Promise<void> {
    const pk = collectionPk(companyId, collectionId);
    for (let i = 0; i < personIds.length; i += 100) await this.transact(personIds.slice(i, i + 100).map((p) => this.put({ pk, sk: `LINK#${p}#${analysisId}`, analysis_id: analysisId })));
  }

  async deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void> {
    const links = analysis.results_media.flatMap((r) =>
      r.collection_persons.map((p) => ({ pk: collectionPk(analysis.company_id, String(p['collection_id'])), sk: `LINK#${String(p['person_id'])}#${analysis.analysis_id}` })),
    );
    await this.deleteKeys([
      { pk: folderPk(analysis.company_id, analysis.folder_id), sk: `ANALYSIS#${analysis.analysis_id}` },
      { pk: `ANALYSIS#${analysis.analysis_id}`, sk: 'POINTER' },
      ...outputMedia.flatMap((m) => [
        { pk: folderPk(m.company_id, m.folder_id), sk: `MEDIA#${m.media_id}` },
        { pk: `MEDIA#${m.media_id}`, sk: 'POINTER' },
      ]),
      ...new Map(links.map((l) => [`${l.pk}|${l.sk}`, l])).values(),
    ]);
  }

  private metaDataKey(target: MetaDataTarget): { pk: string; sk: string } {
    switch (target.kind) {
      case 'FOLDER':
        return { pk: folderPk(target.company_id, target.folder_id), sk: 'FOLDER' };
      case 'MEDIA':
      case 'ANALYSIS':
        return { pk: folderPk(target.company_id, target.folder_id), sk: `${target.kind}#${target.id}` };
      case 'COLLECTION':
        return { pk: collectionPk(target.company_id, target.collection_id), sk: 'COLLECTION' };
      case 'PERSON':
        return { pk: collectionPk(target.company_id, target.collection_id), sk: `PERSON#${target.person_id}` };
      case 'USER':
        return { pk: `USER#${target.user_id}`, sk: 'USER' };
    }
  }

  async setMetaData(target: MetaDataTarget, meta: JsonObject, at: number): Promise<boolean> {
    const key = this.metaDataKey(target);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET #d.meta_data = :m, #d.time_updated = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#d': 'data' },
          ExpressionAttributeValues: { ':m': meta, ':t': at },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
