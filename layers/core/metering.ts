// Pay-per-analysis metering: usage counters, the monthly quota and usage events for billing.
//
// Every analysis that becomes final is counted exactly once: the Store counts it inside the same
// conditional write that makes it final (finishAnalysis succeeds once per analysis), so a retried,
// redelivered or crashed job that finds the analysis final never counts again. The same write
// leaves the usage event in an outbox; it is published after the write and, if the process dies
// before that, by the next delivery of the job or by the periodic sweep (at least once, with the
// analysis id as the idempotency key).
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import type { Analysis, AnalysisType, JsonObject } from './entities';
import { ANALYSIS_TYPES } from './entities';
import { ApiError, ErrorCode, badValue, forbidden, notFound } from './errors';

/** What the billing system receives, once per final analysis (event_id = analysis_id). */
export interface UsageEvent {
  event_id: string;
  company_id: string;
  analysis_id: string;
  type: AnalysisType;
  state: 'FINISHED' | 'FAILED';
  /** Only FINISHED analyses are billed; FAILED ones are counted apart. */
  billable: boolean;
  /** UTC month the analysis became final, "YYYY-MM". */
  month: string;
  /** Epoch seconds the analysis became final. */
  time: number;
}

/** The port that carries usage events to the billing system (an SQS queue in AWS). */
export interface UsageEventSink {
  publish(events: UsageEvent[]): Promise<void>;
}

/** One counter line: a company's analyses of one type that ended in one month. */
export interface UsageCount {
  company_id: string;
  month: string;
  type: AnalysisType;
  finished: number;
  failed: number;
}

/** Instant API analyses of unauthenticated callers (OZ_AUTHORIZE_DISABLED_STATELESS) count here. */
export const ANONYMOUS_COMPANY = 'anonymous';

export const monthOf = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 7);

/** The usage event of an analysis in a final state (the Store writes it with the final state). */
export function usageEventOf(analysis: Pick<Analysis, 'analysis_id' | 'company_id' | 'type' | 'state' | 'time_task_finished' | 'time_updated'>): UsageEvent {
  if (analysis.state === 'PROCESSING') throw new Error(`analysis ${analysis.analysis_id} is not final`);
  const time = analysis.time_task_finished ?? analysis.time_updated;
  return {
    event_id: analysis.analysis_id,
    company_id: analysis.company_id || ANONYMOUS_COMPANY,
    analysis_id: analysis.analysis_id,
    type: analysis.type,
    state: analysis.state,
    billable: analysis.state === 'FINISHED',
    month: monthOf(time),
    time,
  };
}

// Prices --------------------------------------------------------------------------------------

/** Prices are kept in millionths of the currency unit (integers), so sums are exact. */
const SCALE = 1_000_000n;

export interface PriceTable {
  currency: string;
  /** Price of one FINISHED analysis per type, in millionths of the currency unit. */
  micros: Partial<Record<AnalysisType, bigint>>;
}

function priceMicros(value: unknown, where: string): bigint {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`OZ_PRICE_TABLE: ${where} must be a non-negative decimal with at most 6 decimals, got ${JSON.stringify(value)}`);
  return BigInt(m[1]!) * SCALE + BigInt((m[2] ?? '').padEnd(6, '0'));
}

/** OZ_PRICE_TABLE: {"currency":"USD","QUALITY":0.01,"BIOMETRY":0.02}; unset or empty = no amounts. */
export function parsePriceTable(raw: string | undefined): PriceTable | null {
  if (raw === undefined || raw.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('OZ_PRICE_TABLE must be a JSON object like {"currency":"USD","QUALITY":0.01}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('OZ_PRICE_TABLE must be a JSON object');
  const table: PriceTable = { currency: 'USD', micros: {} };
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'currency') {
      if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) throw new Error('OZ_PRICE_TABLE: currency must be a three-letter code like "USD"');
      table.currency = value;
      continue;
    }
    const type = key.toUpperCase() as AnalysisType;
    if (!ANALYSIS_TYPES.includes(type)) throw new Error(`OZ_PRICE_TABLE: "${key}" is not an analysis type (${ANALYSIS_TYPES.join(', ')})`);
    table.micros[type] = priceMicros(value, key);
  }
  return table;
}

