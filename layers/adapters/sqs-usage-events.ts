import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { UsageEvent, UsageEventSink } from '../core/metering';

/**
 * Usage events on an SQS queue, one message per event (the body is the event as JSON). Delivery is
 * at least once: consumers deduplicate on event_id (the analysis id). On a FIFO queue event_id is
 * also the deduplication id, and the company the message group.
 */
export class SqsUsageEvents implements UsageEventSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(events: UsageEvent[]): Promise<void> {
    const fifo = this.queueUrl.endsWith('.fifo');
    for (let start = 0; start < events.length; start += 10) {
      const batch = events.slice(start, start + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((e, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(e),
            ...(fifo ? { MessageGroupId: e.company_id, MessageDeduplicationId: e.event_id } : {}),
          })),
        }),
      );
      if ((out.Failed ?? []).length > 0) throw new Error(`SQS refused ${out.Failed!.length} usage event(s): ${out.Failed!.map((f) => `${f.Code} ${f.Message ?? ''}`).join('; ')}`);
    }
  }
}
