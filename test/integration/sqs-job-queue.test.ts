import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { startSqs } from '../../infra/local/emulators/sqs';
import { CORRELATION_ATTRIBUTE, SqsJobQueue } from '../../layers/adapters/sqs-job-queue';
import type { AnalysisJob } from '../../layers/core/ports';
import { sqsClient, timed } from './helpers';

describe('SqsJobQueue against fauxqs', () => {
  let emulator: EmulatorHandle;
  let sqs: SQSClient;

  before(async () => {
    emulator = await timed('fauxqs', () => startSqs());
    sqs = sqsClient(emulator.endpoint);
  });
  after(async () => {
    sqs?.destroy();
    await emulator?.stop();
  });

  const jobs = (n: number): AnalysisJob[] =>
    Array.from({ length: n }, (_, i) => ({
      company_id: 'c1',
      folder_id: `f${i % 3}`,
      analysis_id: `a${String(i).padStart(2, '0')}`,
      group_id: 'g1',
    }));

  test('enqueue 25 jobs (3 batches), then receive them all', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs-25' }));
    assert.ok(QueueUrl);
    const batchSizes: number[] = [];
    const counting = {
      send: (command: SendMessageBatchCommand) => {
        batchSizes.push(command.input.Entries?.length ?? 0);
        return sqs.send(command);
      },
    } as unknown as SQSClient;
    const queue = new SqsJobQueue(counting, QueueUrl);
    const sent = jobs(25);
    await queue.enqueue(sent);
    assert.deepEqual(batchSizes, [10, 10, 5]);

    const received: AnalysisJob[] = [];
    for (let round = 0; round < 20 && received.length < 25; round++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const msgs = out.Messages ?? [];
      for (const m of msgs) received.push(JSON.parse(m.Body ?? 'null') as AnalysisJob);
      if (msgs.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
    const byId = (a: AnalysisJob, b: AnalysisJob) => a.analysis_id.localeCompare(b.analysis_id);
    assert.deepEqual(received.sort(byId), sent.sort(byId));
  });

  test('enqueue of nothing sends nothing', async () => {
    const queue = new SqsJobQueue(sqs, 'http://127.0.0.1:1/000000000000/unused');
    await queue.enqueue([]);
  });

  test('a FIFO queue gets the group and deduplication ids', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    assert.ok(QueueUrl);
    await new SqsJobQueue(sqs, QueueUrl).enqueue(jobs(3));
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    const first = out.Messages?.[0];
    assert.equal(first?.Attributes?.MessageGroupId, 'g1');
    assert.equal(first?.Attributes?.MessageDeduplicationId, 'a00');
  });

  test('each message carries the correlation id of the invocation that queued it, as the correlation_id attribute', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs-correlated' }));
    await new SqsJobQueue(sqs, QueueUrl!, () => 'req-42').enqueue(jobs(2));
    await new SqsJobQueue(sqs, QueueUrl!).enqueue(jobs(1));
    const received: { id?: string; job: AnalysisJob }[] = [];
    for (let round = 0; round < 10 && received.length < 3; round++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      for (const m of out.Messages ?? []) received.push({ id: m.MessageAttributes?.[CORRELATION_ATTRIBUTE]?.StringValue, job: JSON.parse(m.Body ?? 'null') as AnalysisJob });
    }
    assert.equal(received.length, 3);
    assert.deepEqual(received.map((r) => r.id ?? null).sort(), ['req-42', 'req-42', null].sort());
  });

  test('a failed entry fails loudly', async () => {
    // fauxqs accepts every well-formed entry: force one failed entry with a fake client answer.
    const fake = {
      send: async () => ({ Successful: [{ Id: '0' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] }),
    } as unknown as SQSClient;
    await assert.rejects(new SqsJobQueue(fake, 'http://unused/000000000000/q').enqueue(jobs(2)), /1 of 2 job\(s\) not enqueued.*a01: InternalError/);
  });

  test('an unreachable queue fails loudly', async () => {
    await assert.rejects(new SqsJobQueue(sqs, emulator.endpoint + '/000000000000/no-such-queue').enqueue(jobs(1)));
  });
});
