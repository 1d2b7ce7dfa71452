import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AnalysisJob, JobQueue } from '../core/ports';

const MAX_BATCH = 10; // SendMessageBatch limit
/** The message attribute with the log correlation id of the request that queued the job. */
export const CORRELATION_ATTRIBUTE = 'correlation_id';

/**
 * JobQueue on one SQS queue: the message body is the job as JSON. On a FIFO queue (URL ending in
 * .fifo) the job's group_id is the message group and its analysis_id the deduplication id.
 */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    /** the log correlation id of the invocation in progress: each message carries it as an attribute */
    private readonly correlationId: () => string | undefined = () => undefined,
  ) {}

  private get fifo(): boolean {
    return this.queueUrl.endsWith('.fifo');
  }

  async enqueue(jobs: AnalysisJob[]): Promise<void> {
    const correlation = this.correlationId();
    for (let start = 0; start < jobs.length; start += MAX_BATCH) {
      const batch = jobs.slice(start, start + MAX_BATCH);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((job, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(job),
            ...(correlation ? { MessageAttributes: { [CORRELATION_ATTRIBUTE]: { DataType: 'String', StringValue: correlation } } } : {}),
            ...(this.fifo ? { MessageGroupId: job.group_id, MessageDeduplicationId: job.analysis_id } : {}),
          })),
        }),
      );
      const failed = out.Failed ?? [];
      if (failed.length > 0) {
        const details = failed
          .map((f) => {
            const job = batch[Number(f.Id)];
            return `${job ? job.analysis_id : `entry ${f.Id}`}: ${f.Code ?? '?'} ${f.Message ?? ''}`.trim();
          })
          .join('; ');
        const sentBefore = start + batch.length - failed.length;
        throw new Error(
          `SQS SendMessageBatch: ${failed.length} of ${batch.length} job(s) not enqueued ` +
            `(${sentBefore} of ${jobs.length} sent so far): ${details}`,
        );
      }
    }
  }

  /** Makes a received message come back after `seconds` (a retry delay), instead of the queue's visibility timeout. */
  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))) }));
  }
}
