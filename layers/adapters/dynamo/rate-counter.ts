import type { DynamoTable } from './table';

/**
 * Fixed-window request counters shared by every Lambda instance: one atomic update per hit on
 * the item of (limit, subject, window), which the table's TTL removes a minute after the window.
 */
export class DynamoRateCounter {
  constructor(private readonly table: DynamoTable) {}

  /** Counts one hit in the window starting at `windowStart` (epoch seconds); returns the window's count. */
  async hit(key: string, windowStart: number, windowSeconds: number): Promise<number> {
    const updated = await this.table.update({
      Key: { pk: `THROTTLE#${key}`, sk: String(windowStart) },
      UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':ttl': windowStart + windowSeconds + 60 },
      ReturnValues: 'UPDATED_NEW',
    });
    return Number(updated?.['hits'] ?? 1);
  }
}
