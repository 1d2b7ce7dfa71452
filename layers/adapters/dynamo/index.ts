// Every storage port of the core on one DynamoDB table (the stack's main table).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StoragePorts } from '../../core/deps';
import { DynamoAnalysisStore } from './analyses';
import { DynamoAuditLog } from './audit';
import { DynamoCollectionStore } from './collections';
import { DynamoEventSessionStore } from './event-sessions';
import { DynamoFolderStore } from './folders';
import { DynamoIdentityStore } from './identity';
import { DynamoMetaDataStore } from './metadata';
import { DynamoMeteringStore } from './metering';
import { DynamoPrivacyStore } from './privacy';
import { DynamoReportStore } from './reports';
import { DynamoTable } from './table';
import { DynamoWebhookStore } from './webhooks';

export function dynamoStoragePorts(client: DynamoDBClient, tableName: string): StoragePorts {
  const table = new DynamoTable(client, tableName);
  return {
    identity: new DynamoIdentityStore(table),
    audit: new DynamoAuditLog(table),
    folders: new DynamoFolderStore(table),
    analyses: new DynamoAnalysisStore(table),
    collections: new DynamoCollectionStore(table),
    metering: new DynamoMeteringStore(table),
    webhooks: new DynamoWebhookStore(table),
    privacy: new DynamoPrivacyStore(table),
    metaData: new DynamoMetaDataStore(table),
    reports: new DynamoReportStore(table),
    eventSessions: new DynamoEventSessionStore(table),
  };
}
