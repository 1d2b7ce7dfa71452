// MeteringStore on the table: one partition per company ("USAGE#<company>") with the counter
// shards, the started count per month, the quota and the outbox (see keys.ts).
import type { UsageCount, UsageEvent } from '../../core/metering';
import type { MeteringStore } from '../../core/ports/metering';
import { timeKey, usageCounter, usagePk } from './keys';
import { isConditionFailure, type DynamoTable } from './table';

export class DynamoMeteringStore implements MeteringStore {
  constructor(private readonly table: DynamoTable) {}

  async countUsage(event: UsageEvent): Promise<void> {
    const { TableName: _table, ...update } = usageCounter(this.table, event);
    await this.table.update(update);
  }

  async usageCounts(query: { company_id: string | null; months: string[] }): Promise<UsageCount[]> {
    if (query.months.length === 0) return [];
    const items =
      query.company_id !== null
        ? await this.table.queryAll({
            KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
            ExpressionAttributeValues: { ':p': usagePk(query.company_id), ':lo': `COUNT#${query.months[0]}`, ':hi': `COUNT#${query.months[query.months.length - 1]}#~` },
            ConsistentRead: true,
          })
        : (await Promise.all(query.months.map((m) => this.table.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `USAGE#${m}` } })))).flat();
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
    return (await this.table.get<{ event: UsageEvent }>(usagePk(companyId), `OUTBOX#${analysisId}`))?.event ?? null;
  }

  async clearUsageEvent(companyId: string, analysisId: string): Promise<void> {
    await this.table.deleteItem({ pk: usagePk(companyId), sk: `OUTBOX#${analysisId}` });
  }

  async staleUsageEvents(before: number, limit: number): Promise<UsageEvent[]> {
    const page = await this.table.queryPage({ IndexName: 'all', KeyConditionExpression: 'gpk = :p AND gsk < :t', ExpressionAttributeValues: { ':p': 'USAGE_OUTBOX', ':t': timeKey(before, '') }, Limit: limit });
    return page.items.map((i) => i['event'] as UsageEvent);
  }

  async getUsageQuota(companyId: string): Promise<number | null> {
    const item = await this.table.get<{ monthly_analyses: number }>(usagePk(companyId), 'QUOTA');
    return item ? Number(item.monthly_analyses) : null;
  }

  async setUsageQuota(companyId: string, monthlyAnalyses: number | null): Promise<void> {
    const key = { pk: usagePk(companyId), sk: 'QUOTA' };
    if (monthlyAnalyses === null) await this.table.deleteItem(key);
    else await this.table.putItem({ Item: { ...key, monthly_analyses: monthlyAnalyses } });
  }

  async reserveAnalyses(companyId: string, month: string, count: number, limit: number | null): Promise<{ ok: boolean; started: number }> {
    try {
      const attributes = await this.table.update({
        Key: { pk: usagePk(companyId), sk: `STARTED#${month}` },
        UpdateExpression: 'ADD started :n',
        ...(limit === null
          ? { ExpressionAttributeValues: { ':n': count } }
          : {
              // Atomic: the count moves only while it stays within the quota.
              ConditionExpression: '(attribute_not_exists(started) AND :n <= :limit) OR started <= :room',
              ExpressionAttributeValues: { ':n': count, ':limit': limit, ':room': limit - count },
            }),
        ReturnValues: 'UPDATED_NEW',
      });
      return { ok: true, started: Number(attributes?.['started'] ?? count) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { ok: false, started: await this.startedAnalyses(companyId, month) };
    }
  }

  async releaseAnalyses(companyId: string, month: string, count: number): Promise<void> {
    await this.table.update({ Key: { pk: usagePk(companyId), sk: `STARTED#${month}` }, UpdateExpression: 'ADD started :n', ExpressionAttributeValues: { ':n': -count } });
  }

  async startedAnalyses(companyId: string, month: string): Promise<number> {
    return Number((await this.table.get<{ started: number }>(usagePk(companyId), `STARTED#${month}`))?.started ?? 0);
  }
}
