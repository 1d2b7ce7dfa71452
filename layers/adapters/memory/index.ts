// Every storage port of the core in memory, over one shared state: real behaviour (conditions,
// conflicts, paging, ordering; no TTL) for the core's unit tests and the storage contract suite.
import type { StoragePorts } from '../../core/deps';
import { MemoryAnalysisStore } from './analyses';
import { MemoryAuditLog } from './audit';
import { MemoryCollectionStore } from './collections';
import { MemoryEventSessionStore } from './event-sessions';
import { MemoryFolderStore } from './folders';
import { MemoryIdentityStore } from './identity';
import { MemoryMetaDataStore } from './metadata';
import { MemoryMeteringStore } from './metering';
import { MemoryPrivacyStore } from './privacy';
import { MemoryReportStore } from './reports';
import { MemoryTables } from './tables';
import { MemoryWebhookStore } from './webhooks';

export function memoryStoragePorts(tables = new MemoryTables()): StoragePorts {
  return {
    identity: new MemoryIdentityStore(tables),
    audit: new MemoryAuditLog(tables),
    folders: new MemoryFolderStore(tables),
    analyses: new MemoryAnalysisStore(tables),
    collections: new MemoryCollectionStore(tables),
    metering: new MemoryMeteringStore(tables),
    webhooks: new MemoryWebhookStore(tables),
    privacy: new MemoryPrivacyStore(tables),
    metaData: new MemoryMetaDataStore(tables),
    reports: new MemoryReportStore(tables),
    eventSessions: new MemoryEventSessionStore(tables),
  };
}
