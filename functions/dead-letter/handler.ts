// The consumer of the analysis dead-letter queue. A message lands there after its last delivery
// failed; if the worker wrote nothing (it was killed, ran out of memory or hit the function
// timeout), the analysis is still PROCESSING: it ends FAILED with ANALYSIS_WORKER_LOST, and its
// group's webhook starts. A message that is not a job (poison) is logged and dropped.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ErrorCode } from '../../layers/core/errors';
import { failStranded } from '../../layers/core/stranded';
import { CORRELATION_ATTRIBUTE } from '../../layers/adapters/sqs-job-queue';
import { parseJob } from '../worker/job';
import { coreDeps, webhookStarter } from '../wiring';
import { lambdaEntry } from '../lambda';
import { appendLogKeys, countError, errorInfo, logger, observability, removeLogKeys, setCorrelationId } from '../observability';

async function handleDeadLetters(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    setCorrelationId(record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue ?? record.messageId);
    const job = parseJob(record.body);
    if (!job) {
      // The body is not logged: a stray message may hold anything.
      logger.error('dead letter: not an analysis job, dropped', { messageId: record.messageId, bytes: record.body.length });
      continue;
    }
    appendLogKeys({ analysis_id: job.analysis_id, folder_id: job.folder_id, group_id: job.group_id, company_id: job.company_id });
    try {
      const outcome = await failStranded(coreDeps(), webhookStarter(), job, ErrorCode.ANALYSIS_WORKER_LOST, 'Processing stopped: the last attempt ended without a result (the worker was killed, ran out of memory or timed out)');
      logger.info('dead letter handled', { outcome });
    } catch (err) {
      // Retried after the visibility timeout; the sweeper is the net behind this one.
      countError('dead letter');
      logger.error('dead letter: could not end the analysis, will retry', errorInfo(err));
      failures.push({ itemIdentifier: record.messageId });
    }
    removeLogKeys(['analysis_id', 'folder_id', 'group_id', 'company_id']);
  }
  return { batchItemFailures: failures };
}

export const handler = lambdaEntry<SQSEvent, SQSBatchResponse>((middy) => middy(handleDeadLetters).use(observability()));
