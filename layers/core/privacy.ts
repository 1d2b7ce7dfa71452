// Clearing a folder of personal information: DELETE /api/folders/{id}/pi and the retention job
// share clearFolder(). What is cleared and what is kept (README "Personal data"):
// - every stored file of the folder (uploads, best shots, action shots) is deleted from blob
//   storage; the media records stay, without bytes (blob_key '', original_url null);
// - folder, media and analysis meta_data, folder and media technical_meta_data, the folder's
//   operator_comment, each media's original_name and md5 are cleared;
// - results keep what billing and audit need: type, state, resolution, error codes, times, params,
//   and in results_data only numbers and booleans (scores, flags) plus the gesture's tag and
//   message; arrays (templates, landmarks, boxes) and other strings go, and so do
//   collection_persons (who the face matched) with the links that held those persons;
// - the folder's PDF reports are deleted (files and records);
// - webhook delivery records lose the receiver's answer excerpt.
// Clearing is idempotent: it writes only records that still differ from their cleared form, so a
// second run writes nothing; a run cut short is finished by the next one.
import { isDeepStrictEqual } from 'node:util';
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import type { Analysis, Folder, Json, JsonObject, Media, ResultsMedia, User } from './entities';
import { ApiError, ErrorCode, notFound } from './errors';
import { loadFolder, presignerFor } from './folders';
import { recordAudit } from './audit';
import { SYSTEM_COMPANY_ID, mediaBlobKeys } from './entities';
import { analysisLinks } from './ports/collections';
import type { FolderAggregate } from './ports/folders';
import { folderView } from './views';
import { clearFolderReports } from './reports/reports';
import { deleteBlobKeys } from './deletion';

/** The strings results_data keeps (the gesture's tag and its explanation); every other string goes. */
const KEPT_RESULT_STRINGS = new Set(['tag', 'message']);

/** Numbers and booleans at any depth, and the few strings above; arrays and other strings are dropped. */
export function clearedResultsData(data: JsonObject | null): JsonObject | null {
  if (data === null) return null;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(data)) {
    const kept = clearedValue(key, value);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

function clearedValue(key: string, value: Json): Json | undefined {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'string') return KEPT_RESULT_STRINGS.has(key) ? value : undefined;
  if (Array.isArray(value)) return undefined;
  return clearedResultsData(value);
}

export function clearedFolder(folder: Folder): Folder {
  return { ...folder, is_cleared: true, meta_data: {}, technical_meta_data: {}, operator_comment: null };
}

export function clearedMedia(media: Media): Media {
  const info = { ...media.info, thumb: null };
  if (info.original) info.original = { ...info.original, md5: '' };
  if (info.video) info.video = { ...info.video, md5: '' };
  const { video_key: _video, ...rest } = media;
  return { ...rest, original_name: '', info, meta_data: {}, technical_meta_data: {}, blob_key: '' };
}

export function clearedAnalysis(analysis: Analysis): Analysis {
  const results_media: ResultsMedia[] = analysis.results_media.map((r) => ({ ...r, results_data: clearedResultsData(r.results_data), collection_persons: [] }));
  return { ...analysis, meta_data: {}, results_data: clearedResultsData(analysis.results_data), results_media };
}

/** Whether a record already is in its cleared form (time_updated aside). */
const same = <T extends { time_updated: number }>(a: T, b: T) => isDeepStrictEqual({ ...a, time_updated: 0 }, { ...b, time_updated: 0 });

export interface ClearOutcome {
  agg: FolderAggregate;
  /** True when this call cleared the folder; false when it was cleared already (or by a concurrent call). */
  clearedNow: boolean;
  blobsDeleted: number;
  recordsWritten: number;
}

/** The folder still has analyses in PROCESSING: it is cleared once they end (the worker always ends them). */
export class AnalysesProcessingError extends Error {
  constructor(readonly analysisIds: string[]) {
    super(`analyses still PROCESSING: ${analysisIds.join(', ')}`);
  }
}


/**
 * Clears one folder (no permission check: callers do that). Order matters for safety: the folder
 * is marked cleared first (new media and analyses are refused from then on, by a condition on the
 * write), then the files are deleted, and only then the records lose their blob keys, so a run
 * that fails halfway leaves the keys a later run needs.
 */
