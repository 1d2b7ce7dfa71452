// The composition root: builds the core's dependencies from the environment, once per process
// (a Lambda container, or the local runtime where every handler shares one process).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { dynamoStoragePorts } from '../layers/adapters/dynamo';
import { S3BlobStore } from '../layers/adapters/s3-blob-store';
import { SqsJobQueue } from '../layers/adapters/sqs-job-queue';
import { SfnWebhookStarter } from '../layers/adapters/sfn-webhook-starter';
import { SqsUsageEvents } from '../layers/adapters/sqs-usage-events';
import { DynamoRateCounter } from '../layers/adapters/dynamo/rate-counter';
import { configFromEnv, type CoreDeps } from '../layers/core/deps';
import { systemClock, type WebhookStarter } from '../layers/core/ports';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** Local emulators are reached through OZ_*_ENDPOINT; in AWS these are unset. */
function clientOptions(endpointVar: string) {
  const endpoint = process.env[endpointVar];
  return endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}

let cached: CoreDeps | undefined;
let queue: SqsJobQueue | undefined;

/** The analysis queue itself, for the worker's retry delays. */
export function analysisQueue(): SqsJobQueue {
  coreDeps();
  return queue!;
}

export function coreDeps(): CoreDeps {
  if (cached) return cached;
  const dynamo = new DynamoDBClient(clientOptions('OZ_DYNAMODB_ENDPOINT'));
  const s3 = new S3Client({ ...clientOptions('OZ_S3_ENDPOINT'), forcePathStyle: !!process.env.OZ_S3_ENDPOINT });
  const sqs = new SQSClient(clientOptions('OZ_SQS_ENDPOINT'));
  queue = new SqsJobQueue(sqs, required('OZ_QUEUE_URL'));
  cached = {
    ...dynamoStoragePorts(dynamo, required('OZ_TABLE_NAME')),
    blobs: new S3BlobStore(s3, required('OZ_BUCKET_NAME')),
    queue,
    clock: systemClock,
    ids: { uuid: randomUUID },
    config: configFromEnv(),
    // Usage events for billing (OZ_USAGE_QUEUE_URL comes from the stack); unset: they wait in the outbox.
    ...(process.env.OZ_USAGE_QUEUE_URL ? { usageEvents: new SqsUsageEvents(sqs, process.env.OZ_USAGE_QUEUE_URL) } : {}),
  };
  return cached;
}

let starter: WebhookStarter | undefined;

/** The webhook workflow starter (the worker's; OZ_WEBHOOK_STATE_MACHINE_ARN comes from the stack). */
export function webhookStarter(): WebhookStarter {
  starter ??= new SfnWebhookStarter(new SFNClient(clientOptions('OZ_SFN_ENDPOINT')), required('OZ_WEBHOOK_STATE_MACHINE_ARN'));
  return starter;
}

let rates: DynamoRateCounter | undefined;

/** The throttling counters (functions/api/throttle.ts), in the main table. */
export function rateCounter(): DynamoRateCounter {
  rates ??= new DynamoRateCounter(new DynamoDBClient(clientOptions('OZ_DYNAMODB_ENDPOINT')), required('OZ_TABLE_NAME'));
  return rates;
}

/** For tests and the local runtime after it changes the environment. */
export function resetCoreDeps() {
  cached = undefined;
  rates = undefined;
  starter = undefined;
}
