import type { BlobStore, Clock, IdGenerator, JobQueue, Log } from './ports';
import type { IdentityStore } from './ports/identity';
import type { AuditLog } from './ports/audit';
import type { FolderStore } from './ports/folders';
import type { AnalysisStore } from './ports/analyses';
import type { CollectionStore } from './ports/collections';
import type { MeteringStore } from './ports/metering';
import type { WebhookStore } from './ports/webhooks';
import type { PrivacyStore } from './ports/privacy';
import type { MetaDataStore } from './ports/metadata';
import type { ReportStore } from './ports/reports';
import type { EventSessionStore } from './ports/event-sessions';
import type { PriceTable, UsageEventSink } from './metering';

export interface CoreConfig {
  /** OZ_SESSION_TTL: seconds a regular session lives and is extended by on each use. */
  sessionTtlSeconds: number;
  /** OZ_SESSION_LONGLIVE_TTL: seconds a service (CLIENT SERVICE) token lives. */
  longLivedTtlSeconds: number;
  /** How long presigned original_url links stay valid. */
  presignTtlSeconds: number;
  /** Default threshold_spoofing for QUALITY analyses. */
  defaultThresholdSpoofing: number;
  /** BIOMETRY and COLLECTION: a calibrated score at or above this means the same person. */
  biometryThreshold: number;
  /** Optional OPERATOR_REQUIRED band [low, high] for BIOMETRY (OZ_BIOMETRY_OPERATOR_BAND=0.75,0.9). */
  biometryOperatorBand: number[];
  /** OZ_PRICE_TABLE: prices of FINISHED analyses for GET /api/usage; null = counts only. */
  priceTable: PriceTable | null;
  /** OZ_PASSWORD_MIN_LENGTH: the password policy's minimum length (letters and digits are always required). */
  passwordMinLength: number;
  /**
   * OZ_QUALITY_THREE_SCORES=true: QUALITY results carry confidence_replay, confidence_liveness and
   * confidence_spoofing, the pre-5.0.0 answer (changelog 5.0.0 keeps it behind a switch).
   */
  qualityThreeScores: boolean;
  /** OZ_WEBHOOK_ALLOW_PRIVATE=true (local development): webhooks may go to loopback and private addresses. */
  webhookAllowPrivate: boolean;
}

export const defaultConfig: CoreConfig = {
  sessionTtlSeconds: 15 * 60,
  longLivedTtlSeconds: 5 * 365 * 24 * 3600,
  presignTtlSeconds: 15 * 60,
  defaultThresholdSpoofing: 0.5,
  biometryThreshold: 0.85,
  biometryOperatorBand: [],
  priceTable: null,
  passwordMinLength: 8,
  qualityThreeScores: false,
  webhookAllowPrivate: false,
};

// Read from the environment by functions/config.ts.

/** The storage ports, one per area (layers/core/ports); each use case asks only for those it uses. */
export interface StoragePorts {
  identity: IdentityStore;
  audit: AuditLog;
  folders: FolderStore;
  analyses: AnalysisStore;
  collections: CollectionStore;
  metering: MeteringStore;
  webhooks: WebhookStore;
  privacy: PrivacyStore;
  metaData: MetaDataStore;
  /** Report templates, their attachments and folder reports (layers/core/reports). */
  reports: ReportStore;
  /** SDK event sessions (layers/core/event-sessions.ts). */
  eventSessions: EventSessionStore;
}

export interface CoreDeps extends StoragePorts {
  blobs: BlobStore;
  queue: JobQueue;
  clock: Clock;
  ids: IdGenerator;
  config: CoreConfig;
  /** Where the core's log lines go; without it they are dropped (tests). */
  log?: Log;
  /** Where usage events go (the usage queue); without it they wait in the outbox. */
  usageEvents?: UsageEventSink;
}
