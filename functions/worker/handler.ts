// The SQS consumer: one analysis per message. Failures are reported per message
// (ReportBatchItemFailures) so one bad message never redelivers the others; on the last delivery
// the queue will make, a transient error ends the analysis FAILED instead of leaving it PROCESSING.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AnalysisJob } from '../../layers/core/ports';
import { processAnalysis } from '../../layers/core/processing';
import { notifyIfGroupComplete } from '../../layers/core/webhooks';
import { coreDeps, webhookStarter } from '../wiring';
import { livenessAnalyzer } from '../vision-adapters';

/** maxReceiveCount of the queue's redrive policy (set by the CDK app). */
const maxReceiveCount = () => Number(process.env.OZ_MAX_RECEIVE_COUNT ?? '3');

function parseJob(body: string): AnalysisJob | null {
  try {
    const job = JSON.parse(body) as Partial<AnalysisJob>;
    if (typeof job.company_id === 'string' && typeof job.folder_id === 'string' && typeof job.analysis_id === 'string') {
      return { company_id: job.company_id, folder_id: job.folder_id, analysis_id: job.analysis_id, group_id: String(job.group_id ?? '') };
    }
  } catch {
    // fall through
  }
  return null;
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const deps = coreDeps();
  const analyzers = { liveness: livenessAnalyzer() };
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const job = parseJob(record.body);
    if (!job) {
      // A poison message: fail it so the redrive policy parks it in the DLQ for inspection.
      console.error(JSON.stringify({ msg: 'malformed analysis message', messageId: record.messageId }));
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const started = Date.now();
    try {
      const outcome = await processAnalysis(deps, analyzers, job, { finalAttempt: receiveCount >= maxReceiveCount() });
      // Also after 'skipped': an attempt that finished the analysis but crashed before notifying.
      const webhook = await notifyIfGroupComplete(deps, webhookStarter(), job);
      console.log(JSON.stringify({ msg: 'analysis processed', analysis_id: job.analysis_id, outcome, webhook, ms: Date.now() - started, receiveCount }));
    } catch (err) {
      console.error(JSON.stringify({ msg: 'analysis attempt failed, will retry', analysis_id: job.analysis_id, receiveCount, error: String(err) }));
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
