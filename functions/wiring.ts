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
import { DynamoTable } from '../layers/adapters/dynamo/table';
import type { CoreDeps } from '../layers/core/deps';
import { systemClock, type WebhookStarter } from '../layers/core/ports';
import { appConfig, coreConfigOf, required, resetAppConfig, type Config } from './config';
import { correlationId, portLog, tracer } from './observability';

/** Local emulators are reached through OZ_*_ENDPOINT; in AWS these are unset. */
function clientOptions(endpointVar: 'OZ_DYNAMODB_ENDPOINT' | 'OZ_S3_ENDPOINT' | 'OZ_SQS_ENDPOINT' | 'OZ_SFN_ENDPOINT') {
  const config = appConfig();
  const endpoint = config[endpointVar];
  return endpoint ? { endpoint, region: config.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}

let cached: CoreDeps | undefined;
/** The configuration `cached` was built from: a new one (the local runtime, tests) builds them again. */
let builtFrom: Config | undefined;
let queue: SqsJobQueue | undefined;

/** The analysis queue itself, for the worker's retry delays. */
export function analysisQueue(): SqsJobQueue {
  coreDeps();
  return queue!;
}

export function coreDeps(): CoreDeps {
  const config = appConfig();
  if (cached && builtFrom === config) return cached;
  builtFrom = config;
  const dynamo = tracer.captureAWSv3Client(new DynamoDBClient(clientOptions('OZ_DYNAMODB_ENDPOINT')));
  const s3 = tracer.captureAWSv3Client(new S3Client({ ...clientOptions('OZ_S3_ENDPOINT'), forcePathStyle: !!config.OZ_S3_ENDPOINT }));
  const sqs = tracer.captureAWSv3Client(new SQSClient(clientOptions('OZ_SQS_ENDPOINT')));
  queue = new SqsJobQueue(sqs, required(config, 'OZ_QUEUE_URL'), correlationId);
  cached = {
    ...dynamoStoragePorts(dynamo, required(config, 'OZ_TABLE_NAME')),
    blobs: new S3BlobStore(s3, required(config, 'OZ_BUCKET_NAME')),
    queue,
    clock: systemClock,
    ids: { uuid: randomUUID },
    config: coreConfigOf(config),
    log: portLog,
    // Usage events for billing (OZ_USAGE_QUEUE_URL comes from the stack); unset: they wait in the outbox.
    ...(config.OZ_USAGE_QUEUE_URL ? { usageEvents: new SqsUsageEvents(sqs, config.OZ_USAGE_QUEUE_URL) } : {}),
  };
  return cached;
}

let starter: WebhookStarter | undefined;

/** The webhook workflow starter (the worker's; OZ_WEBHOOK_STATE_MACHINE_ARN comes from the stack). */
export function webhookStarter(): WebhookStarter {
  starter ??= new SfnWebhookStarter(tracer.captureAWSv3Client(new SFNClient(clientOptions('OZ_SFN_ENDPOINT'))), required(appConfig(), 'OZ_WEBHOOK_STATE_MACHINE_ARN'), correlationId);
  return starter;
}

let rates: DynamoRateCounter | undefined;

/**
 * The throttling counters (functions/api/throttle.ts), in the main table through the shared table
 * helper and a traced client. Not built from coreDeps(): API Lite throttles too and has no queue or bucket.
 */
export function rateCounter(): DynamoRateCounter {
  rates ??= new DynamoRateCounter(new DynamoTable(tracer.captureAWSv3Client(new DynamoDBClient(clientOptions('OZ_DYNAMODB_ENDPOINT'))), required(appConfig(), 'OZ_TABLE_NAME')));
  return rates;
}

/** For tests and the local runtime after it changes the environment: the configuration is read again too. */
export function resetCoreDeps() {
  resetAppConfig();
  cached = undefined;
  rates = undefined;
  starter = undefined;
}
