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
import type { Analysis, AuditEntry, Collection, Company, Folder, JsonObject, Media, Person, PersonImage, Session, StoredUser, WebhookDelivery } from '../core/entities';
import { REFRESH_WINDOW_SECONDS } from '../core/auth';
import { CHANGE_LOG_TTL_SECONDS, ConflictError, analysisLinks, type FoundPerson, type AuditQuery, type FolderAggregate, type FolderFields, type FolderListQuery, type MetaDataTarget, type Page, type Store, type TemplateChange } from '../core/store';
import { randomUUID } from 'node:crypto';
import { usageEventOf, type UsageCount, type UsageEvent } from '../core/metering';

type Item = Record<string, unknown> & { pk: string; sk: string };
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export const folderPk = (companyId: string, folderId: string) => `C#${companyId}#F#${folderId}`;
const collectionPk = (companyId: string, collectionId: string) => `C#${companyId}#COL#${collectionId}`;
const templateBytes = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
const templateOf = (b: Uint8Array) => new Float32Array(Uint8Array.from(b).buffer);
/** Sort keys that order by creation time: zero-padded epoch seconds with microseconds. */
export const timeKey = (t: number, id: string) => `${t.toFixed(6).padStart(20, '0')}#${id}`;
const pointer = (kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS' | 'PERSON', id: string, companyId: string, folderId: string): Item => ({
  pk: `${kind}#${id}`,
  sk: 'POINTER',
  company_id: companyId,
  folder_id: folderId,
});

const usagePk = (companyId: string) => `USAGE#${companyId}`;
/**
 * The "all" index (ADMIN's cross-company listings) spreads folders, audit entries and PROCESSING
 * analyses over this many partitions each ("FOLDER#0".."FOLDER#7"...), by a hash of their id, so no
 * single partition takes every tenant's writes. Listings read every shard and merge.
 */
const ALL_INDEX_SHARDS = 8;
const PROCESSING_SHARDS = ALL_INDEX_SHARDS;
/** The shard partitions of a kind, plus its unsharded partition written before sharding (still read). */
const allIndexPartitions = (kind: 'FOLDER' | 'AUDIT') => [...Array.from({ length: ALL_INDEX_SHARDS }, (_, i) => `${kind}#${i}`), kind];
const allIndexPk = (kind: 'FOLDER' | 'AUDIT', id: string) => `${kind}#${shardOf(id, ALL_INDEX_SHARDS)}`;
const processingPk = (analysisId: string) => `PROCESSING#${shardOf(analysisId, PROCESSING_SHARDS)}`;
/** A stable shard of an id: FNV-1a over its characters. */
function shardOf(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % shards;
}
/** Counter items per company, month and type are split in shards so concurrent finishes rarely collide. */
const USAGE_SHARDS = 8;
const isTransactionConflict = (err: unknown) =>
  err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

