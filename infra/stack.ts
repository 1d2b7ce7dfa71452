// The whole system as one CDK stack. It is also the local runtime's source of truth: npm start
// synthesizes this stack and takes routes, tables, queues and handlers from the template.
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, CfnFunction, DockerImageCode, DockerImageFunction, Runtime, type IFunction, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { retentionConfigFromEnv } from '../layers/core/privacy';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES, TRAILING_SLASH_SUFFIX, type FunctionName } from '../functions/api/route-table';
import { parseRates } from '../functions/api/throttle';
import { parsePriceTable } from '../layers/core/metering';
import { WebhookDelivery } from './webhook-delivery';
import { DocsSite } from './docs-site';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, CORS_METHODS, parseCorsOrigins } from './cors';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** The handler module each function runs; the local runtime reads it from the template metadata. */
export const ENTRY_METADATA_KEY = 'oz:entry';

/** How many deliveries an analysis gets before its message goes to the DLQ (changelog 3.27: 3). */
export const MAX_RECEIVE_COUNT = 3;
export const WORKER_TIMEOUT = Duration.seconds(120);
/** The retention run stops starting folders a minute before this (functions/retention/handler.ts). */
export const RETENTION_TIMEOUT = Duration.minutes(5);
/** When the retention job runs unless the context's retentionSchedule says otherwise: daily, 03:00 UTC. */
export const DEFAULT_RETENTION_SCHEDULE = 'cron(0 3 * * ? *)';

export interface OzStackProps extends StackProps {
  /** Keep data on stack deletion (default true). */
  retainData?: boolean;
}

function tagEntry(fn: IFunction, entry: string) {
  (fn.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA_KEY, entry);
}

export class OzStack extends Stack {
  constructor(scope: Construct, id: string, props: OzStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    const table = new Table(this, 'MainTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'ttl',
      removalPolicy,
    });
    // Per-company listings, and the global listings of ADMIN/OPERATOR.
    table.addGlobalSecondaryIndex({ indexName: 'list', partitionKey: { name: 'lpk', type: AttributeType.STRING }, sortKey: { name: 'lsk', type: AttributeType.STRING }, projectionType: ProjectionType.ALL });
    table.addGlobalSecondaryIndex({ indexName: 'all', partitionKey: { name: 'gpk', type: AttributeType.STRING }, sortKey: { name: 'gsk', type: AttributeType.STRING }, projectionType: ProjectionType.ALL });

    const bucket = new Bucket(this, 'MediaBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy,
      cors: [{ allowedMethods: [HttpMethods.GET, HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 3600 }],
      // Presigned uploads that no folder ever claimed.
      lifecycleRules: [{ prefix: 'uploads/', expiration: Duration.days(1) }],
    });

