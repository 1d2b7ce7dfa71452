// The whole system on one machine: the emulators, the resources and handlers of the synthesized
// template, a poller in place of the SQS event source mapping, and the HTTP front. Used by
// `npm start` and by the e2e tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { startDynamoDbLocal, type EmulatorHandle } from './emulators/dynamodb';
import { startS3 } from './emulators/s3';
import { startSqs } from './emulators/sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators/net';
import { createResourcesFromTemplate, type LocalResources } from './emulators/resources';
import { startSqsPoller, type SqsPoller } from './sqs-poller';
import { createLocalApiServer } from './http-server';
import { synthTemplate, type CfnTemplate } from './synth';
import { startLocalStepFunctions, type LocalStepFunctions } from './step-functions';
import { functionEnvironments, templateEnvironment, type InFunction } from './function-env';
import { startFunctionPool, type FunctionPool } from './function-pool';
import { ENTRY_METADATA_KEY } from '../stack';

// The local runtime runs on Node 20 too; the SDK's notice about its future Node 22 floor is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface LocalRuntimeOptions {
  port?: number; // 0 = any free port
  host?: string;
  /** Where data persists between runs; undefined = in memory. */
  dataDir?: string;
  adminEmail: string;
  adminPassword: string;
  workerConcurrency?: number;
  /** Overrides the queue's visibility timeout (the template's is sized for Lambda timeouts). */
  visibilityTimeoutSeconds?: number;
  /** Overrides the Timeout of the queue consumers (tests emulate a function timeout with a short one). */
  consumerTimeoutSeconds?: number;
  /**
   * Runs the template's rate(...) schedules (the sweeper) this often instead (tests); 0 turns them
   * off. cron(...) schedules (retention) are not run locally: `npm run retention` does that.
   */
  scheduleIntervalMs?: number;
  /** Shortens the waits of Step Functions retries (tests); the retry policy itself is the template's. */
  stepFunctionsRetryIntervalMs?: number;
  log?: (line: string) => void;
  /** Changes the synthesized template before anything uses it (tests: a function without a variable). */
  editTemplate?: (template: CfnTemplate) => void;
}

