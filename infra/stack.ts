// The whole system as one CDK stack. It is also the local runtime's source of truth: npm start
// synthesizes this stack and takes routes, tables, queues and handlers from the template.
import * as path from 'node:path';
import { CfnOutput, type CfnElement, Duration, RemovalPolicy, Size, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, CfnFunction, DockerImageCode, DockerImageFunction, Runtime, Tracing, type IFunction, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { retentionConfigFromEnv } from '../layers/core/privacy';
import { stuckAfterSecondsFromEnv } from '../layers/core/stranded';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ROUTES, TRAILING_SLASH_SUFFIX, type FunctionName } from '../functions/api/route-table';
import { parseRates } from '../functions/api/throttle';
import { parsePriceTable } from '../layers/core/metering';
import { WebhookDelivery } from './webhook-delivery';
import { Observability } from './observability';
import { DocsSite } from './docs-site';
import { acknowledgeNagFindings, nagAcknowledgements, TRACING_NAG_ACKNOWLEDGEMENTS } from './nag';
import { ConsoleSite } from './console-site';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, CORS_METHODS, parseCorsOrigins } from './cors';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** The handler module each function runs; the local runtime reads it from the template metadata. */
export const ENTRY_METADATA_KEY = 'oz:entry';

/** How many deliveries an analysis gets before its message goes to the DLQ (changelog 3.27: 3). */
export const MAX_RECEIVE_COUNT = 3;
export const WORKER_TIMEOUT = Duration.seconds(120);
/** How often the sweeper looks for analyses PROCESSING longer than OZ_STUCK_AFTER_SECONDS. */
export const SWEEP_SCHEDULE = 'rate(5 minutes)';
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
    const ctx = (key: string, envName: string) => (this.node.tryGetContext(key) ?? process.env[envName]) as string | number | undefined;

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
      // -c retainData=false: the stack deletes the bucket, so it must empty it first.
      autoDeleteObjects: props.retainData === false,
      // Browsers read media with presigned GETs and upload large files with presigned POSTs.
      cors: [{ allowedMethods: [HttpMethods.GET, HttpMethods.POST], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 3600 }],
      // Presigned uploads that no folder ever claimed.
      lifecycleRules: [{ prefix: 'uploads/', expiration: Duration.days(1) }],
    });

    const deadLetters = new Queue(this, 'AnalysisDeadLetterQueue', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    const queue = new Queue(this, 'AnalysisQueue', {
      // At least six times the worker timeout, as AWS advises for SQS event sources.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      receiveMessageWaitTime: Duration.seconds(20),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    // Usage events for an external billing system (layers/core/metering.ts): one per final analysis.
    // A billing consumer that fails on an event 5 times parks it in its own dead-letter queue.
    const usageDeadLetters = new Queue(this, 'UsageEventDeadLetterQueue', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    const usageQueue = new Queue(this, 'UsageEventQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: usageDeadLetters, maxReceiveCount: 5 },
    });

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
        tracing: Tracing.ACTIVE,
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
        // .models/ stays in the context: `npm run models:fetch` puts MiniFASNet there for the build.
        exclude: ['node_modules', 'cdk.out', '.git', '.oz-data', 'test', 'clients', 'openapi', '*.log'],
        // A pinned mirror of the models for builders without them in .models/ (-c modelBaseUrl=...).
        ...(this.node.tryGetContext('modelBaseUrl') ? { buildArgs: { OZ_MODEL_BASE_URL: String(this.node.tryGetContext('modelBaseUrl')) } } : {}),
      });
    const media = new DockerImageFunction(this, 'MediaFunction', {
      code: image('media.handler'),
      architecture: Architecture.X86_64,
      memorySize: 2048,
      timeout: Duration.seconds(29),
      // Uploads are inspected in parallel, each written to /tmp for ffprobe/ffmpeg: up to 10 files of
      // 200 MB (presigned uploads), with room for decoded frames.
      ephemeralStorageSize: Size.gibibytes(4),
      environment,
      logGroup: logs('MediaFunction'),
      tracing: Tracing.ACTIVE,
    });
    tagEntry(media, 'functions/api/media-handler.ts#handler');

    // API Lite: stateless, synchronous inference on the same image.
    const lite = new DockerImageFunction(this, 'LiteFunction', {
      code: image('lite.handler'),
      architecture: Architecture.X86_64,
      memorySize: 2048,
      timeout: Duration.seconds(29),
      // API Lite takes at most 10 files of 15 MB each.
      ephemeralStorageSize: Size.mebibytes(1024),
      environment,
      logGroup: logs('LiteFunction'),
      tracing: Tracing.ACTIVE,
    });
    tagEntry(lite, 'functions/lite/handler.ts#handler');

    const worker = new DockerImageFunction(this, 'WorkerFunction', {
      code: image('worker.handler'),
      architecture: Architecture.X86_64,
      memorySize: 3008,
      timeout: WORKER_TIMEOUT,
      // One analysis at a time, but its source media (videos up to 200 MB each) go through /tmp.
      ephemeralStorageSize: Size.gibibytes(2),
      environment,
      logGroup: logs('WorkerFunction'),
      tracing: Tracing.ACTIVE,
    });
    tagEntry(worker, 'functions/worker/handler.ts#handler');
    worker.addEventSource(new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 50 }));

    // No analysis left behind (README): the dead-letter consumer ends FAILED the analyses whose last
    // delivery died without a result; the sweeper those PROCESSING longer than OZ_STUCK_AFTER_SECONDS.
    const deadLetterConsumer = zipFunction('DeadLetterFunction', 'functions/dead-letter/handler.ts', { memorySize: 256, timeout: Duration.seconds(30) });
    deadLetterConsumer.addEventSource(new SqsEventSource(deadLetters, { batchSize: 10, reportBatchItemFailures: true }));
    const sweeper = zipFunction('SweeperFunction', 'functions/sweeper/handler.ts', { memorySize: 256, timeout: Duration.minutes(2) });
    const stuckAfter = ctx('stuckAfterSeconds', 'OZ_STUCK_AFTER_SECONDS');
    if (stuckAfter !== undefined) sweeper.addEnvironment('OZ_STUCK_AFTER_SECONDS', String(stuckAfterSecondsFromEnv({ OZ_STUCK_AFTER_SECONDS: String(stuckAfter) })));
    new Rule(this, 'SweeperSchedule', {
      description: 'Ends FAILED the analyses PROCESSING longer than OZ_STUCK_AFTER_SECONDS',
      schedule: Schedule.expression(SWEEP_SCHEDULE),
      targets: [new LambdaTarget(sweeper, { retryAttempts: 2 })],
    });
    for (const fn of [deadLetterConsumer, sweeper]) {
      table.grantReadWriteData(fn);
      usageQueue.grantSendMessages(fn);
      webhooks.stateMachine.grantStartExecution(fn);
      fn.addEnvironment('OZ_WEBHOOK_STATE_MACHINE_ARN', webhooks.stateMachine.stateMachineArn);
    }

    // Retention: clears the personal information of old folders on a schedule. Days and the folder
    // budget come from the context (retentionDays, retentionMaxFolders) or, at synth, from
    // OZ_RETENTION_DAYS / OZ_RETENTION_MAX_FOLDERS; checked here so a bad value fails the synth.
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
    // The delivery task reads the folder (presigned URLs in the payload), reads or creates the
    // company's signing secret and updates its delivery record: those item operations, on the
    // table only (no index, scan, delete or batch), and reading objects (no listing).
    webhook.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] }));
    webhook.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
    // API Lite keeps no data but counts requests for throttling (OZ_THROTTLING_RATES) in the table.
    lite.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }));

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

    // Access logs of the API: request id, caller address, route, status, latency; no bodies or headers.
    const accessLogs = logs('HttpApiAccess');
    (httpApi.defaultStage!.node.defaultChild as CfnStage).accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', time: '$context.requestTime', routeKey: '$context.routeKey', status: '$context.status', latencyMs: '$context.responseLatency', integrationError: '$context.integrationErrorMessage' }),
    };

    // cdk-nag's AwsSolutions findings this design accepts, each with its reason (infra/nag.ts).
    const logicalId = (c: { node: { defaultChild?: unknown } }) => this.getLogicalId(c.node.defaultChild as CfnElement);
    acknowledgeNagFindings(this, nagAcknowledgements({ table: logicalId(table), bucket: logicalId(bucket), webhookFunction: logicalId(webhook) }));
    acknowledgeNagFindings(webhooks.stateMachine, TRACING_NAG_ACKNOWLEDGEMENTS);
    for (const fn of [api, webhook, media, lite, worker, deadLetterConsumer, sweeper, retention]) acknowledgeNagFindings(fn, TRACING_NAG_ACKNOWLEDGEMENTS);

    new CfnOutput(this, 'ApiUrl', { value: httpApi.apiEndpoint });
    // The API reference site is opt-in (`cdk deploy -c docs=true`): see infra/docs-site.ts.
    if (String(this.node.tryGetContext('docs')) === 'true') new DocsSite(this, 'Docs', { apiUrl: httpApi.apiEndpoint });
    // The operator console (web/) on CloudFront, on by default (`-c console=false` leaves it out).
    if (String(this.node.tryGetContext('console')) !== 'false') new ConsoleSite(this, 'Console', { httpApi });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetters.queueUrl });
    new CfnOutput(this, 'UsageEventQueueUrl', { value: usageQueue.queueUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'UsageDeadLetterQueueUrl', { value: usageDeadLetters.queueUrl });
    this.functions = { api, media, worker, webhook, lite, retention, deadLetter: deadLetterConsumer, sweeper };

    // Alarms to one SNS topic, and the operator's dashboard (infra/observability.ts).
    const observability = new Observability(this, 'Observability', {
      functions: this.functions,
      deadLetterQueues: { AnalysisDeadLetters: deadLetters, UsageEventDeadLetters: usageDeadLetters },
      analysisQueue: queue,
      httpApi,
      webhookStateMachine: webhooks.stateMachine,
    });
    this.alarmTopic = observability.alarmTopic;
    new CfnOutput(this, 'AlarmTopicArn', { value: observability.alarmTopic.topicArn });
  }

  /** Every alarm of the stack notifies this topic: subscribe an address or a pager to it. */
  readonly alarmTopic: Topic;

  readonly functions: Record<'api' | 'media' | 'worker' | 'webhook' | 'lite' | 'retention' | 'deadLetter' | 'sweeper', LambdaFunction>;
}
