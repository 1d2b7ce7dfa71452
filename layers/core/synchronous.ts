// The synchronous modes: the single request (POST /api/folders with "analyses" in its payload:
// stored, run at once, answered finished) and the Instant API (nothing stored anywhere).
import type { Caller } from './auth';
import { analysisRequests, buildAnalyses, createAnalyses, type AnalysisRequest } from './analyses';
import type { CoreDeps } from './deps';
import type { Analysis, JsonObject, Media } from './entities';
import { ErrorCode, badStructure, badValue, forbidden } from './errors';
import { buildMedia, inspectAll, newFolder, uploadPayload, type UploadedPart, type UploadPayloadInput } from './folders';
import { canStartAnalysis } from './permissions';
import type { MediaInspector, WebhookStarter } from './ports';
import { AnalysisFailure, DeadlineExceeded, processAnalysis, runAnalysis, type Analyzers } from './processing';
import { folderView } from './views';
import { notifyIfGroupComplete } from './webhooks';
import { meterInstant, reserveAnalyses } from './metering';

/**
 * Single request: the group is recorded, run here and now, and its webhook still fires. `release`:
 * the quota was reserved before the folder was stored (undone if the analyses cannot be created).
 * `deadline` (epoch ms): what has not finished by then is handed to the queue, whose worker ends
 * it (and fires the webhook); the answer then shows those analyses PROCESSING.
 */
export async function runGroupNow(deps: Pick<CoreDeps, 'folders' | 'analyses' | 'collections' | 'metering' | 'webhooks' | 'blobs' | 'queue' | 'clock' | 'ids' | 'config' | 'usageEvents' | 'log'>, analyzers: Analyzers, starter: WebhookStarter, caller: Caller, folderId: string, requests: AnalysisRequest[], release?: () => Promise<void>, deadline?: number) {
  const { analyses } = await createAnalyses(deps, caller, folderId, requests, { enqueue: false, reserved: release !== undefined }).catch(async (err: unknown) => {
    await release?.();
    throw err;
  });
  const jobs = analyses.map((a) => ({ company_id: a.company_id, folder_id: a.folder_id, analysis_id: a.analysis_id, group_id: a.group_id }));
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    try {
      if (deadline !== undefined && Date.now() >= deadline) throw new DeadlineExceeded(0);
      // As the last attempt: a transient error ends the analysis FAILED rather than leaving it
      // PROCESSING; the deadline hands it to the queue instead.
      await processAnalysis(deps, analyzers, job, { finalAttempt: true, ...(deadline !== undefined ? { deadline, handOffAtDeadline: true } : {}) });
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        const rest = jobs.slice(i);
        await deps.queue.enqueue(rest);
        deps.log?.info('single request: analyses handed to the queue at the deadline', { folder_id: folderId, analyses: rest.length });
        return;
      }
      deps.log?.error('single-request analysis failed', { analysis_id: job.analysis_id, error: String(err) });
    }
  }
  const first = jobs[0];
  if (first) {
    await notifyIfGroupComplete(deps, starter, first).catch((err: unknown) =>
      deps.log?.error('webhook start failed', { folder_id: folderId, error: String(err) }),
    );
  }
}

/**
 * Instant API: the media and analyses live in this request only. Nothing is written to a table,
 * a bucket or a queue, and nothing personal is logged; the ids in the answer are temporary.
 */
export async function runInstant(deps: Pick<CoreDeps, 'metering' | 'clock' | 'ids' | 'config' | 'usageEvents' | 'log'>, inspector: MediaInspector, analyzers: Analyzers, caller: Caller | null, parts: UploadedPart[], payloadIn: UploadPayloadInput) {
  const payload = uploadPayload(payloadIn, deps.config);
  const items = payloadIn.analyses;
  if (items === undefined) throw badStructure('The Instant API needs "analyses" in the payload: it answers with their results');
  const requests = analysisRequests(items);
  if (requests.some((r) => r.type === 'COLLECTION')) throw badValue('COLLECTION analyses search stored collections: they are not available in the Instant API');
  for (const r of requests) {
    if (caller && !canStartAnalysis(caller.user, r.type)) throw forbidden(`You are not allowed to start ${r.type} analyses`);
  }
  // Metered as counters only (no personal data): the quota first, each analysis once it ends.
  const release = await reserveAnalyses(deps, caller?.user.company_id ?? '', requests.length);
  const inspected = await inspectAll(inspector, parts).catch(async (err: unknown) => {
    await release();
    throw err;
  });
  const folder = newFolder(deps, caller?.user.company_id ?? '', caller?.user.user_id ?? '', payload);
  const media = buildMedia(deps, folder, inspected, payload).map((m) => ({ ...m, blob_key: '', info: { ...m.info, thumb: null } }));
  const bytes = new Map(media.map((m, i) => [m.media_id, inspected[i]!.part.bytes]));
  const analyses = buildAnalyses(deps, folder, media, requests, []);
  const output: Media[] = [];
  const imageB64 = new Map<string, string>();
  for (const a of analyses) {
    const source = media.filter((m) => a.source_media.includes(m.media_id));
    let patch: Partial<Analysis>;
    try {
      const o = await runAnalysis(deps, analyzers, a, source, async (m) => bytes.get(m.media_id)!);
      o.output.forEach((m, i) => {
        output.push({ ...m, blob_key: '' });
        imageB64.set(m.media_id, o.outputBytes[i]!.toString('base64'));
      });
      patch = { state: 'FINISHED', resolution: o.resolution, results_media: o.results_media, results_data: o.results_data };
    } catch (err) {
      if (!(err instanceof AnalysisFailure)) deps.log?.error('instant analysis failed', { error: (err as Error).name });
      patch = err instanceof AnalysisFailure ? { state: 'FAILED', error_code: err.code, error_message: err.message } : { state: 'FAILED', error_code: ErrorCode.UNKNOWN, error_message: 'The analysis failed' };
    }
    Object.assign(a, patch, { time_updated: deps.clock.now(), time_task_finished: deps.clock.now() });
    await meterInstant(deps, a);
  }
  const view = (await folderView({ folder, media: [...media, ...output], analyses }, async () => null as unknown as string, true)) as unknown as JsonObject & { analyses: JsonObject[] };
  // Output images travel in the answer itself (image_b64), as API Lite's detect does.
  for (const a of view.analyses) {
    for (const r of a['results_media'] as JsonObject[]) {
      for (const img of r['output_images'] as JsonObject[]) img['image_b64'] = imageB64.get(String(img['media_id'])) ?? '';
    }
  }
  return { ...view, company_id: caller ? folder.company_id : null, user_id: caller ? folder.user_id : null };
}
