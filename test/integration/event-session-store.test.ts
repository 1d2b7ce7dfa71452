// The EventSessionStore adapter against DynamoDB Local, with the table the CDK stack defines: the
// append in place, the per-session cap, and the two time indexes answering windows in both orders.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { createResourcesFromTemplate } from '../../infra/local/emulators/resources';
import { synthTemplate } from '../../infra/local/synth';
import { DynamoEventSessionStore } from '../../layers/adapters/dynamo/event-sessions';

let dynamo: EmulatorHandle;
let store: DynamoEventSessionStore;

before(async () => {
  dynamo = await startDynamoDbLocal({});
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const client = new DynamoDBClient({ ...common, endpoint: dynamo.endpoint });
  const template = synthTemplate();
  const tablesOnly = { Resources: Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) };
  const resources = await createResourcesFromTemplate(tablesOnly, { dynamodb: client, s3: new S3Client(common), sqs: new SQSClient(common) });
  store = new DynamoEventSessionStore(client, Object.values(resources.tables)[0]!);
});
after(async () => {
  await dynamo?.stop();
});

const event = (name: string, time: number) => ({ event: name, time, data: {} });

test('appends in place: time_created and meta_data stay, time_updated moves, the cap is refused as "full"', async () => {
  const company = randomUUID();
  const base = { session_id: 'sdk-1', company_id: company, user_id: 'u1', meta_data: { sdk: 'ios' } };
  const first = await store.appendEvents(base, [event('a', 100)], 100, 3);
  assert.ok(first !== 'full');
  const second = await store.appendEvents({ ...base, user_id: 'u2', meta_data: { sdk: 'other' } }, [event('b', 200), event('c', 200)], 200, 3);
  assert.ok(second !== 'full');
  assert.deepEqual([second.time_created, second.time_updated, second.user_id, second.meta_data, second.events.map((e) => e.event)], [100, 200, 'u1', { sdk: 'ios' }, ['a', 'b', 'c']]);
  assert.equal(await store.appendEvents(base, [event('d', 300)], 300, 3), 'full');
  assert.equal((await store.getEventSession(company, 'sdk-1'))!.events.length, 3, 'a refused append stores nothing');
  assert.equal(await store.getEventSession(randomUUID(), 'sdk-1'), null, 'another company has no such session');
});

test('each index answers its time window in either order, with a limit, and only for its company', async () => {
  const company = randomUUID();
  // Created at 10, 20, 30; s10 updated last (at 40).
  for (const t of [10, 20, 30]) await store.appendEvents({ session_id: `s${t}`, company_id: company, user_id: 'u', meta_data: {} }, [event('x', t)], t, 10);
  await store.appendEvents({ session_id: 's10', company_id: company, user_id: 'u', meta_data: {} }, [event('y', 40)], 40, 10);
  await store.appendEvents({ session_id: 's15', company_id: randomUUID(), user_id: 'u', meta_data: {} }, [event('x', 15)], 15, 10);
  const ids = async (q: Partial<Parameters<DynamoEventSessionStore['queryEventSessions']>[0]>) =>
    (await store.queryEventSessions({ company_id: company, by: 'time_created', newestFirst: false, ...q })).map((s) => s.session_id);
  assert.deepEqual(await ids({}), ['s10', 's20', 's30']);
  assert.deepEqual(await ids({ newestFirst: true }), ['s30', 's20', 's10']);
  assert.deepEqual(await ids({ min: 15, max: 30 }), ['s20', 's30']);
  assert.deepEqual(await ids({ max: 20, newestFirst: true, limit: 1 }), ['s20']);
  assert.deepEqual(await ids({ by: 'time_updated' }), ['s20', 's30', 's10']);
  assert.deepEqual(await ids({ by: 'time_updated', min: 35 }), ['s10']);
  assert.deepEqual(await ids({ by: 'time_updated', max: 25 }), ['s20']);
});