/** Millionths as a decimal string with at least two decimals: 12340000n -> "12.34". */
export function formatMicros(micros: bigint): string {
  const whole = micros / SCALE;
  const frac = (micros % SCALE).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${whole}.${frac}`;
}

// Reading usage -------------------------------------------------------------------------------

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MAX_MONTHS = 24;

/** The months from..to inclusive ("YYYY-MM"), at most 24. */
export function monthRange(from: string, to: string): string[] {
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!MONTH.test(value)) throw badValue(`${name} must be a month like 2025-01, got "${value}"`);
  }
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const [a, b] = [index(from), index(to)];
  if (b < a) throw badValue('"to" must not be before "from"');
  if (b - a + 1 > MAX_MONTHS) throw badValue(`At most ${MAX_MONTHS} months in one request`);
  return Array.from({ length: b - a + 1 }, (_, i) => `${Math.floor((a + i) / 12)}-${String(((a + i) % 12) + 1).padStart(2, '0')}`);
}

export interface UsageQuery {
  month?: string;
  from?: string;
  to?: string;
  company_id?: string;
}

/** GET /api/usage: CLIENT ADMIN sees their company, ADMIN every company (or one); others 403. */
export async function getUsage(deps: Pick<CoreDeps, 'metering' | 'clock' | 'config'>, caller: Caller, query: UsageQuery) {
  const user = caller.user;
  if (user.user_type !== 'ADMIN' && user.user_type !== 'CLIENT_ADMIN') throw forbidden('Only ADMIN and CLIENT ADMIN can read usage');
  if (query.month !== undefined && (query.from !== undefined || query.to !== undefined)) throw badValue('Use either month or from/to, not both');
  const current = monthOf(deps.clock.now());
  const months = query.month !== undefined ? monthRange(query.month, query.month) : monthRange(query.from ?? query.to ?? current, query.to ?? query.from ?? current);
  let companyId: string | null = query.company_id?.trim() || null;
  if (user.user_type === 'CLIENT_ADMIN') {
    // Another company's usage is "not found", as every foreign object is.
    if (companyId !== null && companyId !== user.company_id) throw notFound('Company');
    companyId = user.company_id;
  }
  const counts = await deps.metering.usageCounts({ company_id: companyId, months });
  const prices = deps.config.priceTable;
  let total = 0n;
  const totals = { finished: 0, failed: 0 };
  const items = counts
    .sort((x, y) => x.month.localeCompare(y.month) || x.company_id.localeCompare(y.company_id) || x.type.localeCompare(y.type))
    .map((c) => {
      totals.finished += c.finished;
      totals.failed += c.failed;
      const line: JsonObject = { company_id: c.company_id, month: c.month, type: c.type, finished: c.finished, failed: c.failed, billable: c.finished };
      if (prices) {
        const unit = prices.micros[c.type] ?? 0n;
        const amount = unit * BigInt(c.finished);
        total += amount;
        Object.assign(line, { unit_price: formatMicros(unit), amount: formatMicros(amount) });
      }
      return line;
    });
  return {
    company_id: companyId,
    months,
    currency: prices?.currency ?? null,
    items,
    totals: { ...totals, billable: totals.finished, amount: prices ? formatMicros(total) : null },
  };
}

// The monthly quota -------------------------------------------------------------------------

export const quotaExceeded = (details: JsonObject) =>
  new ApiError(
    402,
    ErrorCode.QUOTA_EXCEEDED,
    `The monthly analysis quota of this company is spent (${details['started']} of ${details['monthly_analyses']} started in ${details['month']}): ${details['requested']} more cannot start`,
    details,
  );

/**
 * Counts `count` analyses about to start against the company's month, atomically: with a quota,
 * the count only moves if it stays within it, so concurrent requests cannot overshoot. Throws the
 * documented 402 when it would not; nothing is stored then. Returns the undo for a failed start.
 */
export async function reserveAnalyses(deps: Pick<CoreDeps, 'metering' | 'clock' | 'log'>, companyId: string, count: number): Promise<() => Promise<void>> {
  if (count <= 0) return async () => {};
  const company = companyId || ANONYMOUS_COMPANY;
  const month = monthOf(deps.clock.now());
  const limit = company === ANONYMOUS_COMPANY ? null : await deps.metering.getUsageQuota(company);
  const result = await deps.metering.reserveAnalyses(company, month, count, limit);
  if (!result.ok) throw quotaExceeded({ company_id: company, month, monthly_analyses: limit, started: result.started, requested: count });
  return async () => {
    await deps.metering.releaseAnalyses(company, month, count).catch((err: unknown) => deps.log?.error('quota release failed', { error: String(err) }));
  };
}

async function quotaView(deps: Pick<CoreDeps, 'metering' | 'clock'>, companyId: string) {
  const month = monthOf(deps.clock.now());
  const [limit, started] = await Promise.all([deps.metering.getUsageQuota(companyId), deps.metering.startedAnalyses(companyId, month)]);
  return { company_id: companyId, monthly_analyses: limit, month, started, remaining: limit === null ? null : Math.max(0, limit - started) };
}

async function quotaCompany(deps: Pick<CoreDeps, 'identity'>, caller: Caller, companyId: string, write: boolean) {
  const user = caller.user;
  if (user.user_type !== 'ADMIN' && user.company_id !== companyId) throw notFound('Company');
  if (!(await deps.identity.getCompany(companyId))) throw notFound('Company');
  if (write ? user.user_type !== 'ADMIN' : user.user_type !== 'ADMIN' && user.user_type !== 'CLIENT_ADMIN') {
    throw forbidden(write ? 'Only ADMIN can set a usage quota' : 'Only ADMIN and CLIENT ADMIN can read the usage quota');
  }
}

export async function getUsageQuota(deps: Pick<CoreDeps, 'identity' | 'metering' | 'clock'>, caller: Caller, companyId: string) {
  await quotaCompany(deps, caller, companyId, false);
  return quotaView(deps, companyId);
}

export async function setUsageQuota(deps: Pick<CoreDeps, 'identity' | 'metering' | 'clock'>, caller: Caller, companyId: string, limit: number | null) {
  await quotaCompany(deps, caller, companyId, true);
  await deps.metering.setUsageQuota(companyId, limit);
  return quotaView(deps, companyId);
}

// Publishing usage events -------------------------------------------------------------------

/** Publishes the outbox entry of an analysis that has just become final, then clears it. */
export async function publishUsage(deps: Pick<CoreDeps, 'metering' | 'usageEvents' | 'log'>, analyses: Pick<Analysis, 'analysis_id' | 'company_id'>[]): Promise<void> {
  const sink = deps.usageEvents;
  if (!sink || analyses.length === 0) return;
  try {
    const events = (await Promise.all(analyses.map((a) => deps.metering.pendingUsageEvent(a.company_id, a.analysis_id)))).filter((e): e is UsageEvent => e !== null);
    if (events.length === 0) return;
    await sink.publish(events);
    await Promise.all(events.map((e) => deps.metering.clearUsageEvent(e.company_id, e.analysis_id)));
  } catch (err) {
    // The outbox keeps the event: the next delivery of the job or the sweep publishes it.
    deps.log?.error('usage event publish failed, left in the outbox', { error: String(err) });
  }
}

/** Counts an Instant API analysis (nothing else is stored) and publishes its event, best effort. */
export async function meterInstant(deps: Pick<CoreDeps, 'metering' | 'usageEvents' | 'log'>, analysis: Analysis): Promise<void> {
  const event = usageEventOf(analysis);
  await deps.metering.countUsage(event);
  await deps.usageEvents?.publish([event]).catch((err: unknown) => deps.log?.error('instant usage event publish failed', { error: String(err) }));
}

const SWEEP_EVERY_MS = 60_000;
const SWEEP_AGE_SECONDS = 120;
let lastSweep = 0;

/**
 * Publishes outbox entries older than two minutes: those of processes that died between the final
 * write and the publish, when no redelivery came. At most once a minute per process.
 */
export async function sweepUsageOutbox(deps: Pick<CoreDeps, 'metering' | 'clock' | 'usageEvents' | 'log'>): Promise<number> {
  if (!deps.usageEvents || Date.now() - lastSweep < SWEEP_EVERY_MS) return 0;
  lastSweep = Date.now();
  try {
    const stale = await deps.metering.staleUsageEvents(deps.clock.now() - SWEEP_AGE_SECONDS, 100);
    if (stale.length === 0) return 0;
    await deps.usageEvents.publish(stale);
    await Promise.all(stale.map((e) => deps.metering.clearUsageEvent(e.company_id, e.analysis_id)));
    return stale.length;
  } catch (err) {
    deps.log?.error('usage outbox sweep failed', { error: String(err) });
    return 0;
  }
}
