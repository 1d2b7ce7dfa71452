// MeteringStore in memory: counters, outbox, quotas and the started count per company and month.
import type { UsageCount, UsageEvent } from '../../core/metering';
import type { MeteringStore } from '../../core/ports/metering';
import { timeKey } from '../../core/ports/common';
import { ascending, copy, type MemoryTables } from './tables';

export class MemoryMeteringStore implements MeteringStore {
  constructor(private readonly t: MemoryTables) {}

  async countUsage(event: UsageEvent): Promise<void> {
    const key = `${event.company_id}|${event.month}|${event.type}`;
    const count = this.t.usageCounts.get(key) ?? { company_id: event.company_id, month: event.month, type: event.type, finished: 0, failed: 0 };
    if (event.state === 'FINISHED') count.finished += 1;
    else count.failed += 1;
    this.t.usageCounts.set(key, count);
  }

  async usageCounts(query: { company_id: string | null; months: string[] }): Promise<UsageCount[]> {
    if (query.months.length === 0) return [];
    // One company: every month from the first to the last asked; every company: the months asked.
    const [first, last] = [query.months[0]!, query.months[query.months.length - 1]!];
    const wanted = (c: UsageCount) => (query.company_id === null ? query.months.includes(c.month) : c.company_id === query.company_id && c.month >= first && c.month <= last);
    return copy([...this.t.usageCounts.values()].filter(wanted));
  }

  async pendingUsageEvent(companyId: string, analysisId: string): Promise<UsageEvent | null> {
    return copy(this.t.outbox.get(`${companyId}|${analysisId}`) ?? null);
  }

  async clearUsageEvent(companyId: string, analysisId: string): Promise<void> {
    this.t.outbox.delete(`${companyId}|${analysisId}`);
  }

  async staleUsageEvents(before: number, limit: number): Promise<UsageEvent[]> {
    const cutoff = timeKey(before, '');
    const stale = [...this.t.outbox.values()].filter((e) => timeKey(e.time, e.analysis_id) < cutoff);
    return copy(stale.sort(ascending((e) => timeKey(e.time, e.analysis_id))).slice(0, limit));
  }

  async getUsageQuota(companyId: string): Promise<number | null> {
    return this.t.quotas.get(companyId) ?? null;
  }

  async setUsageQuota(companyId: string, monthlyAnalyses: number | null): Promise<void> {
    if (monthlyAnalyses === null) this.t.quotas.delete(companyId);
    else this.t.quotas.set(companyId, monthlyAnalyses);
  }

  async reserveAnalyses(companyId: string, month: string, count: number, limit: number | null): Promise<{ ok: boolean; started: number }> {
    const key = `${companyId}|${month}`;
    const started = this.t.started.get(key);
    // The count moves only while it stays within the quota.
    if (limit !== null && (started === undefined ? count > limit : started > limit - count)) return { ok: false, started: started ?? 0 };
    this.t.started.set(key, (started ?? 0) + count);
    return { ok: true, started: (started ?? 0) + count };
  }

  async releaseAnalyses(companyId: string, month: string, count: number): Promise<void> {
    const key = `${companyId}|${month}`;
    this.t.started.set(key, (this.t.started.get(key) ?? 0) - count);
  }

  async startedAnalyses(companyId: string, month: string): Promise<number> {
    return this.t.started.get(`${companyId}|${month}`) ?? 0;
  }
}
