// The storage contract against the DynamoDB ports (layers/adapters/dynamo) on DynamoDB Local, with
// the table the CDK stack defines.
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal } from '../../infra/local/emulators/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { createResourcesFromTemplate } from '../../infra/local/emulators/resources';
import { synthTemplate } from '../../infra/local/synth';
import { dynamoStoragePorts } from '../../layers/adapters/dynamo';
import { dynamoClient } from '../integration/helpers';
import { storageContract } from './storage-contract';

storageContract(async () => {
  const dynamo = await startDynamoDbLocal({});
  const client = dynamoClient(dynamo.endpoint);
  // Only the tables matter here; S3/SQS clients point nowhere and are never called for tables.
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const template = synthTemplate();
  const tablesOnly = { Resources: Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) };
  const resources = await createResourcesFromTemplate(tablesOnly, { dynamodb: client, s3: new S3Client(common), sqs: new SQSClient(common) });
  return { ports: dynamoStoragePorts(client, Object.values(resources.tables)[0]!), close: () => dynamo.stop() };
});
