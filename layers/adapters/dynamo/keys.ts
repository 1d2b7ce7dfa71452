// How the areas' records are keyed in the one table, and the writes that more than one adapter puts
// in its transactions. Keys are tenant-prefixed (C#<company>#F#<folder>); lookups by id go through
// pointer items written in the same transaction, so they are strongly consistent (a GSI would be
// eventually consistent and a folder created a moment ago could answer 404). Listings use two
// GSIs: "list" (per company) and "all" (global roles).
import type { Folder, Media } from '../../core/entities';
import { timeKey } from '../../core/ports/common';
import type { UsageEvent } from '../../core/metering';
import type { DynamoTable, Item, Key, TransactItem } from './table';

export const folderPk = (companyId: string, folderId: string) => `C#${companyId}#F#${folderId}`;
export const collectionPk = (companyId: string, collectionId: string) => `C#${companyId}#COL#${collectionId}`;
export const usagePk = (companyId: string) => `USAGE#${companyId}`;
export const userKey = (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'USER' });
export const mediaKey = (m: Pick<Media, 'company_id' | 'folder_id' | 'media_id'>): Key => ({ pk: folderPk(m.company_id, m.folder_id), sk: `MEDIA#${m.media_id}` });
export const analysisKey = (companyId: string, folderId: string, analysisId: string): Key => ({ pk: folderPk(companyId, folderId), sk: `ANALYSIS#${analysisId}` });
export const pointerKey = (kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS' | 'PERSON', id: string): Key => ({ pk: `${kind}#${id}`, sk: 'POINTER' });
/** "This analysis found that person": kept in the person's collection. */
export const linkKey = (l: { company_id: string; collection_id: string; person_id: string; analysis_id: string }): Key => ({ pk: collectionPk(l.company_id, l.collection_id), sk: `LINK#${l.person_id}#${l.analysis_id}` });

export const templateBytes = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
export const templateOf = (b: Uint8Array) => new Float32Array(Uint8Array.from(b).buffer);
/** Sort keys that order by creation time (listings, change log, retention cursors). */
export { timeKey };
export const pointer = (kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS' | 'PERSON', id: string, companyId: string, folderId: string): Item => ({
  ...pointerKey(kind, id),
  company_id: companyId,
  folder_id: folderId,
});

/**
 * The "all" index (ADMIN's cross-company listings) spreads folders, audit entries and PROCESSING
 * analyses over this many partitions each ("FOLDER#0".."FOLDER#7"...), by a hash of their id, so no
 * single partition takes every tenant's writes. Listings read every shard and merge.
 */
const ALL_INDEX_SHARDS = 8;
export const PROCESSING_SHARDS = ALL_INDEX_SHARDS;
/** The shard partitions of a kind, plus its unsharded partition written before sharding (still read). */
export const allIndexPartitions = (kind: 'FOLDER' | 'AUDIT') => [...Array.from({ length: ALL_INDEX_SHARDS }, (_, i) => `${kind}#${i}`), kind];
export const allIndexPk = (kind: 'FOLDER' | 'AUDIT', id: string) => `${kind}#${shardOf(id, ALL_INDEX_SHARDS)}`;
export const processingPk = (analysisId: string) => `PROCESSING#${shardOf(analysisId, PROCESSING_SHARDS)}`;
/** A stable shard of an id: FNV-1a over its characters. */
function shardOf(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % shards;
}
/** Counter items per company, month and type are split in shards so concurrent finishes rarely collide. */
const USAGE_SHARDS = 8;

/** The media records of a folder with their id pointers. */
export function mediaItems(table: DynamoTable, media: Media[]): TransactItem[] {
  return media.flatMap((m) => [table.put({ ...mediaKey(m), data: m }), table.put(pointer('MEDIA', m.media_id, m.company_id, m.folder_id))]);
}

/** The folder exists and is not cleared of personal data (new media and analyses are refused then). */
export function folderExists(table: DynamoTable, folder: Pick<Folder, 'company_id' | 'folder_id'>): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER' },
      ConditionExpression: 'attribute_exists(pk) AND NOT #d.is_cleared = :cleared',
      ExpressionAttributeNames: { '#d': 'data' },
      ExpressionAttributeValues: { ':cleared': true },
    },
  };
}

// Metering: one partition per company (counters in shards, the started count, the quota, the
// outbox); the "list" index finds every company's counters of a month, "all" the outbox.
/** Adds one final analysis to a counter shard of its company, month and type. */
export function usageCounter(table: DynamoTable, e: UsageEvent, shard = Math.floor(Math.random() * USAGE_SHARDS)) {
  return {
    TableName: table.name,
    Key: { pk: usagePk(e.company_id), sk: `COUNT#${e.month}#${e.type}#${shard}` },
    UpdateExpression: 'ADD #n :one SET company_id = :c, #month = :m, #type = :t, lpk = :lpk, lsk = :lsk',
    ExpressionAttributeNames: { '#n': e.state === 'FINISHED' ? 'finished' : 'failed', '#month': 'month', '#type': 'type' },
    ExpressionAttributeValues: { ':one': 1, ':c': e.company_id, ':m': e.month, ':t': e.type, ':lpk': `USAGE#${e.month}`, ':lsk': `${e.company_id}#${e.type}#${shard}` },
  };
}

/** The outbox entry of a usage event, until it is published. */
export function outboxItem(table: DynamoTable, e: UsageEvent): TransactItem {
  return table.put({ pk: usagePk(e.company_id), sk: `OUTBOX#${e.analysis_id}`, gpk: 'USAGE_OUTBOX', gsk: timeKey(e.time, e.analysis_id), event: e });
}
