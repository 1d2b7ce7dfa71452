import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { createResourcesFromTemplate, localBucketName } from '../../infra/local/emulators/resources';
import { startS3 } from '../../infra/local/emulators/s3';
import { startSqs } from '../../infra/local/emulators/sqs';
import { dynamoClient, s3Client, sqsClient, timed } from './helpers';

// A tiny hand-made template in the shape `cdk synth` writes.
const template = {
  Resources: {
    RecordsTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'oz-test-records',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'N' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['state', 'time_created'] },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    },
    UnnamedTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
    },
    MediaBucketA1B2C3D4: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true },
      },
    },
    // The queue is declared before its DLQ on purpose: the DLQ must still be created first.
    AnalysisQueueE5F6: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        VisibilityTimeout: 900,
        MessageRetentionPeriod: 345600,
        ReceiveMessageWaitTimeSeconds: 20,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['AnalysisDlq7788', 'Arn'] }, maxReceiveCount: 3 },
        SqsManagedSseEnabled: true,
      },
    },
    AnalysisDlq7788: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: 'oz-test-analysis-dlq', MessageRetentionPeriod: 1209600 },
    },
    SomeRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
  },
};

describe('createResourcesFromTemplate', () => {
  let ddb: EmulatorHandle;
  let s3: EmulatorHandle;
  let sqs: EmulatorHandle;
  before(async () => {
    [ddb, s3, sqs] = await Promise.all([
      timed('DynamoDB Local (in-memory)', () => startDynamoDbLocal()),
      timed('s3rver', () => startS3()),
      timed('fauxqs', () => startSqs()),
    ]);
  });
  after(async () => {
    await Promise.all([ddb?.stop(), s3?.stop(), sqs?.stop()]);
  });

  test('creates tables (with GSI), buckets and queues (DLQ first), and a second run is a no-op', async () => {
    const clients = { dynamodb: dynamoClient(ddb.endpoint), s3: s3Client(s3.endpoint), sqs: sqsClient(sqs.endpoint) };
    try {
      const res = await createResourcesFromTemplate(template, clients);
      assert.deepEqual(res.tables, { RecordsTable: 'oz-test-records', UnnamedTable: 'UnnamedTable' });
      assert.deepEqual(res.buckets, { MediaBucketA1B2C3D4: 'mediabucketa1b2c3d4' });
      assert.deepEqual(Object.keys(res.queues).sort(), ['AnalysisDlq7788', 'AnalysisQueueE5F6']);
      assert.equal(res.queues.AnalysisDlq7788?.name, 'oz-test-analysis-dlq');
      assert.equal(res.queues.AnalysisQueueE5F6?.name, 'AnalysisQueueE5F6');

      const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'oz-test-records' }));
      assert.equal(Table?.TableStatus, 'ACTIVE');
      assert.deepEqual(
        Table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType]),
        [
          ['pk', 'HASH'],
          ['sk', 'RANGE'],
        ],
      );
      const gsi = Table?.GlobalSecondaryIndexes?.[0];
      assert.equal(gsi?.IndexName, 'gsi1');
      assert.equal(gsi?.Projection?.ProjectionType, 'INCLUDE');
      assert.deepEqual([...(gsi?.Projection?.NonKeyAttributes ?? [])].sort(), ['state', 'time_created']);
      assert.equal(Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
      await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'UnnamedTable' }));

      await clients.s3.send(new HeadBucketCommand({ Bucket: 'mediabucketa1b2c3d4' }));

      const dlq = res.queues.AnalysisDlq7788!;
      const main = res.queues.AnalysisQueueE5F6!;
      assert.match(dlq.arn, /^arn:aws:sqs:[a-z0-9-]+:\d+:oz-test-analysis-dlq$/);
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: main.url, AttributeNames: ['All'] }),
      );
      assert.equal(Attributes?.VisibilityTimeout, '900');
      assert.equal(Attributes?.MessageRetentionPeriod, '345600');
      assert.equal(Attributes?.ReceiveMessageWaitTimeSeconds, '20');
      assert.deepEqual(JSON.parse(Attributes?.RedrivePolicy ?? '{}'), { deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 });

      // Idempotent: same answer, nothing duplicated.
      const again = await createResourcesFromTemplate(template, clients);
      assert.deepEqual(again, res);
      const tables = await clients.dynamodb.send(new ListTablesCommand({}));
      assert.deepEqual([...(tables.TableNames ?? [])].sort(), ['UnnamedTable', 'oz-test-records']);
      const buckets = await clients.s3.send(new ListBucketsCommand({}));
      assert.deepEqual(buckets.Buckets?.map((b) => b.Name), ['mediabucketa1b2c3d4']);

      // A later template (persisted data from an older one): a GSI it adds is created...
      const evolved = structuredClone(template);
      const props = evolved.Resources.RecordsTable.Properties;
      props.AttributeDefinitions.push({ AttributeName: 'gsi2pk', AttributeType: 'S' });
      props.GlobalSecondaryIndexes.push({
        IndexName: 'gsi2',
        KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' } as (typeof props.GlobalSecondaryIndexes)[number]['Projection'],
      } as (typeof props.GlobalSecondaryIndexes)[number]);
      // ... and a queue whose attributes changed gets the new ones.
      evolved.Resources.AnalysisQueueE5F6.Properties.VisibilityTimeout = 120;
      const evolvedRes = await createResourcesFromTemplate(evolved, clients);
      assert.deepEqual(evolvedRes, res);
      const evolvedQueue = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: main.url, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
      );
      assert.equal(evolvedQueue.Attributes?.VisibilityTimeout, '120');
      assert.equal(JSON.parse(evolvedQueue.Attributes?.RedrivePolicy ?? '{}').deadLetterTargetArn, dlq.arn);
      const described = await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'oz-test-records' }));
      assert.deepEqual(described.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort(), ['gsi1', 'gsi2']);
    } finally {
      clients.dynamodb.destroy();
      clients.s3.destroy();
      clients.sqs.destroy();
    }
  });
});

