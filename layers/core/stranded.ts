// No analysis left behind: the two safety nets behind the worker's own deadline (processing.ts).
// - The dead-letter consumer: a message that reached the DLQ means the analysis' last delivery
//   ended without a result (the process was killed, ran out of memory or hit its timeout before it
//   could write anything). The analysis ends FAILED with ANALYSIS_WORKER_LOST.
// - The sweeper: an analysis PROCESSING for longer than the bound (its message lost, or the DLQ
//   consumer itself failing) ends FAILED with ANALYSIS_STUCK.
// Both write through the same conditional finishAnalysis as the worker, so an analysis is final
// once, counted once, and its group's webhook is started once (notifyIfGroupComplete).
import type { CoreDeps } from './deps';
import type { Analysis } from './entities';
import { ErrorCode } from './errors';
import { publishUsage } from './metering';
import type { AnalysisJob, WebhookStarter } from './ports';
import { notifyIfGroupComplete } from './webhooks';

/**
 * OZ_STUCK_AFTER_SECONDS: how long an analysis may stay PROCESSING before the sweeper fails it.
 * The default (1 hour) is well above the longest legitimate life of a job: 3 deliveries, each at
 * most one visibility timeout (6 x the 120 s worker timeout), plus the retry delays.
 */
export const DEFAULT_STUCK_AFTER_SECONDS = 3600;
/** Analyses ended per sweep at most; the next sweep (every 5 minutes) goes on. */
export const SWEEP_LIMIT = 200;

export function stuckAfterSecondsFromEnv(env: Record<string, string | undefined>): number {
  const raw = env['OZ_STUCK_AFTER_SECONDS'];
  if (raw === undefined || raw === '') return DEFAULT_STUCK_AFTER_SECONDS;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`OZ_STUCK_AFTER_SECONDS must be a positive number of seconds, got "${raw}"`);
  return value;
}

export const jobOf = (a: Pick<Analysis, 'company_id' | 'folder_id' | 'analysis_id' | 'group_id'>): AnalysisJob => ({
  company_id: a.company_id,
  folder_id: a.folder_id,
  analysis_id: a.analysis_id,
  group_id: a.group_id,
});

/**
 * Ends the job's analysis FAILED with this code if it is still PROCESSING, then starts its group's
 * webhook if the group is complete. 'final': it had ended already (nothing changed, but a usage
 * event left in the outbox is published); 'gone': the analysis or folder no longer exists.
 */
export async function failStranded(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'metering' | 'webhooks' | 'clock' | 'usageEvents'>, starter: WebhookStarter, job: AnalysisJob, code: number, message: string): Promise<'failed' | 'final' | 'gone'> {
  const agg = await deps.folders.getFolder(job.company_id, job.folder_id);
  const analysis = agg?.analyses.find((a) => a.analysis_id === job.analysis_id);
  if (!analysis) return 'gone';
  let outcome: 'failed' | 'final' = 'final';
  if (analysis.state === 'PROCESSING') {
    const now = deps.clock.now();
    const wrote = await deps.analyses.finishAnalysis({ ...analysis, state: 'FAILED', error_code: code, error_message: message, time_updated: now, time_task_finished: now }, []);
    if (wrote) outcome = 'failed';
  }
  await publishUsage(deps, [analysis]);
  // The group may have been waiting for this analysis only (a failed notify is retried by the caller).
  await notifyIfGroupComplete(deps, starter, { ...job, group_id: analysis.group_id });
  return outcome;
}

export interface SweepReport {
  found: number;
  failed: number;
  errors: number;
}

/** One sweep: every analysis PROCESSING for longer than `stuckAfterSeconds` ends FAILED with ANALYSIS_STUCK. */
export async function sweepStuckAnalyses(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'metering' | 'webhooks' | 'clock' | 'usageEvents'>, starter: WebhookStarter, stuckAfterSeconds: number, log: (entry: Record<string, unknown>) => void = () => {}): Promise<SweepReport> {
  const stuck = await deps.analyses.listProcessingAnalyses(deps.clock.now() - stuckAfterSeconds, SWEEP_LIMIT);
  const report: SweepReport = { found: stuck.length, failed: 0, errors: 0 };
  for (const a of stuck) {
    try {
      const outcome = await failStranded(deps, starter, jobOf(a), ErrorCode.ANALYSIS_STUCK, `The analysis was still PROCESSING after ${stuckAfterSeconds} s and was stopped`);
      if (outcome === 'failed') report.failed++;
      log({ msg: 'sweeper: stuck analysis', analysis_id: a.analysis_id, company_id: a.company_id, outcome });
    } catch (err) {
      report.errors++;
      log({ msg: 'sweeper: could not end a stuck analysis, next sweep retries', analysis_id: a.analysis_id, error: String((err as Error)?.message ?? err) });
    }
  }
  return report;
}
