// Usage counters, the outbox of usage events, monthly quotas and the started-analyses count
// (layers/core/metering.ts). AnalysisStore.finishAnalysis counts in the same write.
import type { UsageCount, UsageEvent } from '../metering';

export interface MeteringStore {
  /** Counts a final analysis that is not stored (Instant API): the counters only. */
  countUsage(event: UsageEvent): Promise<void>;
  /** Counter lines of the months, of one company or (null) every company. */
  usageCounts(query: { company_id: string | null; months: string[] }): Promise<UsageCount[]>;
  /** The outbox entry of an analysis, if its event is not published yet. */
  pendingUsageEvent(companyId: string, analysisId: string): Promise<UsageEvent | null>;
  clearUsageEvent(companyId: string, analysisId: string): Promise<void>;
  /** Outbox entries of analyses that became final before `before` (epoch seconds), oldest first. */
  staleUsageEvents(before: number, limit: number): Promise<UsageEvent[]>;
  getUsageQuota(companyId: string): Promise<number | null>;
  setUsageQuota(companyId: string, monthlyAnalyses: number | null): Promise<void>;
  /** Adds `count` to the month's started analyses, atomically and only within `limit` if set. */
  reserveAnalyses(companyId: string, month: string, count: number, limit: number | null): Promise<{ ok: boolean; started: number }>;
  releaseAnalyses(companyId: string, month: string, count: number): Promise<void>;
  startedAnalyses(companyId: string, month: string): Promise<number>;
}
