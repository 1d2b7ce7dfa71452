import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Fixed-window request counters shared by every Lambda instance: one atomic UpdateItem per hit on
 * the item of (limit, subject, window), which the table's TTL removes a minute after the window.
 */
export class DynamoRateCounter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** Counts one hit in the window starting at `windowStart` (epoch seconds); returns the window's count. */
  async hit(key: string, windowStart: number, windowSeconds: number): Promise<number> {
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: `THROTTLE#${key}` }, sk: { S: String(windowStart) } },
        UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':ttl': { N: String(windowStart + windowSeconds + 60) } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.['hits']?.N ?? '1');
  }
}
