// The consumer of the analysis dead-letter queue. A message lands there after its last delivery
// failed; if the worker wrote nothing (it was killed, ran out of memory or hit the function
// timeout), the analysis is still PROCESSING: it ends FAILED with ANALYSIS_WORKER_LOST, and its
// group's webhook starts. A message that is not a job (poison) is logged and dropped.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ErrorCode } from '../../layers/core/errors';
import { failStranded } from '../../layers/core/stranded';
import { parseJob } from '../worker/job';
import { coreDeps, webhookStarter } from '../wiring';

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const job = parseJob(record.body);
    if (!job) {
      console.error(JSON.stringify({ msg: 'dead letter: not an analysis job, dropped', messageId: record.messageId, body: record.body.slice(0, 1024) }));
      continue;
    }
    try {
      const outcome = await failStranded(coreDeps(), webhookStarter(), job, ErrorCode.ANALYSIS_WORKER_LOST, 'Processing stopped: the last attempt ended without a result (the worker was killed, ran out of memory or timed out)');
      console.log(JSON.stringify({ msg: 'dead letter handled', analysis_id: job.analysis_id, outcome }));
    } catch (err) {
      // Retried after the visibility timeout; the sweeper is the net behind this one.
      console.error(JSON.stringify({ msg: 'dead letter: could not end the analysis, will retry', analysis_id: job.analysis_id, error: String(err) }));
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
