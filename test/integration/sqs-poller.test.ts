import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { startSqs } from '../../infra/local/emulators/sqs';
import { startSqsPoller, type SqsPoller } from '../../infra/local/sqs-poller';
import { eventually, sleep, sqsClient, timed } from './helpers';

describe('startSqsPoller against fauxqs', () => {
  let emulator: EmulatorHandle;
  let sqs: SQSClient;
  const pollers: SqsPoller[] = [];

  before(async () => {
    emulator = await timed('fauxqs', () => startSqs());
    sqs = sqsClient(emulator.endpoint);
  });
  after(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    sqs?.destroy();
    await emulator?.stop();
  });

  async function queue(name: string, attributes: Record<string, string> = {}) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    assert.ok(QueueUrl);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const arn = Attributes?.QueueArn;
    assert.ok(arn);
    return { url: QueueUrl, arn };
  }

  async function sendAll(url: string, bodies: string[]) {
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })) }),
    );
  }

  async function counts(url: string) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    };
  }

  test('an item failed via batchItemFailures is redelivered, the others are not', async () => {
    const q = await queue('poller-partial', { VisibilityTimeout: '1' });
    await sendAll(q.url, ['ok-1', 'bad', 'ok-2']);
    const seen = new Map<string, SQSRecord[]>();
    const events: SQSEvent[] = [];
    const logs: string[] = [];
    pollers.push(
      startSqsPoller({
        sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 10,
        concurrency: 2,
        reportBatchItemFailures: true,
        log: (m) => logs.push(m),
        handler: async (event, context) => {
          assert.equal(typeof context.getRemainingTimeInMillis(), 'number');
          assert.ok(context.awsRequestId);
          events.push(event);
          const failures: { itemIdentifier: string }[] = [];
          for (const r of event.Records) {
            seen.set(r.body, [...(seen.get(r.body) ?? []), r]);
            if (r.body === 'bad' && r.attributes.ApproximateReceiveCount === '1') {
              failures.push({ itemIdentifier: r.messageId });
            }
          }
          return { batchItemFailures: failures };
        },
      }),
    );

    await eventually('the failed item to be redelivered', () => (seen.get('bad')?.length ?? 0) >= 2);
    await sleep(1_500); // longer than the visibility timeout: anything not deleted would come back
    assert.equal(seen.get('ok-1')?.length, 1);
    assert.equal(seen.get('ok-2')?.length, 1);
    assert.equal(seen.get('bad')?.length, 2);
    assert.deepEqual(await counts(q.url), { visible: 0, inFlight: 0 });
    assert.ok(logs.some((l) => /1 of \d message\(s\) reported failed/.test(l)), logs.join('\n'));

    // The event has the shape Lambda gives.
    const first = seen.get('bad')![0]!;
    const second = seen.get('bad')![1]!;
    assert.equal(first.eventSource, 'aws:sqs');
    assert.equal(first.eventSourceARN, q.arn);
    assert.equal(first.awsRegion, 'us-east-1');
    assert.equal(first.md5OfBody, createHash('md5').update('bad').digest('hex'));
    assert.equal(first.messageId, second.messageId);
    assert.notEqual(first.receiptHandle, second.receiptHandle);
    assert.equal(second.attributes.ApproximateReceiveCount, '2');
    assert.match(first.attributes.SentTimestamp, /^\d{13}$/);
    assert.match(first.attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
    assert.ok(first.attributes.SenderId);
    assert.deepEqual(first.messageAttributes, {});
    assert.ok(events.length >= 2);
  });

  test('a handler that always throws sends the message to the DLQ after maxReceiveCount', async () => {
    const dlq = await queue('poller-dlq');
    const q = await queue('poller-main', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"analysis_id":"doomed"}' }));
    const receiveCounts: string[] = [];
    const logs: string[] = [];
    pollers.push(
      startSqsPoller({
        sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 1,
        concurrency: 1,
        reportBatchItemFailures: true,
        log: (m) => logs.push(m),
        handler: async (event) => {
          receiveCounts.push(event.Records[0]!.attributes.ApproximateReceiveCount);
          throw new Error('model exploded');
        },
      }),
    );

    const dead = await eventually(
      'the message in the DLQ',
      async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1, AttributeNames: ['All'] }),
        );
        return out.Messages?.[0];
      },
      20_000,
    );
    assert.equal(dead.Body, '{"analysis_id":"doomed"}');
    assert.deepEqual(receiveCounts, ['1', '2']);
    assert.equal(logs.filter((l) => l.includes('model exploded')).length, 2);
    assert.deepEqual(await counts(q.url), { visible: 0, inFlight: 0 });
  });

  test('with reportBatchItemFailures off, a returned batchItemFailures is ignored', async () => {
    const q = await queue('poller-no-report', { VisibilityTimeout: '1' });
    await sendAll(q.url, ['a', 'b']);
    const seen: string[] = [];
    pollers.push(
      startSqsPoller({
        sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 10,
        concurrency: 1,
        reportBatchItemFailures: false,
        log: () => undefined,
        handler: async (event) => {
          seen.push(...event.Records.map((r) => r.body));
          return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
        },
      }),
    );
    await eventually('both messages handled', () => seen.length >= 2);
    await sleep(1_500);
    assert.deepEqual(seen.sort(), ['a', 'b']);
    assert.deepEqual(await counts(q.url), { visible: 0, inFlight: 0 });
  });

  test('an itemIdentifier that is not in the batch fails the whole batch (as Lambda does)', async () => {
    const q = await queue('poller-bad-id', { VisibilityTimeout: '1' });
    await sendAll(q.url, ['x', 'y']);
    const seen: string[] = [];
    const logs: string[] = [];
    pollers.push(
      startSqsPoller({
        sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 10,
        concurrency: 1,
        reportBatchItemFailures: true,
        log: (m) => logs.push(m),
        handler: async (event) => {
          seen.push(...event.Records.map((r) => r.body));
          const firstTime = event.Records.every((r) => r.attributes.ApproximateReceiveCount === '1');
          return { batchItemFailures: firstTime ? [{ itemIdentifier: 'not-a-message-id' }] : [] };
        },
      }),
    );
    await eventually('both messages delivered twice', () => seen.length >= 4);
    assert.deepEqual(seen.sort(), ['x', 'x', 'y', 'y']);
    assert.ok(logs.some((l) => l.includes('invalid itemIdentifier')));
  });

  test('at most `concurrency` batches are in flight, and stop() waits for them', async () => {
    const q = await queue('poller-concurrency', { VisibilityTimeout: '30' });
    await sendAll(q.url, ['1', '2', '3', '4', '5', '6']);
    let inFlight = 0;
    let maxInFlight = 0;
    const done: string[] = [];
    let started = 0;
    const poller = startSqsPoller({
      sqs,
      queueUrl: q.url,
      queueArn: q.arn,
      batchSize: 1,
      concurrency: 3,
      reportBatchItemFailures: false,
      log: () => undefined,
      handler: async (event) => {
        started++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(300);
        inFlight--;
        done.push(event.Records[0]!.body);
      },
    });
    await eventually('three batches started', () => started >= 3);
    await poller.stop();
    // Everything that was started finished, and was deleted before stop() resolved.
    assert.equal(inFlight, 0);
    assert.equal(done.length, started);
    assert.equal(maxInFlight, 3);
    const after = await counts(q.url);
    assert.equal(after.inFlight, 0);
    assert.equal(after.visible, 6 - done.length);
  });

  test('a batching window gathers more than one ReceiveMessage into one invocation', async () => {
    const q = await queue('poller-window', { VisibilityTimeout: '10' });
    const sizes: number[] = [];
    pollers.push(
      startSqsPoller({
        sqs,
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 15,
        maxBatchingWindowSeconds: 2,
        concurrency: 1,
        reportBatchItemFailures: false,
        log: () => undefined,
        handler: async (event) => {
          sizes.push(event.Records.length);
        },
      }),
    );
    await sendAll(q.url, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    await sleep(300);
    await sendAll(q.url, ['11', '12', '13', '14', '15']);
    await eventually('all 15 handled', () => sizes.reduce((a, b) => a + b, 0) >= 15, 10_000);
    assert.deepEqual(sizes, [15]);
  });

  test('SQS errors are logged and retried with back-off, never thrown; stop() still returns', async () => {
    const logs: string[] = [];
    let calls = 0;
    const poller = startSqsPoller({
      sqs,
      queueUrl: `${emulator.endpoint}/000000000000/does-not-exist`,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:does-not-exist',
      batchSize: 10,
      concurrency: 2,
      reportBatchItemFailures: true,
      log: (m) => logs.push(m),
      handler: async () => {
        calls++;
      },
    });
    await eventually('a logged receive error', () => logs.length >= 2);
    await sleep(600);
    const t0 = Date.now();
    await poller.stop();
    assert.ok(Date.now() - t0 < 1_000, 'stop() interrupts the back-off');
    assert.equal(calls, 0);
    assert.ok(logs.every((l) => /ReceiveMessage failed, retrying in \d+ ms/.test(l)), logs.join('\n'));
    assert.ok(logs.length < 12, `backs off (${logs.length} attempts logged)`);
  });

  test('stop() ends an idle long poll at once', async () => {
    const q = await queue('poller-idle');
    const poller = startSqsPoller({
      sqs,
      queueUrl: q.url,
      queueArn: q.arn,
      batchSize: 10,
      concurrency: 4,
      reportBatchItemFailures: true,
      handler: async () => undefined,
    });
    await sleep(200);
    const t0 = Date.now();
    await poller.stop();
    assert.ok(Date.now() - t0 < 1_000);
  });
});