const isConditionFailure = (err: unknown) =>
  (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) ||
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** DynamoDB's key limits: a partition key of at most 2048 bytes, a sort key of at most 1024. */
export const keyFits = (pk: string, sk: string) => Buffer.byteLength(pk) <= 2048 && Buffer.byteLength(sk) <= 1024;
/** A query whose key condition names a value longer than any key can be matches nothing. */
export const keyConditionFits = (input: Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'>) => {
  const names = input.KeyConditionExpression?.match(/:\w+/g) ?? [];
  return names.every((n) => {
    const v = (input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[n];
    return typeof v !== 'string' || Buffer.byteLength(v) <= 1024;
  });
};

export class DynamoStore implements Store {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async get<T>(pk: string, sk: string): Promise<T | null> {
    // Nothing is stored under a key DynamoDB would refuse (a 2 KB id from a client): not found, not a 500.
    if (!keyFits(pk, sk)) return null;
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return (out.Item as T | undefined) ?? null;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    if (!keyConditionFits(input)) return [];
    const items: Item[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey }));
      items.push(...((out.Items ?? []) as Item[]));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /**
   * Reads a key range in DynamoDB's own pages until `want` items (after any FilterExpression) are
   * read or the range ends; `more` says whether anything may follow.
   */
  private async queryUpTo(input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>, want: number): Promise<{ items: Item[]; more: boolean }> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    if (!keyConditionFits(input)) return { items, more: false };
    if (want <= 0) return { items, more: true };
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.table, ...input, Limit: Math.min(1000, Math.max(1, want - items.length)), ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start && items.length < want);
    return { items: items.slice(0, want), more: start !== undefined || items.length > want };
  }

  /** How many items a key range holds (after any FilterExpression), counted by DynamoDB without returning them. */
  private async count(input: Omit<QueryCommandInput, 'TableName' | 'Select' | 'ExclusiveStartKey'>): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    if (!keyConditionFits(input)) return 0;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.table, ...input, Select: 'COUNT', ExclusiveStartKey: start }));
      total += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return total;
  }

  /** The first `want` items of several partitions of the "all" index, merged newest first. */
  private async allIndexNewestFirst(partitions: string[], input: Omit<QueryCommandInput, 'TableName' | 'IndexName' | 'KeyConditionExpression' | 'ScanIndexForward'> & { range?: [string, string] }, want: number) {
    const { range, ...rest } = input;
    const parts = await Promise.all(
      partitions.map((p) =>
        this.queryUpTo(
          {
            ...rest,
            IndexName: 'all',
            KeyConditionExpression: range ? 'gpk = :gp AND gsk BETWEEN :glo AND :ghi' : 'gpk = :gp',
            ExpressionAttributeValues: { ...rest.ExpressionAttributeValues, ':gp': p, ...(range ? { ':glo': range[0], ':ghi': range[1] } : {}) },
            ScanIndexForward: false,
          },
          want,
        ),
      ),
    );
    const items = parts.flatMap((p) => p.items).sort((a, b) => (String(b['gsk']) < String(a['gsk']) ? -1 : String(b['gsk']) > String(a['gsk']) ? 1 : 0));
    return { items: items.slice(0, want), more: items.length > want || parts.some((p) => p.more) };
  }

  private async transact(items: TransactItem[]): Promise<void> {
    await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
  }

  private put(item: Item, condition?: string): TransactItem {
    return { Put: { TableName: this.table, Item: item, ...(condition ? { ConditionExpression: condition } : {}) } };
  }

  /** The folder exists and is not cleared of personal data (new media and analyses are refused then). */
  private folderExists(folder: Folder): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.table,
        Key: { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER' },
        ConditionExpression: 'attribute_exists(pk) AND NOT #d.is_cleared = :cleared',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':cleared': true },
      },
    };
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
  private userItem(user: StoredUser): Item {
    const key = timeKey(user.time_created, user.user_id);
    return { pk: `USER#${user.user_id}`, sk: 'USER', lpk: `${user.company_id}#USER`, lsk: key, gpk: 'USER', gsk: key, data: user };
  }

  async createUser(user: StoredUser): Promise<void> {
    try {
      await this.transact([
        this.put({ pk: `EMAIL#${user.email.toLowerCase()}`, sk: 'EMAIL', user_id: user.user_id }, 'attribute_not_exists(pk)'),
        this.put(this.userItem(user)),
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
    // Oldest first, read in DynamoDB's pages up to the end of the window; the total is counted.
    const range =
      query.company_id === null
        ? { IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': 'USER' } }
        : { IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `${query.company_id}#USER` } };
    const [page, total] = await Promise.all([this.queryUpTo(range, query.offset + query.limit), this.count(range)]);
    return { total, items: page.items.slice(query.offset).map((i) => i['data'] as StoredUser) };
  }

  async updateUser(user: StoredUser, previousEmail: string): Promise<boolean> {
    const [before, after] = [previousEmail.toLowerCase(), user.email.toLowerCase()];
    const moveEmail: TransactItem[] =
      before === after
        ? []
        : [
            this.put({ pk: `EMAIL#${after}`, sk: 'EMAIL', user_id: user.user_id }, 'attribute_not_exists(pk)'),
            { Delete: { TableName: this.table, Key: { pk: `EMAIL#${before}`, sk: 'EMAIL' } } },
          ];
    try {
      await this.transact([this.put(this.userItem(user), 'attribute_exists(pk)'), ...moveEmail]);
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      if (!(await this.getUser(user.user_id))) return false;
      throw new ConflictError(`email taken: ${user.email}`);
    }
  }

  async deleteUser(user: Pick<StoredUser, 'user_id' | 'email'>): Promise<void> {
    await this.deleteKeys([
      { pk: `USER#${user.user_id}`, sk: 'USER' },
      { pk: `EMAIL#${user.email.toLowerCase()}`, sk: 'EMAIL' },
    ]);
  }

  // Sessions (keyed by token hashes; expired ones are removed by the table's TTL). The "list" index
  // holds them per company and user ("<company>#SESSION", "<user>#<time>") for listing and ending.
  async putSession(session: Session): Promise<void> {
    const ttl = Math.ceil(session.expire_date) + REFRESH_WINDOW_SECONDS;
    const list = { lpk: `${session.company_id}#SESSION`, lsk: `${session.user_id}#${timeKey(session.time_created, session.session_id)}` };
    await this.transact([
      this.put({ pk: `SESSION#${session.access_hash}`, sk: 'SESSION', ttl, ...list, data: session }),
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

  async listSessions(query: { company_id: string; user_id?: string }): Promise<Session[]> {
    const items = await this.queryAll({
      IndexName: 'list',
      KeyConditionExpression: query.user_id ? 'lpk = :p AND begins_with(lsk, :u)' : 'lpk = :p',
      ExpressionAttributeValues: { ':p': `${query.company_id}#SESSION`, ...(query.user_id ? { ':u': `${query.user_id}#` } : {}) },
      ScanIndexForward: false,
    });
    return items.map((i) => i['data'] as Session);
  }

  // Audit log: each entry twice, in one transaction: in its company's feed ("C#<company>#AUDIT",
  // and the "all" index for ADMIN) and in its object's history ("C#<company>#AUDIT#<type>#<id>",
  // and "AUDIT#<type>#<id>" in the "all" index for ADMIN). Sort keys are times: newest first.
  async putAuditEntry(entry: AuditEntry): Promise<void> {
    const key = timeKey(entry.time_created, entry.audit_id);
    const object = `${entry.object_type}#${entry.object_id}`;
    await this.transact([
      this.put({ pk: `C#${entry.company_id}#AUDIT`, sk: key, gpk: allIndexPk('AUDIT', entry.audit_id), gsk: key, data: entry }),
      this.put({ pk: `C#${entry.company_id}#AUDIT#${object}`, sk: key, gpk: `AUDIT#${object}`, gsk: key, data: entry }),
    ]);
  }

  async listAuditEntries(query: AuditQuery): Promise<{ items: AuditEntry[]; has_more: boolean }> {
    const object = query.object_type && query.object_id ? `${query.object_type}#${query.object_id}` : null;
    const typeOnly = !object && query.object_type;
    // An object id longer than any key was never logged (a 2 KB id from a client): nothing to list.
    if (object && Buffer.byteLength(object) > 1000) return { items: [], has_more: false };
    const filter = typeOnly ? { FilterExpression: '#d.object_type = :t', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':t': query.object_type } } : {};
    const want = query.offset + query.limit;
    let page: { items: Item[]; more: boolean };
    if (query.company_id === null) {
      // Every company: one object's history is its own partition; the whole feed is sharded.
      page = await this.allIndexNewestFirst(object ? [`AUDIT#${object}`] : allIndexPartitions('AUDIT'), filter, want);
    } else {
      const pk = object ? `C#${query.company_id}#AUDIT#${object}` : `C#${query.company_id}#AUDIT`;
      page = await this.queryUpTo(
        { ...filter, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ...filter.ExpressionAttributeValues, ':k': pk }, ScanIndexForward: false },
        want,
      );
    }
    return { items: page.items.slice(query.offset).map((i) => i['data'] as AuditEntry), has_more: page.more };
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
        { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER', lpk: `${folder.company_id}#FOLDER`, lsk: key, gpk: allIndexPk('FOLDER', folder.folder_id), gsk: key, data: folder },
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
    const lower = timeKey(query.time_created_min ?? 0, '');
    const upper = timeKey(query.time_created_max ?? 9_999_999_999, '~');
    // BETWEEN with a reversed range is a DynamoDB error; such a window holds nothing.
    if (lower > upper) return { total: 0, items: [] };
    // A CLIENT's own folders: filtered by DynamoDB, so the pages hold only theirs.
    const byUser = query.user_id ? { FilterExpression: '#d.user_id = :u', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':u': query.user_id } } : {};
    const company = query.company_id;
    // Newest first, reading only as far as `want` folders (every shard of the "all" index for ADMIN/OPERATOR).
    const read = (want: number) =>
      company === null
        ? this.allIndexNewestFirst(allIndexPartitions('FOLDER'), { ...byUser, range: [lower, upper] }, want)
        : this.queryUpTo(
            {
              ...byUser,
              IndexName: 'list',
              KeyConditionExpression: 'lpk = :p AND lsk BETWEEN :lo AND :hi',
              ExpressionAttributeValues: { ...byUser.ExpressionAttributeValues, ':p': `${company}#FOLDER`, ':lo': lower, ':hi': upper },
              ScanIndexForward: false,
            },
            want,
          );
    const countAll = async () => {
      const partitions = company === null ? allIndexPartitions('FOLDER').map((p) => ({ IndexName: 'all', key: 'gpk', sort: 'gsk', p })) : [{ IndexName: 'list', key: 'lpk', sort: 'lsk', p: `${company}#FOLDER` }];
      const counts = await Promise.all(
        partitions.map(({ IndexName, key, sort, p }) =>
          this.count({
            ...byUser,
            IndexName,
            KeyConditionExpression: `${key} = :p AND ${sort} BETWEEN :lo AND :hi`,
            ExpressionAttributeValues: { ...byUser.ExpressionAttributeValues, ':p': p, ':lo': lower, ':hi': upper },
          }),
        ),
      );
      return counts.reduce((a, b) => a + b, 0);
    };
    const load = async (f: Folder) => (await this.getFolder(f.company_id, f.folder_id)) ?? { folder: f, media: [], analyses: [] };
    if (!query.filter) {
      const [page, total] = await Promise.all([read(query.offset + query.limit), countAll()]);
      const window = page.items.slice(query.offset).map((i) => i['data'] as Folder);
      return { total, items: await Promise.all(window.map(load)) };
    }
    // Filters on analyses need each folder's records: every folder in range is looked at (the total counts matches).
    const folders = (await read(Number.MAX_SAFE_INTEGER)).items.map((i) => i['data'] as Folder);
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
        // While PROCESSING, the analysis is listed in a sharded partition of the "all" index for the
        // sweeper (listProcessingAnalyses); the final write replaces the item without these keys.
        this.put({ pk: folderPk(a.company_id, a.folder_id), sk: `ANALYSIS#${a.analysis_id}`, gpk: processingPk(a.analysis_id), gsk: timeKey(a.time_created, a.analysis_id), data: a }),
        this.put(pointer('ANALYSIS', a.analysis_id, a.company_id, a.folder_id)),
      ]),
    ]);
  }

  async finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean> {
    // Metering rides on this conditional write: counted (and its event put in the outbox) exactly
    // when the analysis becomes final, never by a retry that finds it final already.
    const usage = usageEventOf(analysis);
    for (let attempt = 1; ; attempt++) {
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
          { Update: this.usageCounter(usage) },
          this.put({ pk: usagePk(usage.company_id), sk: `OUTBOX#${usage.analysis_id}`, gpk: 'USAGE_OUTBOX', gsk: timeKey(usage.time, usage.analysis_id), event: usage }),
        ]);
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        // Concurrent finishes of one company may touch the same counter shard: try again shortly.
        if (attempt < 8 && isTransactionConflict(err)) {
          await new Promise((r) => setTimeout(r, 20 * attempt * (0.5 + Math.random())));
          continue;
        }
        throw err;
      }
    }
  }

  async listProcessingAnalyses(createdBefore: number, limit: number): Promise<Analysis[]> {
    const pages = await Promise.all(
      Array.from({ length: PROCESSING_SHARDS }, (_, shard) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'all',
            KeyConditionExpression: 'gpk = :p AND gsk < :t',
            ExpressionAttributeValues: { ':p': `PROCESSING#${shard}`, ':t': timeKey(createdBefore, '') },
            Limit: limit,
          }),
        ),
      ),
    );
    return pages
      .flatMap((p) => (p.Items ?? []).map((i) => i['data'] as Analysis))
      .filter((a) => a.state === 'PROCESSING')
      .sort((a, b) => a.time_created - b.time_created)
      .slice(0, limit);
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
    // A link to a person of another collection is a stray one (written under the first collection
    // of a multi-collection search by an earlier version): it holds nothing back and goes with the rest.
    const persons = new Set(items.filter((i) => i.sk.startsWith('PERSON#')).map((i) => i.sk.slice('PERSON#'.length)));
    if (items.some((i) => i.sk.startsWith('LINK#') && persons.has(i.sk.split('#')[1]!))) throw new ConflictError('collection has related analyses');
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

  async linkAnalysisToPersons(companyId: string, analysisId: string, found: FoundPerson[]): Promise<void> {
    const puts = found.map((f) => this.put({ pk: collectionPk(companyId, f.collection_id), sk: `LINK#${f.person_id}#${analysisId}`, analysis_id: analysisId }));
    for (let i = 0; i < puts.length; i += 100) await this.transact(puts.slice(i, i + 100));
  }

  async deleteFolder(companyId: string, folderId: string): Promise<void> {
    const pk = folderPk(companyId, folderId);
    const sweep = async (withFolder: boolean) => {
      const items = await this.queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true });
      const keys: { pk: string; sk: string }[] = [];
      for (const i of items) {
        if (i.sk === 'FOLDER' && !withFolder) continue;
        keys.push({ pk: i.pk, sk: i.sk });
        if (i.sk.startsWith('MEDIA#')) keys.push({ pk: `MEDIA#${i.sk.slice(6)}`, sk: 'POINTER' });
        if (i.sk.startsWith('ANALYSIS#')) {
          const a = i['data'] as Analysis;
          keys.push({ pk: `ANALYSIS#${a.analysis_id}`, sk: 'POINTER' });
          for (const l of analysisLinks(a)) keys.push({ pk: collectionPk(l.company_id, l.collection_id), sk: `LINK#${l.person_id}#${l.analysis_id}` });
        }
      }
      if (withFolder) keys.push({ pk: `FOLDER#${folderId}`, sk: 'POINTER' });
      await this.deleteKeys([...new Map(keys.map((k) => [`${k.pk}|${k.sk}`, k])).values()]);
    };
    // Children first: while the folder record exists, a deletion cut short can be repeated.
    await sweep(false);
    await sweep(true);
    await sweep(true); // what was added between the two reads (an analysis started at that moment)
  }

  async deleteMedia(media: Media[]): Promise<void> {
    await this.deleteKeys(media.flatMap((m) => [
      { pk: folderPk(m.company_id, m.folder_id), sk: `MEDIA#${m.media_id}` },
      { pk: `MEDIA#${m.media_id}`, sk: 'POINTER' },
    ]));
  }

  async deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void> {
    const links = analysisLinks(analysis).map((l) => ({ pk: collectionPk(l.company_id, l.collection_id), sk: `LINK#${l.person_id}#${l.analysis_id}` }));
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

  // Personal-data clearing and the retention job's walk over old folders ------------------------
  async putClearedFolder(folder: Folder, onlyIfNotCleared: boolean): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER' },
          UpdateExpression: 'SET #d = :folder',
          ConditionExpression: onlyIfNotCleared ? 'attribute_exists(pk) AND NOT #d.is_cleared = :cleared' : 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#d': 'data' },
          ExpressionAttributeValues: { ':folder': folder, ...(onlyIfNotCleared ? { ':cleared': true } : {}) },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async putClearedRecords(media: Media[], analyses: Analysis[], links: { collection_id: string; person_id: string; analysis_id: string; company_id: string }[]): Promise<void> {
    // One conditional write each: a record deleted meanwhile (an analysis and its output images) stays deleted.
    const writes = [
      ...media.map((m) => ({ pk: folderPk(m.company_id, m.folder_id), sk: `MEDIA#${m.media_id}`, data: m as unknown, state: null as string | null })),
      ...analyses.map((a) => ({ pk: folderPk(a.company_id, a.folder_id), sk: `ANALYSIS#${a.analysis_id}`, data: a as unknown, state: a.state as string | null })),
    ];
    for (let i = 0; i < writes.length; i += 10) {
      await Promise.all(
        writes.slice(i, i + 10).map((w) =>
          this.doc
            .send(
              new UpdateCommand({
                TableName: this.table,
                Key: { pk: w.pk, sk: w.sk },
                UpdateExpression: 'SET #d = :data',
                ConditionExpression: w.state ? 'attribute_exists(pk) AND #d.#state = :state' : 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#d': 'data', ...(w.state ? { '#state': 'state' } : {}) },
                ExpressionAttributeValues: { ':data': w.data, ...(w.state ? { ':state': w.state } : {}) },
              }),
            )
            .catch((err) => {
              if (!isConditionFailure(err)) throw err;
            }),
        ),
      );
    }
    const keys = links.map((l) => ({ pk: collectionPk(l.company_id, l.collection_id), sk: `LINK#${l.person_id}#${l.analysis_id}` }));
    if (keys.length) await this.deleteKeys([...new Map(keys.map((k) => [`${k.pk}|${k.sk}`, k])).values()]);
  }

  async listFoldersCreatedBefore(companyId: string, before: number, cursor: string | null, limit: number) {
    const lpk = `${companyId}#FOLDER`;
    // A start key outside the key condition is an error: a cursor past the cutoff has nothing to read.
    if (cursor && cursor >= timeKey(before, '~')) return { items: [], next: null };
    // The cursor is the folder's listing sort key ("<time>#<folder_id>"): the start key is rebuilt from it.
    const start = cursor ? { lpk, lsk: cursor, pk: folderPk(companyId, cursor.slice(cursor.indexOf('#') + 1)), sk: 'FOLDER' } : undefined;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'list',
        KeyConditionExpression: 'lpk = :p AND lsk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':p': lpk, ':lo': timeKey(0, ''), ':hi': timeKey(before, '~') },
        ScanIndexForward: true, // oldest first
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    const items = (out.Items ?? []) as Item[];
    return { items: items.map((i) => ({ folder: i['data'] as Folder, cursor: String(i['lsk']) })), next: out.LastEvaluatedKey ? String(out.LastEvaluatedKey['lsk']) : null };
  }

  async getRetentionCursor(companyId: string): Promise<string | null> {
    return (await this.get<{ cursor: string }>(`COMPANY#${companyId}`, 'RETENTION_CURSOR'))?.cursor ?? null;
  }

  async advanceRetentionCursor(companyId: string, cursor: string): Promise<void> {
    await this.doc
      .send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `COMPANY#${companyId}`, sk: 'RETENTION_CURSOR', cursor },
          ConditionExpression: 'attribute_not_exists(pk) OR #c < :c',
          ExpressionAttributeNames: { '#c': 'cursor' },
          ExpressionAttributeValues: { ':c': cursor },
        }),
      )
      .catch((err) => {
        if (!isConditionFailure(err)) throw err; // another run got further: keep theirs
      });
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

  async decideAnalysis(analysis: Analysis, decision: JsonObject, folderFields: { resolution_author_id: string; resolution_time: number }): Promise<boolean> {
    const pk = folderPk(analysis.company_id, analysis.folder_id);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: { pk, sk: `ANALYSIS#${analysis.analysis_id}` },
                UpdateExpression: 'SET #d.resolution_operator = :r',
                // Only a finished OPERATOR_REQUIRED result takes a decision (a later one replaces it).
                ConditionExpression: '#d.#s = :finished AND #d.resolution = :required',
                ExpressionAttributeNames: { '#d': 'data', '#s': 'state' },
                ExpressionAttributeValues: { ':r': decision, ':finished': 'FINISHED', ':required': 'OPERATOR_REQUIRED' },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { pk, sk: 'FOLDER' },
                UpdateExpression: 'SET #d.resolution_author_id = :a, #d.resolution_time = :t, #d.time_updated = :t',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#d': 'data' },
                ExpressionAttributeValues: { ':a': folderFields.resolution_author_id, ':t': folderFields.resolution_time },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async setOperatorFields(companyId: string, folderId: string, fields: FolderFields, at: number): Promise<boolean> {
    const names: Record<string, string> = { '#d': 'data' };
    const values: Record<string, unknown> = { ':t': at };
    const sets = ['#d.time_updated = :t'];
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#d.#${name} = :${name}`);
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: folderPk(companyId, folderId), sk: 'FOLDER' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
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

  // Metering: one partition per company (counters in shards, the started count, the quota, the
  // outbox); the "list" index finds every company's counters of a month, "all" the outbox.
  private usageCounter(e: UsageEvent, shard = Math.floor(Math.random() * USAGE_SHARDS)) {
    return {
      TableName: this.table,
      Key: { pk: usagePk(e.company_id), sk: `COUNT#${e.month}#${e.type}#${shard}` },
      UpdateExpression: 'ADD #n :one SET company_id = :c, #month = :m, #type = :t, lpk = :lpk, lsk = :lsk',
      ExpressionAttributeNames: { '#n': e.state === 'FINISHED' ? 'finished' : 'failed', '#month': 'month', '#type': 'type' },
      ExpressionAttributeValues: { ':one': 1, ':c': e.company_id, ':m': e.month, ':t': e.type, ':lpk': `USAGE#${e.month}`, ':lsk': `${e.company_id}#${e.type}#${shard}` },
    };
  }

  async countUsage(event: UsageEvent): Promise<void> {
    await this.doc.send(new UpdateCommand(this.usageCounter(event)));
  }

  async usageCounts(query: { company_id: string | null; months: string[] }): Promise<UsageCount[]> {
    if (query.months.length === 0) return [];
    const items =
      query.company_id !== null
        ? await this.queryAll({
            KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
            ExpressionAttributeValues: { ':p': usagePk(query.company_id), ':lo': `COUNT#${query.months[0]}`, ':hi': `COUNT#${query.months[query.months.length - 1]}#~` },
            ConsistentRead: true,
          })
        : (await Promise.all(query.months.map((m) => this.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `USAGE#${m}` } })))).flat();
    const lines = new Map<string, UsageCount>();
    for (const i of items) {
      const line: UsageCount = { company_id: String(i['company_id']), month: String(i['month']), type: i['type'] as UsageCount['type'], finished: 0, failed: 0 };
      const key = `${line.company_id}|${line.month}|${line.type}`;
      const sum = lines.get(key) ?? line;
      sum.finished += Number(i['finished'] ?? 0);
      sum.failed += Number(i['failed'] ?? 0);
      lines.set(key, sum);
    }
    return [...lines.values()];
  }

  async pendingUsageEvent(companyId: string, analysisId: string): Promise<UsageEvent | null> {
    return (await this.get<{ event: UsageEvent }>(usagePk(companyId), `OUTBOX#${analysisId}`))?.event ?? null;
  }

  async clearUsageEvent(companyId: string, analysisId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: usagePk(companyId), sk: `OUTBOX#${analysisId}` } }));
  }

  async staleUsageEvents(before: number, limit: number): Promise<UsageEvent[]> {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.table, IndexName: 'all', KeyConditionExpression: 'gpk = :p AND gsk < :t', ExpressionAttributeValues: { ':p': 'USAGE_OUTBOX', ':t': timeKey(before, '') }, Limit: limit }),
    );
    return (out.Items ?? []).map((i) => i['event'] as UsageEvent);
  }

  async getUsageQuota(companyId: string): Promise<number | null> {
    const item = await this.get<{ monthly_analyses: number }>(usagePk(companyId), 'QUOTA');
    return item ? Number(item.monthly_analyses) : null;
  }

  async setUsageQuota(companyId: string, monthlyAnalyses: number | null): Promise<void> {
    const Key = { pk: usagePk(companyId), sk: 'QUOTA' };
    if (monthlyAnalyses === null) await this.doc.send(new DeleteCommand({ TableName: this.table, Key }));
    else await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...Key, monthly_analyses: monthlyAnalyses } }));
  }

  async reserveAnalyses(companyId: string, month: string, count: number, limit: number | null): Promise<{ ok: boolean; started: number }> {
    const Key = { pk: usagePk(companyId), sk: `STARTED#${month}` };
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'ADD started :n',
          ...(limit === null
            ? { ExpressionAttributeValues: { ':n': count } }
            : {
                // Atomic: the count moves only while it stays within the quota.
                ConditionExpression: '(attribute_not_exists(started) AND :n <= :limit) OR started <= :room',
                ExpressionAttributeValues: { ':n': count, ':limit': limit, ':room': limit - count },
              }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { ok: true, started: Number(out.Attributes?.['started'] ?? count) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { ok: false, started: await this.startedAnalyses(companyId, month) };
    }
  }

  async releaseAnalyses(companyId: string, month: string, count: number): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.table, Key: { pk: usagePk(companyId), sk: `STARTED#${month}` }, UpdateExpression: 'ADD started :n', ExpressionAttributeValues: { ':n': -count } }));
  }

  async startedAnalyses(companyId: string, month: string): Promise<number> {
    return Number((await this.get<{ started: number }>(usagePk(companyId), `STARTED#${month}`))?.started ?? 0);
  }
}
