/**
 * What Lambda's SQS event source mapping does, for the local runtime: long-poll a queue, hand
 * batches to a handler as real-shaped SQSEvents, delete what succeeded.
 *
 * - handler resolves (no batchItemFailures, or reportBatchItemFailures off): the whole batch is deleted;
 * - handler throws: nothing is deleted; the messages come back after the visibility timeout, and
 *   SQS moves them to the DLQ once their receive count passes the queue's maxReceiveCount;
 * - reportBatchItemFailures on and batchItemFailures listed: all but those are deleted (an
 *   itemIdentifier that is empty or not a messageId of the batch fails the whole batch, as in Lambda).
 *
 * Up to `concurrency` batches are in flight at once. Errors of the handler or of SQS are logged and
 * never crash the process; SQS errors back off. The function timeout is the handler's business
 * (the local runtime's function pool emulates it). Not emulated: Lambda's scaling of pollers, FIFO
 * ordering on partial failure.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Records per invocation (Lambda: 1..10 without a batching window, up to 10000 with one). */
  batchSize: number;
  /** Keep receiving for up to this long to fill a batch larger than one ReceiveMessage (max 10). */
  maxBatchingWindowSeconds?: number;
  /** Batches in flight at once (>= 1). */
  concurrency: number;
  reportBatchItemFailures: boolean;
  handler: SqsHandler;
  /** Overrides the queue's visibility timeout on receive. */
  visibilityTimeoutSeconds?: number;
  /** For the Lambda context (functionName, getRemainingTimeInMillis). */
  functionName?: string;
  functionTimeoutSeconds?: number;
  log?: (msg: string) => void;
}

export interface SqsPoller {
  /** Stops receiving and waits for the batches in flight (handler and deletes). */
  stop(): Promise<void>;
}

const MAX_WAIT_SECONDS = 20;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;

