// MetaDataStore on the table: meta_data lives in each object's own record.
import type { JsonObject } from '../../core/entities';
import type { MetaDataStore, MetaDataTarget } from '../../core/ports/metadata';
import { analysisKey, collectionPk, folderPk, mediaKey, userKey } from './keys';
import { conditionally, type DynamoTable, type Key } from './table';

function recordKey(target: MetaDataTarget): Key {
  switch (target.kind) {
    case 'FOLDER':
      return { pk: folderPk(target.company_id, target.folder_id), sk: 'FOLDER' };
    case 'MEDIA':
      return mediaKey({ company_id: target.company_id, folder_id: target.folder_id, media_id: target.id });
    case 'ANALYSIS':
      return analysisKey(target.company_id, target.folder_id, target.id);
    case 'COLLECTION':
      return { pk: collectionPk(target.company_id, target.collection_id), sk: 'COLLECTION' };
    case 'PERSON':
      return { pk: collectionPk(target.company_id, target.collection_id), sk: `PERSON#${target.person_id}` };
    case 'USER':
      return userKey(target.user_id);
  }
}

export class DynamoMetaDataStore implements MetaDataStore {
  constructor(private readonly table: DynamoTable) {}

  setMetaData(target: MetaDataTarget, meta: JsonObject, at: number): Promise<boolean> {
    return conditionally(() =>
      this.table.update({
        Key: recordKey(target),
        UpdateExpression: 'SET #d.meta_data = :m, #d.time_updated = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':m': meta, ':t': at },
      }),
    );
  }
}
