// The SQS consumer: one analysis per message. Failures are reported per message
// (ReportBatchItemFailures) so one bad message never redelivers the others; on the last delivery
// the queue will make, a transient error ends the analysis FAILED instead of leaving it PROCESSING.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseJob } from './job';
import { processAnalysis } from '../../layers/core/processing';
import { notifyIfGroupComplete } from '../../layers/core/webhooks';
import { analysisQueue, coreDeps, webhookStarter } from '../wiring';
import { analyzers as workerAnalyzers } from '../analyzers';

/** maxReceiveCount of the queue's redrive policy (set by the CDK app). */
const maxReceiveCount = () => Number(process.env.OZ_MAX_RECEIVE_COUNT ?? '3');
/** First retry delay; each further retry doubles it, with full jitter (half to one and a half times). */
const retryBaseSeconds = () => Number(process.env.OZ_RETRY_BASE_SECONDS ?? '10');

/**
 * OZ_WORKER_DEADLINE_MARGIN_MS: the attempt gives up this long before the function's timeout, so
 * that it can still write FAILED (last attempt) or hand the message back (earlier ones).
 */
const deadlineMarginMs = () => Number(process.env.OZ_WORKER_DEADLINE_MARGIN_MS ?? '10000');

export function retryDelaySeconds(receiveCount: number, random = Math.random()): number {
  return Math.min(900, retryBaseSeconds() * 2 ** Math.max(0, receiveCount - 1)) * (0.5 + random);
}

export async function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const deps = coreDeps();
  const analyzers = workerAnalyzers();
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const job = parseJob(record.body);
    if (!job) {
      // A poison message can never succeed: fail it at once, every time, so the redrive policy
      // parks it in the DLQ for inspection after its receives, without holding anything up.
      console.error(JSON.stringify({ msg: 'malformed analysis message', messageId: record.messageId }));
      failures.push({ itemIdentifier: record.messageId });
      await analysisQueue()
        .retryAfter(record.receiptHandle, 0)
        .catch(() => {});
      continue;
    }
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const finalAttempt = receiveCount >= maxReceiveCount();
    const started = Date.now();
    let failed = false;
    try {
      const deadline = context?.getRemainingTimeInMillis ? Date.now() + context.getRemainingTimeInMillis() - deadlineMarginMs() : undefined;
      const outcome = await processAnalysis(deps, analyzers, job, { finalAttempt, ...(deadline !== undefined ? { deadline } : {}) });
      console.log(JSON.stringify({ msg: 'analysis processed', analysis_id: job.analysis_id, outcome, ms: Date.now() - started, receiveCount }));
    } catch (err) {
      failed = true;
      console.error(JSON.stringify({ msg: finalAttempt ? 'analysis failed on its last attempt, message to the DLQ' : 'analysis attempt failed, will retry', analysis_id: job.analysis_id, receiveCount, error: String(err) }));
    }
    try {
      // Also after a skipped or failed attempt: one that finished the group but died before notifying.
      const webhook = await notifyIfGroupComplete(deps, webhookStarter(), job);
      if (webhook === 'notified') console.log(JSON.stringify({ msg: 'webhook started', analysis_id: job.analysis_id, group_id: job.group_id }));
    } catch (err) {
      failed = true;
      console.error(JSON.stringify({ msg: 'webhook start failed, will retry', analysis_id: job.analysis_id, error: String(err) }));
    }
    if (failed) {
      failures.push({ itemIdentifier: record.messageId });
      // A jittered, growing delay before the retry; after the last attempt, straight on to the DLQ.
      await analysisQueue()
        .retryAfter(record.receiptHandle, finalAttempt ? 0 : retryDelaySeconds(receiveCount))
        .catch((err: unknown) => console.error(JSON.stringify({ msg: 'could not set the retry delay', error: String(err) })));
    }
  }
  return { batchItemFailures: failures };
}
