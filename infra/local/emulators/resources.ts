/**
 * Creates, in the local emulators, the DynamoDB tables, S3 buckets and SQS queues that a synthesized
 * CloudFormation template declares, so the local runtime cannot drift from what is deployed.
 * Idempotent: what already exists is kept (a table that lacks a GSI of the template gets it; a
 * queue's attributes are set to the template's).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand, type CORSRule, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sleep } from './net';

export interface LocalQueue {
  url: string;
  arn: string;
  name: string;
}

export interface LocalResources {
  /** logical ID -> table name */
  tables: Record<string, string>;
  /** logical ID -> bucket name */
  buckets: Record<string, string>;
  /** logical ID -> queue */
  queues: Record<string, LocalQueue>;
}

export interface LocalClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
}

interface CfnResource {
  Type?: string;
  Properties?: Record<string, unknown>;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

export async function createResourcesFromTemplate(template: unknown, clients: LocalClients): Promise<LocalResources> {
  const resources = ((template as { Resources?: unknown } | null)?.Resources ?? {}) as Record<string, CfnResource>;
  const result: LocalResources = { tables: {}, buckets: {}, queues: {} };
  const entries = Object.entries(resources);

  for (const [logicalId, res] of entries) {
    if (res.Type && TABLE_TYPES.has(res.Type)) {
      result.tables[logicalId] = await createTable(clients.dynamodb, logicalId, res.Properties ?? {});
    }
  }
  for (const [logicalId, res] of entries) {
    if (res.Type === 'AWS::S3::Bucket') {
      result.buckets[logicalId] = await createBucket(clients.s3, logicalId, res.Properties ?? {});
    }
  }
  const creating = new Map<string, Promise<LocalQueue>>();
  const ensureQueue = (logicalId: string, chain: string[]): Promise<LocalQueue> => {
    if (chain.includes(logicalId)) {
      throw new Error(`SQS redrive cycle in template: ${[...chain, logicalId].join(' -> ')}`);
    }
    let p = creating.get(logicalId);
    if (!p) {
      const res = resources[logicalId];
      if (res?.Type !== 'AWS::SQS::Queue') {
        throw new Error(`RedrivePolicy points at ${logicalId}, which is not an AWS::SQS::Queue in the template`);
      }
      p = createQueue(clients.sqs, logicalId, res.Properties ?? {}, (dlqId) =>
        ensureQueue(dlqId, [...chain, logicalId]),
      );
      creating.set(logicalId, p);
    }
    return p;
  };
  for (const [logicalId, res] of entries) {
    if (res.Type === 'AWS::SQS::Queue') result.queues[logicalId] = await ensureQueue(logicalId, []);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

async function createTable(ddb: DynamoDBClient, logicalId: string, props: Record<string, unknown>): Promise<string> {
  const tableName = typeof props.TableName === 'string' ? props.TableName : logicalId;
  const gsis = asArray(props.GlobalSecondaryIndexes).map(toGsi);
  const lsis = asArray(props.LocalSecondaryIndexes).map(toLsi);
  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: asArray(props.KeySchema).map(toKey),
    AttributeDefinitions: asArray(props.AttributeDefinitions).map(
      (a): AttributeDefinition => ({
        AttributeName: str(a, 'AttributeName'),
        AttributeType: str(a, 'AttributeType') as AttributeDefinition['AttributeType'],
      }),
    ),
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
  };
  let created = true;
  try {
    await ddb.send(new CreateTableCommand(input));
  } catch (err) {
    if (errorName(err) !== 'ResourceInUseException') throw err;
    created = false;
  }
  let desc = await waitForTable(ddb, tableName);
  if (!created) {
    // A persisted table from an older template: add the GSIs it lacks (one per UpdateTable).
    for (const gsi of gsis) {
      if ((desc.GlobalSecondaryIndexes ?? []).some((g) => g.IndexName === gsi.IndexName)) continue;
      const needed = new Set(gsi.KeySchema?.map((k) => k.AttributeName));
      await ddb.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: input.AttributeDefinitions?.filter((a) => needed.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: gsi }],
        }),
      );
      desc = await waitForTable(ddb, tableName);
    }
  }
  const ttl = props.TimeToLiveSpecification as { AttributeName?: unknown; Enabled?: unknown } | undefined;
  if (created && ttl && typeof ttl.AttributeName === 'string' && isTrue(ttl.Enabled)) {
    try {
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      );
    } catch {
      // TTL is a nicety locally
    }
  }
  return tableName;
}