export interface LocalRuntime {
  url: string;
  stepFunctions: LocalStepFunctions;
  /** The analysis worker's processes first, then the other queue consumers' (fault injection). */
  workers: FunctionPool[];
  /** Every function run in child processes (queue consumers, schedules), by logical id. */
  pools: Record<string, FunctionPool>;
  resources: LocalResources;
  template: CfnTemplate;
  /** Runs `call` as an invocation of an in-process function (HTTP, webhook task) would run: in its own environment (tests). */
  inFunction: InFunction;
  stop(): Promise<void>;
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch((err) => log(`stop failed: ${String(err)}`));
    stack.length = 0;
  };
  const phase = (() => {
    let last = Date.now();
    return (name: string) => {
      const now = Date.now();
      log(`  ${name} (${now - last} ms)`);
      last = now;
    };
  })();
  try {
    const dir = (name: string) => {
      if (!options.dataDir) return undefined;
      const d = path.join(options.dataDir, name);
      fs.mkdirSync(d, { recursive: true });
      return d;
    };
    // The emulators boot in their own processes while this one synthesizes the template.
    const booting = [startDynamoDbLocal({ dataDir: dir('dynamodb') }), startS3({ dataDir: dir('s3') }), startSqs({})].map((p) =>
      p.then((handle) => {
        stack.push(() => handle.stop());
        return handle;
      }),
    );
    let template: CfnTemplate;
    try {
      template = synthTemplate();
      options.editTemplate?.(template);
      phase('synthesized the CDK stack');
    } finally {
      await Promise.allSettled(booting);
    }
    const [dynamo, s3, sqs] = (await Promise.all(booting)) as [EmulatorHandle, EmulatorHandle, EmulatorHandle];
    phase('DynamoDB Local, S3 and SQS emulators up');
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const clients = {
      dynamodb: new DynamoDBClient({ ...common, endpoint: dynamo.endpoint }),
      s3: new S3Client({ ...common, endpoint: s3.endpoint, forcePathStyle: true }),
      sqs: new SQSClient({ ...common, endpoint: sqs.endpoint }),
    };
    const resources = await createResourcesFromTemplate(template, clients);
    phase('tables, bucket and queues created from the template');
    // Each function gets only its own template environment, as in AWS, so a variable missing from a
    // function's template fails here too. Functions run in their own processes (queue consumers,
    // scheduled ones) get a copy of theirs; those run in this process (the HTTP routes, the webhook
    // task) read theirs through a per-invocation seam (functions/config.ts runWithEnvironment).
    // Both see this process's other variables: the endpoints and what a developer or test sets.
    const envs = functionEnvironments(template, resources);
    const stepFunctions = await startLocalStepFunctions(template, { retryIntervalMs: options.stepFunctionsRetryIntervalMs, log, inFunction: envs.inFunction });
    stack.push(() => stepFunctions.stop());
    Object.assign(process.env, {
      OZ_DYNAMODB_ENDPOINT: dynamo.endpoint,
      OZ_S3_ENDPOINT: s3.endpoint,
      OZ_SQS_ENDPOINT: sqs.endpoint,
      OZ_SFN_ENDPOINT: stepFunctions.endpoint,
      AWS_REGION: LOCAL_REGION,
    });
    // This process itself (the admin check below, tests seeding state, `npm run retention` through
    // runtime.json) reaches the same resources: it holds the in-process functions' variables, which
    // no function reads from here.
    for (const id of inProcessFunctions(template)) Object.assign(process.env, templateEnvironment(template, id, resources));
    const environmentOf = (fnId: string) => () => ({ ...envs.of(fnId) });
    const { resetCoreDeps, coreDeps } = await import('../../functions/wiring');
    resetCoreDeps();
    await ensureAdmin(coreDeps(), options.adminEmail, options.adminPassword, log);
    phase('admin user checked');

    // What the SQS event source mapping does in AWS, with the mapping's own settings. The consumer
    // runs in its own processes, one invocation each, as Lambda execution environments do.
    const workers: FunctionPool[] = [];
    const pools: Record<string, FunctionPool> = {};
    const mappings = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
      .map((mapping) => ({ props: mapping.Properties ?? {}, fnId: (mapping.Properties?.['FunctionName'] as { Ref: string }).Ref }))
      .sort((a, b) => Number(b.fnId.startsWith('WorkerFunction')) - Number(a.fnId.startsWith('WorkerFunction')));
    for (const { props, fnId } of mappings) {
      const queueId = (props['EventSourceArn'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const queue = resources.queues[queueId]!;
      const timeout = options.consumerTimeoutSeconds ?? Number(template.Resources[fnId]!.Properties?.['Timeout'] ?? 3);
      const pool = startFunctionPool(String(template.Resources[fnId]!.Metadata![ENTRY_METADATA_KEY]), options.workerConcurrency ?? 2, log, timeout, environmentOf(fnId));
      workers.push(pool);
      pools[fnId] = pool;
      stack.push(() => pool.stop());
      const handler = (event: SQSEvent) => pool.invoke(event) as Promise<SQSBatchResponse>;
      const poller: SqsPoller = startSqsPoller({
        sqs: clients.sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        batchSize: Number(props['BatchSize'] ?? 10),
        concurrency: options.workerConcurrency ?? 2,
        reportBatchItemFailures: ((props['FunctionResponseTypes'] as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
        functionName: fnId,
        handler,
        log,
      });
      stack.push(() => poller.stop());
    }

    // What EventBridge does for rate(...) rules: invoke the target every period, in its own process.
    for (const rule of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule')) {
      const period = ratePeriodMs(String(rule.Properties?.['ScheduleExpression'] ?? ''));
      const interval = options.scheduleIntervalMs ?? period;
      if (period === null || !interval) continue;
      for (const target of (rule.Properties?.['Targets'] as { Arn: { 'Fn::GetAtt': [string] } }[] | undefined) ?? []) {
        const fnId = target.Arn['Fn::GetAtt'][0];
        const fn = template.Resources[fnId];
        const entry = fn?.Metadata?.[ENTRY_METADATA_KEY];
        if (typeof entry !== 'string') continue;
        const pool = startFunctionPool(entry, 1, log, Number(fn!.Properties?.['Timeout'] ?? 3), environmentOf(fnId));
        pools[fnId] = pool;
        let running: Promise<unknown> | null = null;
        const timer = setInterval(() => {
          if (running) return; // a run still going: this tick is skipped
          running = pool
            .invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })
            .catch((err: unknown) => log(`${fnId}: scheduled run failed: ${String(err)}`))
            .finally(() => (running = null));
        }, interval);
        stack.push(async () => {
          clearInterval(timer);
          await running;
          await pool.stop();
        });
      }
    }

    const { server } = createLocalApiServer(template, log, envs.inFunction);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
    });
    stack.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const address = server.address() as AddressInfo;
    const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
    return { url: `http://${host}:${address.port}`, stepFunctions, workers, pools, resources, template, inFunction: envs.inFunction, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The functions of the template run in this process: neither queue consumers nor scheduled. */
function inProcessFunctions(template: CfnTemplate): string[] {
  const resources = Object.values(template.Resources);
  const ownProcess = new Set(
    resources.flatMap((r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping'
        ? [(r.Properties?.['FunctionName'] as { Ref: string }).Ref]
        : r.Type === 'AWS::Events::Rule'
          ? ((r.Properties?.['Targets'] as { Arn: { 'Fn::GetAtt': [string] } }[] | undefined) ?? []).map((t) => t.Arn['Fn::GetAtt'][0])
          : [],
    ),
  );
  return Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY] && !ownProcess.has(id))
    .map(([id]) => id);
}

/** The period of an EventBridge rate(...) expression in ms; null for anything else (cron). */
export function ratePeriodMs(expression: string): number | null {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return null;
  const unit = m[2]!.startsWith('minute') ? 60_000 : m[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

async function ensureAdmin(deps: import('../../layers/core/deps').CoreDeps, email: string, password: string, log: (line: string) => void) {
  const { newUser } = await import('../../layers/core/admin');
  const { SYSTEM_COMPANY_ID } = await import('../../layers/core/entities');
  if (await deps.identity.getUserByEmail(email)) return;
  await newUser(deps, { email, password, company_id: SYSTEM_COMPANY_ID, user_type: 'ADMIN', first_name: 'Admin' });
  log(`created the ADMIN user ${email}`);
}