    const deadLetters = new Queue(this, 'AnalysisDeadLetterQueue', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED });
    const queue = new Queue(this, 'AnalysisQueue', {
      // At least six times the worker timeout, as AWS advises for SQS event sources.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      receiveMessageWaitTime: Duration.seconds(20),
      encryption: QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    // Usage events for an external billing system (layers/core/metering.ts): one per final analysis.
    const usageQueue = new Queue(this, 'UsageEventQueue', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED });

    const environment = {
      OZ_TABLE_NAME: table.tableName,
      OZ_BUCKET_NAME: bucket.bucketName,
      OZ_QUEUE_URL: queue.queueUrl,
      OZ_USAGE_QUEUE_URL: usageQueue.queueUrl,
      OZ_MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      NODE_OPTIONS: '--enable-source-maps',
    };

    const logs = (name: string) => new LogGroup(this, `${name}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

    const zipFunction = (id: string, entry: string, props: { memorySize: number; timeout: Duration }) => {
      const fn = new NodejsFunction(this, id, {
        entry: path.join(REPO_ROOT, entry),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.X86_64,
        environment,
        logGroup: logs(id),
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
        bundling: { format: OutputFormat.CJS, target: 'node22', sourceMap: true, minify: false, externalModules: ['@aws-sdk/*'] },
        ...props,
      });
      tagEntry(fn, `${entry}#handler`);
      return fn;
    };
    // scrypt password hashing wants the memory (and the CPU that comes with it).
    const api = zipFunction('ApiFunction', 'functions/api/handler.ts', { memorySize: 1024, timeout: Duration.seconds(29) });
    const webhook = zipFunction('WebhookFunction', 'functions/webhook/handler.ts', { memorySize: 256, timeout: Duration.seconds(25) });
    const webhooks = new WebhookDelivery(this, 'WebhookDelivery', { deliveryFunction: webhook });

    // One image for uploads and the worker: node 22, onnxruntime-node, sharp, static ffmpeg, models.
    const image = (cmd: string) =>
      DockerImageCode.fromImageAsset(REPO_ROOT, {
        file: 'functions/worker/Dockerfile',
        cmd: [cmd],
        exclude: ['node_modules', 'cdk.out', '.git', '.oz-data', 'test', '.models', '*.log'],
      });
    const media = new DockerImageFunction(this, 'MediaFunction', {
      code: image('media.handler'),
      architecture: Architecture.X86_64,
      memorySize: 2048,
      timeout: Duration.seconds(29),
      environment,
      logGroup: logs('MediaFunction'),
    });
    tagEntry(media, 'functions/api/media-handler.ts#handler');

    // API Lite: stateless, synchronous inference on the same image.
    const lite = new DockerImageFunction(this, 'LiteFunction', {
      code: image('lite.handler'),
      architecture: Architecture.X86_64,
      memorySize: 2048,
      timeout: Duration.seconds(29),
      environment,
      logGroup: logs('LiteFunction'),
    });
    tagEntry(lite, 'functions/lite/handler.ts#handler');

    const worker = new DockerImageFunction(this, 'WorkerFunction', {
      code: image('worker.handler'),
      architecture: Architecture.X86_64,
      memorySize: 3008,
      timeout: WORKER_TIMEOUT,
      environment,
      logGroup: logs('WorkerFunction'),
    });
    tagEntry(worker, 'functions/worker/handler.ts#handler');
    worker.addEventSource(new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 50 }));

    // Retention: clears the personal information of old folders on a schedule. Days and the folder
    // budget come from the context (retentionDays, retentionMaxFolders) or, at synth, from
    // OZ_RETENTION_DAYS / OZ_RETENTION_MAX_FOLDERS; checked here so a bad value fails the synth.
    const ctx = (key: string, envName: string) => (this.node.tryGetContext(key) ?? process.env[envName]) as string | number | undefined;
    const retentionEnv = { OZ_RETENTION_DAYS: String(ctx('retentionDays', 'OZ_RETENTION_DAYS') ?? '0'), OZ_RETENTION_MAX_FOLDERS: String(ctx('retentionMaxFolders', 'OZ_RETENTION_MAX_FOLDERS') ?? '1000') };
    retentionConfigFromEnv(retentionEnv);
    const retention = zipFunction('RetentionFunction', 'functions/retention/handler.ts', { memorySize: 512, timeout: RETENTION_TIMEOUT });
    for (const [name, value] of Object.entries(retentionEnv)) retention.addEnvironment(name, value);
    table.grantReadWriteData(retention);
    bucket.grantDelete(retention);
    new Rule(this, 'RetentionSchedule', {
      description: 'Daily retention run: clears personal information of folders older than OZ_RETENTION_DAYS',
      schedule: Schedule.expression(String(this.node.tryGetContext('retentionSchedule') ?? DEFAULT_RETENTION_SCHEDULE)),
      targets: [new LambdaTarget(retention, { retryAttempts: 2 })],
    });

    // Prices for GET /api/usage and throttling rates: the context (priceTable, throttlingRates) or,
    // at synth, OZ_PRICE_TABLE / OZ_THROTTLING_RATES; checked here so a bad value fails the synth.
    const metering = { OZ_PRICE_TABLE: ctx('priceTable', 'OZ_PRICE_TABLE'), OZ_THROTTLING_RATES: ctx('throttlingRates', 'OZ_THROTTLING_RATES') };
    parsePriceTable(metering.OZ_PRICE_TABLE === undefined ? undefined : String(metering.OZ_PRICE_TABLE));
    parseRates(metering.OZ_THROTTLING_RATES === undefined ? undefined : String(metering.OZ_THROTTLING_RATES));
    for (const [name, value] of Object.entries(metering)) if (value !== undefined && value !== '') for (const fn of [api, media, lite]) fn.addEnvironment(name, String(value));

    // Least privilege: the JSON API reads and writes records, presigns reads, enqueues analyses.
    table.grantReadWriteData(api);
    bucket.grantRead(api);
    bucket.grantPut(api, 'uploads/*'); // presigned upload URLs are signed with the API's role
    queue.grantSendMessages(api);
    table.grantReadWriteData(media);
    bucket.grantReadWrite(media);
    bucket.grantDelete(media);
    queue.grantSendMessages(media);
    table.grantReadWriteData(worker);
    bucket.grantReadWrite(worker);
    // Whatever makes analyses final publishes their usage events.
    for (const fn of [api, media, worker]) usageQueue.grantSendMessages(fn);
    // The worker, and the media function for single requests, start webhook deliveries.
    for (const fn of [worker, media]) {
      webhooks.stateMachine.grantStartExecution(fn);
      fn.addEnvironment('OZ_WEBHOOK_STATE_MACHINE_ARN', webhooks.stateMachine.stateMachineArn);
    }
    // The delivery task reads the folder (presigned URLs in the payload) and writes delivery records.
    table.grantReadWriteData(webhook);
    bucket.grantRead(webhook);

    // CORS for browser callers, off unless origins are configured (infra/cors.ts); checked at synth.
    const corsOrigins = parseCorsOrigins(ctx('corsOrigins', 'OZ_CORS_ORIGINS') === undefined ? undefined : String(ctx('corsOrigins', 'OZ_CORS_ORIGINS')));
    const httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Oz-compatible facial biometrics API',
      ...(corsOrigins
        ? {
            corsPreflight: {
              allowOrigins: corsOrigins,
              allowMethods: CORS_METHODS.map((m) => CorsHttpMethod[m]),
              allowHeaders: CORS_ALLOW_HEADERS,
              exposeHeaders: CORS_EXPOSE_HEADERS,
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
            },
          }
        : {}),
      // One invoke permission per function, not one per route: ~100 route-scoped statements would
      // overflow Lambda's 20 KB resource-policy limit.
      defaultIntegration: new HttpLambdaIntegration('DefaultIntegration', api, { scopePermissionToRoute: false }),
    });
    const integrations: Record<FunctionName, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('ApiIntegration', api, { scopePermissionToRoute: false }),
      media: new HttpLambdaIntegration('MediaIntegration', media, { scopePermissionToRoute: false }),
      lite: new HttpLambdaIntegration('LiteIntegration', lite, { scopePermissionToRoute: false }),
    };
    ROUTES.forEach((route, i) => {
      for (const [suffix, idSuffix] of [['', ''], [TRAILING_SLASH_SUFFIX, 'Slash']] as const) {
        new HttpRoute(this, `Route${i}${idSuffix}`, {
          httpApi,
          routeKey: HttpRouteKey.with(route.path + suffix, HttpMethod[route.method]),
          integration: integrations[route.fn],
        });
      }
    });

    new CfnOutput(this, 'ApiUrl', { value: httpApi.apiEndpoint });
    // The API reference site is opt-in (`cdk deploy -c docs=true`): see infra/docs-site.ts.
    if (String(this.node.tryGetContext('docs')) === 'true') new DocsSite(this, 'Docs', { apiUrl: httpApi.apiEndpoint });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetters.queueUrl });
    new CfnOutput(this, 'UsageEventQueueUrl', { value: usageQueue.queueUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    this.functions = { api, media, worker, webhook, lite, retention };
  }

  readonly functions: Record<'api' | 'media' | 'worker' | 'webhook' | 'lite' | 'retention', LambdaFunction>;
}
