// What only the DynamoDB adapters promise beyond the storage contract (test/contract): how their
// records spread over the table's partitions. The behaviour itself is the contract's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { createResourcesFromTemplate } from '../../infra/local/emulators/resources';
import { synthTemplate } from '../../infra/local/synth';
import { dynamoStoragePorts } from '../../layers/adapters/dynamo';
import type { StoragePorts } from '../../layers/core/deps';
import type { Folder } from '../../layers/core/entities';
import { folderRecord } from '../support/records';

let dynamo: EmulatorHandle;
let ports: StoragePorts;
let doc: DynamoDBDocumentClient;
let table: string;

before(async () => {
  dynamo = await startDynamoDbLocal({});
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const client = new DynamoDBClient({ ...common, endpoint: dynamo.endpoint });
  // Only the tables matter here; S3/SQS clients point nowhere and are never called for tables.
  const template = synthTemplate();
  const tablesOnly = { Resources: Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) };
  const resources = await createResourcesFromTemplate(tablesOnly, { dynamodb: client, s3: new S3Client(common), sqs: new SQSClient(common) });
  table = Object.values(resources.tables)[0]!;
  ports = dynamoStoragePorts(client, table);
  doc = DynamoDBDocumentClient.from(client);
});
after(async () => {
  await dynamo?.stop();
});

test('the "all" index is sharded: folders of every company land in several of its partitions, none of them the old constant key', async () => {
  const made: Folder[] = [];
  for (let i = 0; i < 40; i++) made.push(folderRecord(`shard-co-${i % 4}`, 5_000_000 + i, { user_id: i % 2 ? 'odd' : 'even' }));
  for (const f of made) await ports.folders.createFolder(f, []);
  const shards = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const out = await doc.send(new QueryCommand({ TableName: table, IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': `FOLDER#${i}` } }));
    if ((out.Items ?? []).some((item) => made.some((f) => f.folder_id === (item['data'] as Folder).folder_id))) shards.add(`FOLDER#${i}`);
  }
  assert.ok(shards.size >= 4, `40 folders landed in ${shards.size} shards`);
  const old = await doc.send(new QueryCommand({ TableName: table, IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': 'FOLDER' } }));
  assert.equal(old.Items?.length ?? 0, 0);
  // The global listing reads every shard: all 40, newest first.
  const all = await ports.folders.listFolders({ company_id: null, user_id: null, time_created_min: 5_000_000, time_created_max: 5_000_100, offset: 0, limit: 100 });
  assert.deepEqual(all.items.map((i) => i.folder.folder_id), [...made].reverse().map((f) => f.folder_id));
});