export async function clearFolder(deps: Pick<CoreDeps, 'audit' | 'folders' | 'analyses' | 'webhooks' | 'privacy' | 'reports' | 'blobs' | 'clock' | 'ids'>, companyId: string, folderId: string, actor: User | null): Promise<ClearOutcome | null> {
  const first = await deps.folders.getFolder(companyId, folderId);
  if (!first) return null;
  const processing = first.analyses.filter((a) => a.state === 'PROCESSING').map((a) => a.analysis_id);
  if (processing.length) throw new AnalysesProcessingError(processing);

  let clearedNow = false;
  let recordsWritten = 0;
  const folder = clearedFolder(first.folder);
  if (!same(folder, first.folder)) {
    const wrote = await deps.privacy.putClearedFolder({ ...folder, time_updated: deps.clock.now() }, !first.folder.is_cleared);
    clearedNow = wrote && !first.folder.is_cleared;
    if (wrote) recordsWritten++;
  }

  // Read again: media or analyses added between the first read and the mark are cleared too.
  const agg = (await deps.folders.getFolder(companyId, folderId)) ?? first;
  const late = agg.analyses.filter((a) => a.state === 'PROCESSING');
  for (const a of late) {
    // Started in the moment before the mark: it will never be allowed to write results now.
    const now = deps.clock.now();
    await deps.analyses.finishAnalysis({ ...a, state: 'FAILED', error_code: ErrorCode.INVALID_VALUE, error_message: 'The folder was cleared of personal information before this analysis ran', time_updated: now, time_task_finished: now }, []);
  }
  const current = late.length ? ((await deps.folders.getFolder(companyId, folderId)) ?? agg) : agg;

  const withBytes = current.media.filter((m) => mediaBlobKeys(m).length);
  await deleteBlobKeys(deps, withBytes.flatMap(mediaBlobKeys));

  const now = deps.clock.now();
  const media = current.media.map((m) => ({ before: m, after: clearedMedia(m) })).filter((x) => !same(x.before, x.after));
  const analyses = current.analyses.map((a) => ({ before: a, after: clearedAnalysis(a) })).filter((x) => !same(x.before, x.after));
  const links = analyses.flatMap(({ before }) => analysisLinks(before));
  if (media.length || analyses.length) {
    await deps.privacy.putClearedRecords(
      media.map((x) => ({ ...x.after, time_updated: now })),
      analyses.map((x) => ({ ...x.after, time_updated: now })),
      links,
    );
    recordsWritten += media.length + analyses.length;
  }

  // Reports print the folder's pictures and metadata: they go with its files.
  const reportsDeleted = await clearFolderReports(deps, companyId, folderId);

  // A webhook receiver's answer may echo what it was sent: it goes too.
  for (const d of await deps.webhooks.listWebhookDeliveries(companyId, folderId)) {
    if (d.response_excerpt === null) continue;
    await deps.webhooks.updateWebhookDelivery(companyId, folderId, d.delivery_id, { response_excerpt: null }, false);
    recordsWritten++;
  }

  if (clearedNow) {
    await recordAudit(deps, actor, {
      object_type: 'FOLDER',
      object_id: folderId,
      company_id: companyId,
      action: 'pi_cleared',
      changes: { is_cleared: true, files_deleted: withBytes.length, reports_deleted: reportsDeleted, by: actor ? 'request' : 'retention' },
    });
  }
  const final = (await deps.folders.getFolder(companyId, folderId)) ?? current;
  return { agg: final, clearedNow, blobsDeleted: withBytes.length, recordsWritten };
}

/**
 * DELETE /api/folders/{folder_id}/pi (and the old POST .../delete_pi): ADMIN and CLIENT ADMIN
 * (the matrix's FOLDER delete); the cleared folder is answered. Analyses still PROCESSING refuse it
 * with 409: the worker ends every analysis (FINISHED or FAILED), so the client retries after that.
 */
export async function deleteFolderPersonalInfo(deps: Pick<CoreDeps, 'audit' | 'folders' | 'analyses' | 'webhooks' | 'privacy' | 'reports' | 'blobs' | 'clock' | 'ids' | 'config'>, caller: Caller, folderId: string) {
  const agg = await loadFolder(deps, caller, folderId, 'delete');
  let outcome: ClearOutcome | null;
  try {
    outcome = await clearFolder(deps, agg.folder.company_id, folderId, caller.user);
  } catch (err) {
    if (err instanceof AnalysesProcessingError) {
      throw new ApiError(409, ErrorCode.INVALID_VALUE, 'The folder has analyses still PROCESSING: clear its personal information once they have finished', {
        processing_analyses: err.analysisIds,
      });
    }
    throw err;
  }
  if (!outcome) throw notFound('Folder'); // deleted meanwhile
  return folderView(outcome.agg, presignerFor(deps), false);
}

// Retention ---------------------------------------------------------------------------------------

export interface RetentionConfig {
  /** OZ_RETENTION_DAYS: folders older than this are cleared; 0 = no default retention. */
  days: number;
  /** OZ_RETENTION_MAX_FOLDERS: folders looked at per run at most (the rest waits for the next run). */
  maxFolders: number;
  /** Folders read per page. */
  pageSize: number;
}

export function retentionConfigFromEnv(env: Record<string, string | undefined>): RetentionConfig {
  const whole = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
    return value;
  };
  return { days: whole('OZ_RETENTION_DAYS', 0, 0), maxFolders: whole('OZ_RETENTION_MAX_FOLDERS', 1000, 1), pageSize: 25 };
}

/** A company's own retention (technical_meta_data.retention_days, 0 = keep) wins over the default. */
export function companyRetentionDays(technical: JsonObject | undefined, fallback: number): number {
  const own = technical?.['retention_days'];
  return typeof own === 'number' && Number.isFinite(own) && own >= 0 ? own : fallback;
}

