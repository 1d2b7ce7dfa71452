// The collection search adapter against DynamoDB Local and the S3 emulator: concurrent enrolments
// lose nothing, deletions are never returned, and a cold container resumes from the S3 snapshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { startS3 } from '../../infra/local/emulators/s3';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { createResourcesFromTemplate } from '../../infra/local/emulators/resources';
import { synthTemplate } from '../../infra/local/synth';
import { dynamoStoragePorts } from '../../layers/adapters/dynamo';
import type { CollectionStore } from '../../layers/core/ports/collections';
import { S3BlobStore } from '../../layers/adapters/s3-blob-store';
import { collectionIndexKey } from '../../layers/core/collections';
import type { Person, PersonImage } from '../../layers/core/entities';
import { IndexedCollectionSearch } from '../../layers/adapters/collection-search';

let dynamo: EmulatorHandle;
let s3: EmulatorHandle;
let store: CollectionStore;
let blobs: S3BlobStore;
const company = 'company-1';
const collectionId = randomUUID();

function unit(seed: number): Float32Array {
  const v = new Float32Array(512);
  let x = seed * 2654435761;
  for (let i = 0; i < 512; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    v[i] = (x / 4294967296) * 2 - 1;
  }
  const n = Math.hypot(...v);
  return v.map((a) => a / n);
}

async function enrol(seed: number) {
  const person: Person = { person_id: `p${seed}`, collection_id: collectionId, company_id: company, meta_data: {}, time_created: 1, time_updated: 1 };
  const image: PersonImage = { media_id: `m${seed}`, person_id: person.person_id, collection_id: collectionId, company_id: company, media_type: 'IMAGE_FOLDER', original_name: 'x', tags: [], info: { thumb: null }, meta_data: {}, time_created: 1, time_updated: 1, blob_key: `k${seed}` };
  await store.putPersonImages(person, [{ image, template: unit(seed) }], true);
}

before(async () => {
  dynamo = await startDynamoDbLocal({});
  s3 = await startS3({});
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddbClient = new DynamoDBClient({ ...common, endpoint: dynamo.endpoint });
  const s3Client = new S3Client({ ...common, endpoint: s3.endpoint, forcePathStyle: true });
  const template = synthTemplate();
  const tablesOnly = { Resources: Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) };
  const resources = await createResourcesFromTemplate(tablesOnly, { dynamodb: ddbClient, s3: s3Client, sqs: new SQSClient(common) });
  store = dynamoStoragePorts(ddbClient, Object.values(resources.tables)[0]!).collections;
  await s3Client.send(new CreateBucketCommand({ Bucket: 'index-test' }));
  blobs = new S3BlobStore(s3Client, 'index-test');
  await store.putCollection({ collection_id: collectionId, company_id: company, alias: 'bl', meta_data: {}, time_created: 1, time_updated: 1 });
});
after(async () => {
  await dynamo?.stop();
  await s3?.stop();
});

const top = async (search: IndexedCollectionSearch, seed: number) => (await search.search(company, collectionId, unit(seed), 1, 0.85))[0]?.person_id;

test('concurrent enrolments are all searchable by the next search; deleted persons are never returned', async () => {
  const search = new IndexedCollectionSearch(store, blobs);
  await Promise.all(Array.from({ length: 20 }, (_, i) => enrol(i + 1)));
  for (let i = 1; i <= 20; i++) assert.equal(await top(search, i), `p${i}`);
  assert.equal(await top(search, 999), undefined);
  await enrol(21); // incremental: found without rebuilding
  assert.equal(await top(search, 21), 'p21');
  await store.deletePerson(company, collectionId, 'p5');
  assert.equal(await top(search, 5), undefined);
  await store.deletePersonImage(company, collectionId, 'p6', 'm6');
  assert.equal(await top(search, 6), undefined);
});

test('a cold container resumes from the S3 snapshot plus the changes since', async () => {
  const manifest = JSON.parse((await blobs.get(collectionIndexKey(company, collectionId))).toString('utf8'));
  assert.ok(manifest.count >= 20 && manifest.shards.length >= 1);
  await enrol(22);
  await store.deletePerson(company, collectionId, 'p7');
  const cold = new IndexedCollectionSearch(store, blobs);
  assert.equal(await top(cold, 22), 'p22');
  assert.equal(await top(cold, 7), undefined);
  assert.equal(await top(cold, 5), undefined);
  assert.equal(await top(cold, 12), 'p12');
});
