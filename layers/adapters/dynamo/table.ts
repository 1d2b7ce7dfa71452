// The one DynamoDB table every storage adapter writes to, and the few ways they use it: reads that
// answer "not found" for keys DynamoDB would refuse, paging (all of a range, up to a count, a
// count alone, newest first over sharded partitions), transactions in chunks, and telling a failed
// condition from other errors.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown> & { pk: string; sk: string };
export type Key = { pk: string; sk: string };
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
type QueryInput = Omit<QueryCommandInput, 'TableName'>;
type UpdateInput = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>;
type PutInput = Omit<ConstructorParameters<typeof PutCommand>[0], 'TableName'>;

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

export const isConditionFailure = (err: unknown) =>
  (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) ||
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';

export const isTransactionConflict = (err: unknown) =>
  err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

/** Runs a conditional write: true when it was written, false when its condition failed. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Newest first by the "all" index's sort key. */
const byGskDescending = (a: Item, b: Item) => (String(b['gsk']) < String(a['gsk']) ? -1 : String(b['gsk']) > String(a['gsk']) ? 1 : 0);

export class DynamoTable {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly name: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** A strongly consistent read; null when absent or when the key is one DynamoDB would refuse (a 2 KB id from a client). */
  async get<T>(pk: string, sk: string): Promise<T | null> {
    if (!keyFits(pk, sk)) return null;
    const out = await this.doc.send(new GetCommand({ TableName: this.name, Key: { pk, sk }, ConsistentRead: true }));
    return (out.Item as T | undefined) ?? null;
  }

  async putItem(input: PutInput): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.name, ...input }));
  }

  async update(input: UpdateInput): Promise<Record<string, unknown> | undefined> {
    return (await this.doc.send(new UpdateCommand({ TableName: this.name, ...input }))).Attributes;
  }

  /** Deletes one item; returns the deleted item when asked to. */
  async deleteItem(key: Key, returnOld = false): Promise<Record<string, unknown> | undefined> {
    return (await this.doc.send(new DeleteCommand({ TableName: this.name, Key: key, ...(returnOld ? { ReturnValues: 'ALL_OLD' as const } : {}) }))).Attributes;
  }

  /** One page of a query as DynamoDB returns it (for cursors the caller keeps). */
  async queryPage(input: QueryInput): Promise<{ items: Item[]; last: Record<string, unknown> | undefined }> {
    if (!keyConditionFits(input)) return { items: [], last: undefined };
    const out = await this.doc.send(new QueryCommand({ TableName: this.name, ...input }));
    return { items: (out.Items ?? []) as Item[], last: out.LastEvaluatedKey };
  }

  /** Every item of a key range, read page by page. */
  async queryAll(input: QueryInput): Promise<Item[]> {
    if (!keyConditionFits(input)) return [];
    const items: Item[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.name, ...input, ExclusiveStartKey }));
      items.push(...((out.Items ?? []) as Item[]));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /**
   * Reads a key range in DynamoDB's own pages until `want` items (after any FilterExpression) are
   * read or the range ends; `more` says whether anything may follow.
   */
  async queryUpTo(input: Omit<QueryInput, 'Limit' | 'ExclusiveStartKey'>, want: number): Promise<{ items: Item[]; more: boolean }> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    if (!keyConditionFits(input)) return { items, more: false };
    if (want <= 0) return { items, more: true };
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.name, ...input, Limit: Math.min(1000, Math.max(1, want - items.length)), ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start && items.length < want);
    return { items: items.slice(0, want), more: start !== undefined || items.length > want };
  }

  /** How many items a key range holds (after any FilterExpression), counted by DynamoDB without returning them. */
  async count(input: Omit<QueryInput, 'Select' | 'ExclusiveStartKey'>): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    if (!keyConditionFits(input)) return 0;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.name, ...input, Select: 'COUNT', ExclusiveStartKey: start }));
      total += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return total;
  }

  /** The first `want` items of several partitions of the "all" index, merged newest first. */
  async allIndexNewestFirst(partitions: string[], input: Omit<QueryInput, 'IndexName' | 'KeyConditionExpression' | 'ScanIndexForward'> & { range?: [string, string] }, want: number) {
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
    const items = parts.flatMap((p) => p.items).sort(byGskDescending);
    return { items: items.slice(0, want), more: items.length > want || parts.some((p) => p.more) };
  }

  async transact(items: TransactItem[]): Promise<void> {
    await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
  }

  /** A Put of a transaction, conditional when a condition is given. */
  put(item: Item, condition?: string): TransactItem {
    return { Put: { TableName: this.name, Item: item, ...(condition ? { ConditionExpression: condition } : {}) } };
  }

  delete(key: Key): TransactItem {
    return { Delete: { TableName: this.name, Key: key } };
  }

  /** Deletes the keys (each once), after the `extra` writes, in transactions of up to 100 items. */
  async deleteKeys(keys: Key[], extra: TransactItem[] = []): Promise<void> {
    const unique = [...new Map(keys.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    const all = [...extra, ...unique.map((k) => this.delete(k))];
    for (let i = 0; i < all.length; i += 100) await this.transact(all.slice(i, i + 100));
  }

  /** Writes the items in transactions of up to 100. */
  async transactInChunks(items: TransactItem[]): Promise<void> {
    for (let i = 0; i < items.length; i += 100) await this.transact(items.slice(i, i + 100));
  }
}
