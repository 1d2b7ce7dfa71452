// PrivacyStore on the table: cleared records rewritten in place, the retention job's walk over a
// company's folders oldest first through the "list" index, and its cursor beside the company.
import type { Analysis, Folder, Media } from '../../core/entities';
import type { AnalysisLink } from '../../core/ports/collections';
import type { PrivacyStore } from '../../core/ports/privacy';
import { analysisKey, folderPk, linkKey, mediaKey, timeKey } from './keys';
import { conditionally, isConditionFailure, type DynamoTable } from './table';

export class DynamoPrivacyStore implements PrivacyStore {
  constructor(private readonly table: DynamoTable) {}

  putClearedFolder(folder: Folder, onlyIfNotCleared: boolean): Promise<boolean> {
    return conditionally(() =>
      this.table.update({
        Key: { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER' },
        UpdateExpression: 'SET #d = :folder',
        ConditionExpression: onlyIfNotCleared ? 'attribute_exists(pk) AND NOT #d.is_cleared = :cleared' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':folder': folder, ...(onlyIfNotCleared ? { ':cleared': true } : {}) },
      }),
    );
  }

  async putClearedRecords(media: Media[], analyses: Analysis[], links: AnalysisLink[]): Promise<void> {
    // One conditional write each: a record deleted meanwhile (an analysis and its output images) stays deleted.
    const writes = [
      ...media.map((m) => ({ key: mediaKey(m), data: m as unknown, state: null as string | null })),
      ...analyses.map((a) => ({ key: analysisKey(a.company_id, a.folder_id, a.analysis_id), data: a as unknown, state: a.state as string | null })),
    ];
    for (let i = 0; i < writes.length; i += 10) {
      await Promise.all(
        writes.slice(i, i + 10).map((w) =>
          conditionally(() =>
            this.table.update({
              Key: w.key,
              UpdateExpression: 'SET #d = :data',
              ConditionExpression: w.state ? 'attribute_exists(pk) AND #d.#state = :state' : 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#d': 'data', ...(w.state ? { '#state': 'state' } : {}) },
              ExpressionAttributeValues: { ':data': w.data, ...(w.state ? { ':state': w.state } : {}) },
            }),
          ),
        ),
      );
    }
    if (links.length) await this.table.deleteKeys(links.map(linkKey));
  }

  async listFoldersCreatedBefore(companyId: string, before: number, cursor: string | null, limit: number) {
    const lpk = `${companyId}#FOLDER`;
    // A start key outside the key condition is an error: a cursor past the cutoff has nothing to read.
    if (cursor && cursor >= timeKey(before, '~')) return { items: [], next: null };
    // The cursor is the folder's listing sort key ("<time>#<folder_id>"): the start key is rebuilt from it.
    const start = cursor ? { lpk, lsk: cursor, pk: folderPk(companyId, cursor.slice(cursor.indexOf('#') + 1)), sk: 'FOLDER' } : undefined;
    const page = await this.table.queryPage({
      IndexName: 'list',
      KeyConditionExpression: 'lpk = :p AND lsk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':p': lpk, ':lo': timeKey(0, ''), ':hi': timeKey(before, '~') },
      ScanIndexForward: true, // oldest first
      Limit: limit,
      ExclusiveStartKey: start,
    });
    return { items: page.items.map((i) => ({ folder: i['data'] as Folder, cursor: String(i['lsk']) })), next: page.last ? String(page.last['lsk']) : null };
  }

  async getRetentionCursor(companyId: string): Promise<string | null> {
    return (await this.table.get<{ cursor: string }>(`COMPANY#${companyId}`, 'RETENTION_CURSOR'))?.cursor ?? null;
  }

  async advanceRetentionCursor(companyId: string, cursor: string): Promise<void> {
    // A failed condition: another run got further; theirs stays.
    await this.table
      .putItem({ Item: { pk: `COMPANY#${companyId}`, sk: 'RETENTION_CURSOR', cursor }, ConditionExpression: 'attribute_not_exists(pk) OR #c < :c', ExpressionAttributeNames: { '#c': 'cursor' }, ExpressionAttributeValues: { ':c': cursor } })
      .catch((err) => {
        if (!isConditionFailure(err)) throw err;
      });
  }
}
