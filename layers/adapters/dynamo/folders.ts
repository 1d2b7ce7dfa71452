// FolderStore on the table: a folder's partition ("C#<company>#F#<folder>") holds the folder record,
// its media, analyses, webhook deliveries and reports; the folder record is listed per company
// ("list" index) and in the sharded "all" index.
import type { Analysis, Folder, Media } from '../../core/entities';
import { analysisLinks } from '../../core/ports/collections';
import type { Page } from '../../core/ports/common';
import type { FolderAggregate, FolderFields, FolderListQuery, FolderStore } from '../../core/ports/folders';
import { allIndexPartitions, allIndexPk, folderExists, folderPk, linkKey, mediaItems, mediaKey, pointer, pointerKey, timeKey } from './keys';
import { conditionally, type DynamoTable, type Key } from './table';

const byTime = <T extends { time_created: number }>(a: T, b: T) => a.time_created - b.time_created;

export class DynamoFolderStore implements FolderStore {
  constructor(private readonly table: DynamoTable) {}

  async createFolder(folder: Folder, media: Media[]): Promise<void> {
    const key = timeKey(folder.time_created, folder.folder_id);
    await this.table.transact([
      this.table.put(
        { pk: folderPk(folder.company_id, folder.folder_id), sk: 'FOLDER', lpk: `${folder.company_id}#FOLDER`, lsk: key, gpk: allIndexPk('FOLDER', folder.folder_id), gsk: key, data: folder },
        'attribute_not_exists(pk)',
      ),
      this.table.put(pointer('FOLDER', folder.folder_id, folder.company_id, folder.folder_id)),
      ...mediaItems(this.table, media),
    ]);
  }

  async addMedia(folder: Folder, media: Media[]): Promise<void> {
    await this.table.transact([folderExists(this.table, folder), ...mediaItems(this.table, media)]);
  }

  async getFolder(companyId: string, folderId: string): Promise<FolderAggregate | null> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': folderPk(companyId, folderId) }, ConsistentRead: true });
    const folder = items.find((i) => i.sk === 'FOLDER');
    if (!folder) return null;
    return {
      folder: folder['data'] as Folder,
      media: items.filter((i) => i.sk.startsWith('MEDIA#')).map((i) => i['data'] as Media).sort(byTime),
      analyses: items.filter((i) => i.sk.startsWith('ANALYSIS#')).map((i) => i['data'] as Analysis).sort(byTime),
    };
  }

  async locate(kind: 'FOLDER' | 'MEDIA' | 'ANALYSIS', id: string) {
    const key = pointerKey(kind, id);
    const entry = await this.table.get<{ company_id: string; folder_id: string }>(key.pk, key.sk);
    return entry ? { company_id: entry.company_id, folder_id: entry.folder_id } : null;
  }

  async listFolders(query: FolderListQuery): Promise<Page<FolderAggregate>> {
    const lower = timeKey(query.time_created_min ?? 0, '');
    const upper = timeKey(query.time_created_max ?? 9_999_999_999, '~');
    // BETWEEN with a reversed range is a DynamoDB error; such a window holds nothing.
    if (lower > upper) return { total: 0, items: [] };
    // A CLIENT's own folders: filtered by DynamoDB, so the pages hold only theirs.
    const byUser = query.user_id ? { FilterExpression: '#d.user_id = :u', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':u': query.user_id } } : {};
    const company = query.company_id;
    // Newest first, reading only as far as `want` folders (every shard of the "all" index for ADMIN/OPERATOR).
    const read = (want: number) =>
      company === null
        ? this.table.allIndexNewestFirst(allIndexPartitions('FOLDER'), { ...byUser, range: [lower, upper] }, want)
        : this.table.queryUpTo(
            {
              ...byUser,
              IndexName: 'list',
              KeyConditionExpression: 'lpk = :p AND lsk BETWEEN :lo AND :hi',
              ExpressionAttributeValues: { ...byUser.ExpressionAttributeValues, ':p': `${company}#FOLDER`, ':lo': lower, ':hi': upper },
              ScanIndexForward: false,
            },
            want,
          );
    const countAll = async () => {
      const partitions = company === null ? allIndexPartitions('FOLDER').map((p) => ({ IndexName: 'all', key: 'gpk', sort: 'gsk', p })) : [{ IndexName: 'list', key: 'lpk', sort: 'lsk', p: `${company}#FOLDER` }];
      const counts = await Promise.all(
        partitions.map(({ IndexName, key, sort, p }) =>
          this.table.count({
            ...byUser,
            IndexName,
            KeyConditionExpression: `${key} = :p AND ${sort} BETWEEN :lo AND :hi`,
            ExpressionAttributeValues: { ...byUser.ExpressionAttributeValues, ':p': p, ':lo': lower, ':hi': upper },
          }),
        ),
      );
      return counts.reduce((a, b) => a + b, 0);
    };
    const load = async (f: Folder) => (await this.getFolder(f.company_id, f.folder_id)) ?? { folder: f, media: [], analyses: [] };
    if (!query.filter) {
      const [page, total] = await Promise.all([read(query.offset + query.limit), countAll()]);
      const window = page.items.slice(query.offset).map((i) => i['data'] as Folder);
      return { total, items: await Promise.all(window.map(load)) };
    }
    // Filters on analyses need each folder's records: every folder in range is looked at (the total counts matches).
    const folders = (await read(Number.MAX_SAFE_INTEGER)).items.map((i) => i['data'] as Folder);
    const matches: FolderAggregate[] = [];
    for (let i = 0; i < folders.length; i += 25) {
      const loaded = await Promise.all(folders.slice(i, i + 25).map(load));
      matches.push(...loaded.filter(query.filter));
    }
    return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit) };
  }

  async deleteFolder(companyId: string, folderId: string): Promise<void> {
    const pk = folderPk(companyId, folderId);
    const sweep = async (withFolder: boolean) => {
      const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true });
      const keys: Key[] = [];
      for (const i of items) {
        if (i.sk === 'FOLDER' && !withFolder) continue;
        keys.push({ pk: i.pk, sk: i.sk });
        if (i.sk.startsWith('MEDIA#')) keys.push(pointerKey('MEDIA', i.sk.slice(6)));
        if (i.sk.startsWith('ANALYSIS#')) {
          const a = i['data'] as Analysis;
          keys.push(pointerKey('ANALYSIS', a.analysis_id), ...analysisLinks(a).map(linkKey));
        }
      }
      if (withFolder) keys.push(pointerKey('FOLDER', folderId));
      await this.table.deleteKeys(keys);
    };
    // Children first: while the folder record exists, a deletion cut short can be repeated.
    await sweep(false);
    await sweep(true);
    await sweep(true); // what was added between the two reads (an analysis started at that moment)
  }

  async deleteMedia(media: Media[]): Promise<void> {
    await this.table.deleteKeys(media.flatMap((m) => [mediaKey(m), pointerKey('MEDIA', m.media_id)]));
  }

  async setOperatorFields(companyId: string, folderId: string, fields: FolderFields, at: number): Promise<boolean> {
    const names: Record<string, string> = { '#d': 'data' };
    const values: Record<string, unknown> = { ':t': at };
    const sets = ['#d.time_updated = :t'];
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#d.#${name} = :${name}`);
    }
    return conditionally(() =>
      this.table.update({
        Key: { pk: folderPk(companyId, folderId), sk: 'FOLDER' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