export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const {
    sqs,
    queueUrl,
    queueArn,
    handler,
    reportBatchItemFailures,
    visibilityTimeoutSeconds,
    maxBatchingWindowSeconds = 0,
  } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const log = options.log ?? ((msg: string) => console.error(msg));
  const awsRegion = queueArn.split(':')[3] ?? 'us-east-1';
  const functionName = options.functionName ?? `local-${queueArn.split(':').pop() ?? 'sqs'}-consumer`;
  const functionTimeoutMs = (options.functionTimeoutSeconds ?? visibilityTimeoutSeconds ?? 30) * 1000;

  let stopped = false;
  const abort = new AbortController();
  setMaxListeners(concurrency * 2 + 10, abort.signal); // one listener per receive in flight

  const sleepUnlessStopped = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      }
      abort.signal.addEventListener('abort', done);
    });

  /** One ReceiveMessage; [] on abort. Throws on SQS errors. */
  async function receive(max: number, waitSeconds: number): Promise<Message[]> {
    try {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: waitSeconds,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          ...(visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: visibilityTimeoutSeconds } : {}),
        }),
        { abortSignal: abort.signal },
      );
      return out.Messages ?? [];
    } catch (err) {
      if (stopped) return [];
      throw err;
    }
  }

  /** Receives until the batch is full or the batching window is over. */
  async function collectBatch(): Promise<Message[]> {
    const first = await receive(batchSize, MAX_WAIT_SECONDS);
    if (first.length === 0 || first.length >= batchSize || maxBatchingWindowSeconds <= 0) return first;
    const batch = [...first];
    const windowEnd = Date.now() + maxBatchingWindowSeconds * 1000;
    while (!stopped && batch.length < batchSize) {
      const left = windowEnd - Date.now();
      if (left <= 0) break;
      // WaitTimeSeconds is whole seconds: long-poll while a second or more is left, then short polls.
      const wait = Math.min(MAX_WAIT_SECONDS, Math.floor(left / 1000));
      const more = await receive(batchSize - batch.length, wait);
      batch.push(...more);
      if (more.length === 0 && wait === 0) await sleepUnlessStopped(Math.min(100, left));
    }
    return batch;
  }

  async function processBatch(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map(toRecord) };
    const context = makeContext(functionName, functionTimeoutMs);
    let toDelete: Message[];
    try {
      const response = await handler(event, context);
      toDelete = messagesToDelete(messages, response);
    } catch (err) {
      log(
        `sqs-poller ${functionName}: handler failed for a batch of ${messages.length} ` +
          `(${messages.length} message(s) will be retried after the visibility timeout): ${describe(err)}`,
      );
      return;
    }
    await deleteMessages(toDelete);
  }

  function messagesToDelete(messages: Message[], response: SQSBatchResponse | void): Message[] {
    if (!reportBatchItemFailures || !response || !Array.isArray(response.batchItemFailures)) return messages;
    const failures = response.batchItemFailures;
    if (failures.length === 0) return messages;
    const ids = new Set(messages.map((m) => m.MessageId));
    const failed = new Set<string>();
    for (const f of failures) {
      const id = f?.itemIdentifier;
      if (typeof id !== 'string' || id === '' || !ids.has(id)) {
        log(
          `sqs-poller ${functionName}: batchItemFailures has an invalid itemIdentifier ` +
            `${JSON.stringify(id)}; the whole batch of ${messages.length} will be retried`,
        );
        return [];
      }
      failed.add(id);
    }
    log(`sqs-poller ${functionName}: ${failed.size} of ${messages.length} message(s) reported failed, will be retried`);
    return messages.filter((m) => !failed.has(m.MessageId ?? ''));
  }

  async function deleteMessages(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      try {
        const out = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
        for (const f of out.Failed ?? []) {
          const m = chunk[Number(f.Id)];
          log(`sqs-poller ${functionName}: could not delete message ${m?.MessageId}: ${f.Code} ${f.Message ?? ''}`);
        }
      } catch (err) {
        log(`sqs-poller ${functionName}: DeleteMessageBatch failed (messages will be redelivered): ${describe(err)}`);
      }
    }
  }

  function toRecord(m: Message): SQSRecord {
    const a = m.Attributes ?? {};
    const attributes: SQSRecord['attributes'] = {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    };
    for (const k of ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId'] as const) {
      const v = a[k];
      if (v !== undefined) attributes[k] = v;
    }
    const record: SQSRecord = {
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes,
      messageAttributes: toMessageAttributes(m.MessageAttributes),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion,
    };
    if (m.MD5OfMessageAttributes) record.md5OfMessageAttributes = m.MD5OfMessageAttributes;
    return record;
  }

  async function worker(index: number): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!stopped) {
      let messages: Message[];
      try {
        messages = await collectBatch();
        backoff = BACKOFF_MIN_MS;
      } catch (err) {
        log(`sqs-poller ${functionName}[${index}]: ReceiveMessage failed, retrying in ${backoff} ms: ${describe(err)}`);
        await sleepUnlessStopped(backoff);
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await processBatch(messages);
      } catch (err) {
        // processBatch handles its own errors; this is a last line of defence.
        log(`sqs-poller ${functionName}[${index}]: unexpected error: ${describe(err)}`);
      }
    }
  }

  const workers = Array.from({ length: concurrency }, (_, i) => worker(i));
  const all = Promise.all(workers).then(() => undefined);

  let stopping: Promise<void> | undefined;
  return {
    stop(): Promise<void> {
      stopping ??= (async () => {
        stopped = true;
        abort.abort(); // ends the long polls; batches already received run to the end
        await all;
      })();
      return stopping;
    },
  };
}

function toMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(attrs ?? {})) {
    out[name] = {
      dataType: v.DataType ?? 'String',
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
    };
  }
  return out;
}

function makeContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const unsupported = (): never => {
    throw new Error('callback-style context methods are not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${new Date().toISOString().slice(0, 10)}/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