async function waitForTable(ddb: DynamoDBClient, tableName: string): Promise<TableDescription> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    const busy =
      Table?.TableStatus !== 'ACTIVE' ||
      (Table.GlobalSecondaryIndexes ?? []).some((g) => g.IndexStatus !== undefined && g.IndexStatus !== 'ACTIVE');
    if (Table && !busy) return Table;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE`);
    await sleep(50);
  }
}

function toKey(k: unknown): KeySchemaElement {
  return { AttributeName: str(k, 'AttributeName'), KeyType: str(k, 'KeyType') as KeySchemaElement['KeyType'] };
}

function toProjection(p: unknown): Projection {
  const o = (p ?? {}) as Record<string, unknown>;
  const type = (typeof o.ProjectionType === 'string' ? o.ProjectionType : 'ALL') as Projection['ProjectionType'];
  const nonKey = asArray(o.NonKeyAttributes).filter((x): x is string => typeof x === 'string');
  return { ProjectionType: type, ...(type === 'INCLUDE' && nonKey.length ? { NonKeyAttributes: nonKey } : {}) };
}

function toGsi(g: unknown): GlobalSecondaryIndex {
  const o = g as Record<string, unknown>;
  return { IndexName: str(o, 'IndexName'), KeySchema: asArray(o.KeySchema).map(toKey), Projection: toProjection(o.Projection) };
}

function toLsi(l: unknown): LocalSecondaryIndex {
  const o = l as Record<string, unknown>;
  return { IndexName: str(o, 'IndexName'), KeySchema: asArray(o.KeySchema).map(toKey), Projection: toProjection(o.Projection) };
}

// ---------------------------------------------------------------------------------------------
// S3

/** CloudFormation's own naming is not reproducible; locally: the logical ID made S3-valid. */
export function localBucketName(logicalId: string): string {
  let name = logicalId
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/g, '');
  if (name.length < 3) name = `${name}-bucket`.replace(/^-/, '').padEnd(3, '0');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) name = `b-${name}`.slice(0, 63);
  return name;
}

async function createBucket(s3: S3Client, logicalId: string, props: Record<string, unknown>): Promise<string> {
  const bucketName = typeof props.BucketName === 'string' ? props.BucketName : localBucketName(logicalId);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (err) {
    const name = errorName(err);
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
  const cors = (props.CorsConfiguration as { CorsRules?: unknown } | undefined)?.CorsRules;
  if (Array.isArray(cors) && cors.length > 0) {
    const rules: CORSRule[] = cors.map((r: Record<string, unknown>) => ({
      AllowedMethods: strings(r.AllowedMethods),
      AllowedOrigins: strings(r.AllowedOrigins),
      ...(r.AllowedHeaders ? { AllowedHeaders: strings(r.AllowedHeaders) } : {}),
      ...(r.ExposedHeaders ? { ExposeHeaders: strings(r.ExposedHeaders) } : {}),
      ...(typeof r.MaxAge === 'number' ? { MaxAgeSeconds: r.MaxAge } : {}),
      ...(typeof r.Id === 'string' ? { ID: r.Id } : {}),
    }));
    try {
      await s3.send(new PutBucketCorsCommand({ Bucket: bucketName, CORSConfiguration: { CORSRules: rules } }));
    } catch {
      // the emulator may not support it; browsers on the same origin do not need it
    }
  }
  return bucketName;
}

// ---------------------------------------------------------------------------------------------
// SQS

const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'DelaySeconds',
  'MaximumMessageSize',
  'FifoQueue',
  'ContentBasedDeduplication',
] as const;

async function createQueue(
  sqs: SQSClient,
  logicalId: string,
  props: Record<string, unknown>,
  resolveQueue: (logicalId: string) => Promise<LocalQueue>,
): Promise<LocalQueue> {
  const fifo = isTrue(props.FifoQueue);
  let queueName =
    typeof props.QueueName === 'string' ? props.QueueName : logicalId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 75);
  if (fifo && !queueName.endsWith('.fifo')) queueName = `${queueName}.fifo`;

  const attributes: Record<string, string> = {};
  for (const key of QUEUE_ATTRIBUTES) {
    const v = props[key];
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') attributes[key] = String(v);
  }
  if (props.RedrivePolicy !== undefined) {
    const policy = (typeof props.RedrivePolicy === 'string' ? JSON.parse(props.RedrivePolicy) : props.RedrivePolicy) as {
      deadLetterTargetArn?: unknown;
      maxReceiveCount?: unknown;
    };
    const target = policy.deadLetterTargetArn;
    let dlqArn: string;
    if (typeof target === 'string') {
      dlqArn = target;
    } else {
      const dlqId = getAttTarget(target);
      if (dlqId === undefined) {
        throw new Error(`queue ${logicalId}: unsupported RedrivePolicy.deadLetterTargetArn ${JSON.stringify(target)}`);
      }
      dlqArn = (await resolveQueue(dlqId)).arn;
    }
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: Number(policy.maxReceiveCount ?? 10),
    });
  }

  let url: string;
  try {
    url = must((await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }))).QueueUrl);
  } catch (err) {
    // Same name, other attributes (an older template): take the queue and set the attributes.
    // The SDK names it after the query-protocol code: 'AWS.SimpleQueueService.QueueNameExists'.
    if (!/QueueNameExists|QueueAlreadyExists/.test(errorName(err) ?? '')) throw err;
    url = must((await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl);
    const settable = { ...attributes };
    delete settable.FifoQueue; // cannot be changed after creation
    if (Object.keys(settable).length) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: settable }));
    }
  }
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: must(attrs.Attributes?.QueueArn), name: queueName };
}

/** {"Fn::GetAtt": ["Dlq", "Arn"]} or {"Fn::GetAtt": "Dlq.Arn"} -> "Dlq" */
function getAttTarget(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && getAtt[1] === 'Arn') return getAtt[0];
  if (typeof getAtt === 'string' && getAtt.endsWith('.Arn')) return getAtt.slice(0, -'.Arn'.length);
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(o: unknown, key: string): string {
  const v = (o as Record<string, unknown> | null)?.[key];
  if (typeof v !== 'string') throw new Error(`template: expected a string ${key}, got ${JSON.stringify(v)}`);
  return v;
}

function strings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === 'string');
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

function must(v: string | undefined): string {
  if (v === undefined) throw new Error('unexpected empty answer from the emulator');
  return v;
}

function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: string; Code?: string };
  return e.name ?? e.Code;
}