export interface RetentionReport {
  companies: number;
  scanned: number;
  cleared: number;
  /** Old folders that were cleared already (by DELETE .../pi or an earlier run). */
  already_cleared: number;
  /** Folders left for a later run: analyses still PROCESSING, or an error (logged). */
  deferred: number;
  errors: number;
  /** SDK event sessions deleted: those not updated since before their company's cutoff. */
  event_sessions_deleted: number;
  /** True when the run stopped at its folder or time budget; the next run goes on from there. */
  budget_reached: boolean;
}

export interface RetentionOptions {
  /** Epoch milliseconds after which no new folder is started. */
  deadline: number;
  log: (entry: JsonObject) => void;
}

/**
 * A company's SDK event sessions last updated before the cutoff are deleted whole: they say who did
 * what and when, and nothing refers to them. Oldest first, a page at a time, until none is left or
 * the run's time is up (the next run goes on: what is left is still the oldest).
 */
async function deleteOldEventSessions(deps: Pick<CoreDeps, 'eventSessions'>, companyId: string, cutoff: number, pageSize: number, deadline: number, report: RetentionReport): Promise<void> {
  while (Date.now() < deadline) {
    const old = await deps.eventSessions.queryEventSessions({ company_id: companyId, by: 'time_updated', max: cutoff, newestFirst: false, limit: pageSize });
    for (const session of old) {
      await deps.eventSessions.deleteEventSession(companyId, session.session_id);
      report.event_sessions_deleted++;
    }
    if (old.length < pageSize) return;
  }
}

/**
 * One retention run: every company's folders created before its cutoff, oldest first, from where
 * the last run stopped (a cursor per company that only moves forward, past folders that are
 * cleared). A folder that cannot be cleared yet (analyses still PROCESSING, or an error) is skipped
 * and the run goes on with the next ones; the cursor stays before the first such folder, so the
 * next run tries it again (the sweeper ends stuck analyses, so no folder blocks for long).
 * Safe to run again or concurrently: clearing is idempotent and the cursor write is conditional.
 */
export async function runRetention(
  deps: Pick<CoreDeps, 'identity' | 'audit' | 'folders' | 'analyses' | 'webhooks' | 'privacy' | 'reports' | 'eventSessions' | 'blobs' | 'clock' | 'ids'>,
  config: RetentionConfig,
  options: RetentionOptions,
): Promise<RetentionReport> {
  const report: RetentionReport = { companies: 0, scanned: 0, cleared: 0, already_cleared: 0, deferred: 0, errors: 0, event_sessions_deleted: 0, budget_reached: false };
  const companies = (await deps.identity.listCompanies({ offset: 0, limit: Number.MAX_SAFE_INTEGER })).items;
  // ADMIN's own folders live under the system company, which has no company record.
  const targets = [{ company_id: SYSTEM_COMPANY_ID, technical_meta_data: {} as JsonObject }, ...companies];
  const outOfBudget = () => report.scanned >= config.maxFolders || Date.now() >= options.deadline;
  for (const company of targets) {
    const days = companyRetentionDays(company.technical_meta_data, config.days);
    if (!(days > 0)) continue;
    if (outOfBudget()) {
      report.budget_reached = true;
      break;
    }
    report.companies++;
    const cutoff = deps.clock.now() - days * 86400;
    const saved = await deps.privacy.getRetentionCursor(company.company_id);
    // `position`: where the next page starts; `reached`: how far every folder is cleared (saved).
    let position = saved;
    let reached = saved;
    let written = saved;
    let blocked = false;
    while (!outOfBudget()) {
      const page = await deps.privacy.listFoldersCreatedBefore(company.company_id, cutoff, position, Math.min(config.pageSize, config.maxFolders - report.scanned));
      for (const { folder, cursor: at } of page.items) {
        if (outOfBudget()) break;
        report.scanned++;
        position = at;
        try {
          const outcome = await clearFolder(deps, company.company_id, folder.folder_id, null);
          if (outcome?.clearedNow) report.cleared++;
          else report.already_cleared++;
          if (!blocked) reached = at;
        } catch (err) {
          report.deferred++;
          blocked = true;
          if (err instanceof AnalysesProcessingError) {
            options.log({ msg: 'retention: folder skipped, analyses still PROCESSING; retried next run', company_id: company.company_id, folder_id: folder.folder_id });
          } else {
            report.errors++;
            options.log({ msg: 'retention: folder failed, skipped; retried next run', company_id: company.company_id, folder_id: folder.folder_id, error: String((err as Error)?.message ?? err) });
          }
        }
      }
      if (reached && reached !== written) {
        await deps.privacy.advanceRetentionCursor(company.company_id, reached);
        written = reached;
      }
      options.log({ msg: 'retention: page done', company_id: company.company_id, ...report });
      if (!page.next || page.items.length === 0) break;
    }
    await deleteOldEventSessions(deps, company.company_id, cutoff, config.pageSize, options.deadline, report);
    if (outOfBudget()) report.budget_reached = true;
  }
  options.log({ msg: 'retention: run done', ...report });
  return report;
}
