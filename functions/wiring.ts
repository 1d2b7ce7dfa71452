// The composition root: builds the core's dependencies from the configuration, once per
// configuration (a Lambda container's; in the local runtime, each in-process function's own).
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
function clientOptions(config: Config, endpointVar: 'OZ_DYNAMODB_ENDPOINT' | 'OZ_S3_ENDPOINT' | 'OZ_SQS_ENDPOINT' | 'OZ_SFN_ENDPOINT') {
  const endpoint = config[endpointVar];
  return endpoint ? { endpoint, region: config.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}

/**
 * A value built once per configuration: once in a container; in the local runtime once per function
 * (each has its own environment, functions/config.ts), and again after the environment changed.
 * (The caches are module constants and the users plain functions, so a bundle without a user drops both.)
 */
function perConfig<T>(built: WeakMap<Config, T>, build: (config: Config) => T): T {
  const config = appConfig();
  let value = built.get(config);
  if (value === undefined) built.set(config, (value = build(config)));
  return value;
}

const wired = new WeakMap<Config, { deps: CoreDeps; queue: SqsJobQueue }>();

function wiring() {
  return perConfig(wired, (config) => {
    const dynamo = tracer.captureAWSv3Client(new DynamoDBClient(clientOptions(config, 'OZ_DYNAMODB_ENDPOINT')));
    const s3 = tracer.captureAWSv3Client(new S3Client({ ...clientOptions(config, 'OZ_S3_ENDPOINT'), forcePathStyle: !!config.OZ_S3_ENDPOINT }));
    const sqs = tracer.captureAWSv3Client(new SQSClient(clientOptions(config, 'OZ_SQS_ENDPOINT')));
    const queue = new SqsJobQueue(sqs, required(config, 'OZ_QUEUE_URL'), correlationId);
    const deps: CoreDeps = {
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
    return { deps, queue };
  });
}

export function coreDeps(): CoreDeps {
  return wiring().deps;
}

/** The analysis queue itself, for the worker's retry delays. */
export function analysisQueue(): SqsJobQueue {
  return wiring().queue;
}

const starters = new WeakMap<Config, WebhookStarter>();

/** The webhook workflow starter (the worker's; OZ_WEBHOOK_STATE_MACHINE_ARN comes from the stack). */
export function webhookStarter(): WebhookStarter {
  return perConfig(starters, (config) => new SfnWebhookStarter(tracer.captureAWSv3Client(new SFNClient(clientOptions(config, 'OZ_SFN_ENDPOINT'))), required(config, 'OZ_WEBHOOK_STATE_MACHINE_ARN'), correlationId));
}

const counters = new WeakMap<Config, DynamoRateCounter>();

/**
 * The throttling counters (functions/api/throttle.ts), in the main table through the shared table
 * helper and a traced client. Not built from coreDeps(): API Lite throttles too and has no queue or bucket.
 */
export function rateCounter(): DynamoRateCounter {
  return perConfig(counters, (config) => new DynamoRateCounter(new DynamoTable(tracer.captureAWSv3Client(new DynamoDBClient(clientOptions(config, 'OZ_DYNAMODB_ENDPOINT'))), required(config, 'OZ_TABLE_NAME'))));
}

/** For tests and the local runtime after they change the environment: the configuration, and so all of the above, is built again. */
export function resetCoreDeps() {
  resetAppConfig();
}
