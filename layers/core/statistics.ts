// Statistics for the console: analyses per day by type and resolution, pass and decline rates,
// processing-time percentiles. Computed on read from the folders and analyses the store already
// keeps (no new data is recorded), within the caller's folder scope of the access matrix.
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import type { Analysis, AnalysisType } from './entities';
import { forbidden } from './errors';
import { listScope } from './permissions';
import { analysisResolutionStatus } from './statuses';

export const MAX_STAT_DAYS = 90;
export const DEFAULT_STAT_DAYS = 30;
/** Folders read at most for one answer; above it the answer says truncated. */
export const MAX_STAT_FOLDERS = 20_000;
const PAGE = 1000;

const RESOLUTIONS = ['SUCCESS', 'DECLINED', 'OPERATOR_REQUIRED', 'FAILED', 'PROCESSING'] as const;
type Counts = Record<(typeof RESOLUTIONS)[number], number>;
const zero = (): Counts => ({ SUCCESS: 0, DECLINED: 0, OPERATOR_REQUIRED: 0, FAILED: 0, PROCESSING: 0 });

/** The p-th percentile (0..100) of sorted values, nearest rank; null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const round = (x: number | null, d = 3) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
const dayOf = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

export interface StatisticsQuery {
  /** days back, today included: 1 to MAX_STAT_DAYS (the route schema checks it) */
  days: number;
  company_id?: string;
}

export async function analysisStatistics(deps: Pick<CoreDeps, 'folders' | 'clock'>, caller: Caller, query: StatisticsQuery) {
  const scope = listScope(caller.user, 'ANALYSIS');
  if (!scope) throw forbidden();
  const { days } = query;
  let companyId = scope.company_id;
  if (query.company_id !== undefined && query.company_id !== '') {
    // Global roles may narrow to one company; the others only ever see their own.
    if (scope.company_id !== null && query.company_id !== scope.company_id) throw forbidden('You may read the statistics of your own company only');
    companyId = query.company_id;
  }
  const now = deps.clock.now();
  const today = Date.UTC(new Date(now * 1000).getUTCFullYear(), new Date(now * 1000).getUTCMonth(), new Date(now * 1000).getUTCDate()) / 1000;
  const from = today - (days - 1) * 86400;

  const analyses: Analysis[] = [];
  let offset = 0;
  let truncated = false;
  for (;;) {
    const page = await deps.folders.listFolders({ company_id: companyId, user_id: scope.user_id, time_created_min: from, offset, limit: PAGE });
    for (const agg of page.items) for (const a of agg.analyses) if (a.time_created >= from) analyses.push(a);
    offset += page.items.length;
    if (page.items.length < PAGE || offset >= page.total) break;
    if (offset >= MAX_STAT_FOLDERS) {
      truncated = true;
      break;
    }
  }

  const dayList = Array.from({ length: days }, (_, i) => dayOf(from + i * 86400));
  const perDay = new Map(dayList.map((d) => [d, new Map<AnalysisType, Counts>()]));
  const totals = new Map<AnalysisType, { counts: Counts; times: number[] }>();
  for (const a of analyses) {
    const status = analysisResolutionStatus(a);
    const day = perDay.get(dayOf(a.time_created));
    if (day) {
      const c = day.get(a.type) ?? zero();
      c[status] += 1;
      day.set(a.type, c);
    }
    const t = totals.get(a.type) ?? { counts: zero(), times: [] };
    t.counts[status] += 1;
    if (a.state === 'FINISHED' && a.time_task_finished) t.times.push(Math.max(0, a.time_task_finished - a.time_created));
    totals.set(a.type, t);
  }
  const types = [...totals.keys()].sort();
  return {
    company_id: companyId,
    days,
    from: dayList[0]!,
    to: dayList[dayList.length - 1]!,
    truncated,
    series: dayList.flatMap((day) => [...(perDay.get(day) ?? new Map<AnalysisType, Counts>()).entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, counts]) => ({ day, type, ...counts }))),
    by_type: types.map((type) => {
      const { counts, times } = totals.get(type)!;
      const decided = counts.SUCCESS + counts.DECLINED;
      const total = RESOLUTIONS.reduce((s, r) => s + counts[r], 0);
      times.sort((x, y) => x - y);
      return {
        type,
        total,
        ...counts,
        pass_rate: decided ? round(counts.SUCCESS / decided, 4) : null,
        decline_rate: decided ? round(counts.DECLINED / decided, 4) : null,
        processing_seconds: { count: times.length, p50: round(percentile(times, 50)), p90: round(percentile(times, 90)), p99: round(percentile(times, 99)) },
      };
    }),
  };
}