test('localBucketName makes logical IDs S3-valid', () => {
  assert.equal(localBucketName('MediaBucketA1B2C3D4'), 'mediabucketa1b2c3d4');
  assert.equal(localBucketName('My_Bucket__'), 'my-bucket');
  assert.equal(localBucketName('A'), 'a-bucket');
  assert.equal(localBucketName('X'.repeat(80)).length, 63);
});

test('DynamoDB Local persisted mode keeps tables and items across stop/start; stop() ends the JVM', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oz-ddb-'));
  try {
    const first = await timed('DynamoDB Local (persisted, empty)', () => startDynamoDbLocal({ dataDir }));
    let client = dynamoClient(first.endpoint);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'kept',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await client.send(new PutItemCommand({ TableName: 'kept', Item: { id: { S: 'a' }, v: { N: '42' } } }));
    } finally {
      client.destroy();
      await first.stop();
    }
    // stop() ended the JVM: the port is free, and a second stop() is fine.
    await first.stop();
    const answered = await fetch(first.endpoint).then(
      () => true,
      () => false,
    );
    assert.equal(answered, false);

    const second = await timed('DynamoDB Local (persisted, reopened)', () => startDynamoDbLocal({ dataDir }));
    client = dynamoClient(second.endpoint);
    try {
      const { TableNames } = await client.send(new ListTablesCommand({}));
      assert.deepEqual(TableNames, ['kept']);
      const { Item } = await client.send(new GetItemCommand({ TableName: 'kept', Key: { id: { S: 'a' } } }));
      assert.deepEqual(Item, { id: { S: 'a' }, v: { N: '42' } });
    } finally {
      client.destroy();
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('without Java, DynamoDB Local fails with a plain instruction', () => {
  const code =
    "require('./infra/local/emulators/dynamodb').startDynamoDbLocal()" +
    ".then(() => process.exit(3), (e) => { console.log(e.message); process.exit(0); })";
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: join(__dirname, '..', '..'),
    env: { PATH: '/nonexistent', HOME: tmpdir() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(
    run.stdout.trim(),
    'DynamoDB Local needs a Java runtime (17 or newer): install one, e.g. ' +
      '`apt-get install openjdk-17-jre-headless`, then run again.',
  );
});

test('emulators with an explicit port use it', { timeout: 60_000 }, async () => {
  const probe = await startSqs();
  const port = Number(new URL(probe.endpoint).port);
  await probe.stop();
  const s = await startS3({ port });
  try {
    assert.equal(s.endpoint, `http://127.0.0.1:${port}`);
  } finally {
    await s.stop();
  }
});
