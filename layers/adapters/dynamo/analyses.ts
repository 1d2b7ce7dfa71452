// AnalysisStore on the table: analyses in their folder's partition ("ANALYSIS#<id>") with an id
// pointer; while PROCESSING, each is also listed in a sharded partition of the "all" index for the
// sweeper, and the final write replaces the item without those keys.
import type { Analysis, Folder, JsonObject, Media } from '../../core/entities';
import { usageEventOf } from '../../core/metering';
import type { AnalysisStore } from '../../core/ports/analyses';
import { analysisLinks } from '../../core/ports/collections';
import { PROCESSING_SHARDS, analysisKey, folderExists, folderPk, linkKey, mediaItems, mediaKey, outboxItem, pointer, pointerKey, processingPk, timeKey, usageCounter } from './keys';
import { conditionally, isConditionFailure, isTransactionConflict, type DynamoTable } from './table';

export class DynamoAnalysisStore implements AnalysisStore {
  constructor(private readonly table: DynamoTable) {}

  async createAnalyses(folder: Folder, analyses: Analysis[]): Promise<void> {
    await this.table.transact([
      folderExists(this.table, folder),
      ...analyses.flatMap((a) => [
        this.table.put({ ...analysisKey(a.company_id, a.folder_id, a.analysis_id), gpk: processingPk(a.analysis_id), gsk: timeKey(a.time_created, a.analysis_id), data: a }),
        this.table.put(pointer('ANALYSIS', a.analysis_id, a.company_id, a.folder_id)),
      ]),
    ]);
  }

  async startAttempt(companyId: string, folderId: string, analysisId: string, at: number): Promise<Analysis | null> {
    const key = analysisKey(companyId, folderId, analysisId);
    try {
      const attributes = await this.table.update({
        Key: key,
        UpdateExpression: 'SET #d.attempts = #d.attempts + :one, #d.time_task_received = :t',
        ConditionExpression: 'attribute_exists(pk) AND #d.#state = :processing',
        ExpressionAttributeNames: { '#d': 'data', '#state': 'state' },
        ExpressionAttributeValues: { ':one': 1, ':t': at, ':processing': 'PROCESSING' },
        ReturnValues: 'ALL_NEW',
      });
      return (attributes?.['data'] as Analysis | undefined) ?? null;
    } catch (err) {
      if (isConditionFailure(err)) return (await this.table.get<{ data: Analysis }>(key.pk, key.sk))?.data ?? null;
      throw err;
    }
  }

  async finishAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<boolean> {
    // Metering rides on this conditional write: counted (and its event put in the outbox) exactly
    // when the analysis becomes final, never by a retry that finds it final already.
    const usage = usageEventOf(analysis);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.table.transact([
          {
            Put: {
              TableName: this.table.name,
              Item: { ...analysisKey(analysis.company_id, analysis.folder_id, analysis.analysis_id), data: analysis },
              ConditionExpression: '#d.#state = :processing',
              ExpressionAttributeNames: { '#d': 'data', '#state': 'state' },
              ExpressionAttributeValues: { ':processing': 'PROCESSING' },
            },
          },
          ...mediaItems(this.table, outputMedia),
          { Update: usageCounter(this.table, usage) },
          outboxItem(this.table, usage),
        ]);
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        // Concurrent finishes of one company may touch the same counter shard: try again shortly.
        if (attempt < 8 && isTransactionConflict(err)) {
          await new Promise((r) => setTimeout(r, 20 * attempt * (0.5 + Math.random())));
          continue;
        }
        throw err;
      }
    }
  }

  async listProcessingAnalyses(createdBefore: number, limit: number): Promise<Analysis[]> {
    const pages = await Promise.all(
      Array.from({ length: PROCESSING_SHARDS }, (_, shard) =>
        this.table.queryPage({ IndexName: 'all', KeyConditionExpression: 'gpk = :p AND gsk < :t', ExpressionAttributeValues: { ':p': `PROCESSING#${shard}`, ':t': timeKey(createdBefore, '') }, Limit: limit }),
      ),
    );
    return pages
      .flatMap((p) => p.items.map((i) => i['data'] as Analysis))
      .filter((a) => a.state === 'PROCESSING')
      .sort((a, b) => a.time_created - b.time_created)
      .slice(0, limit);
  }

  async decideAnalysis(analysis: Analysis, decision: JsonObject, folderFields: { resolution_author_id: string; resolution_time: number }): Promise<boolean> {
    const pk = folderPk(analysis.company_id, analysis.folder_id);
    return conditionally(() =>
      this.table.transact([
        {
          Update: {
            TableName: this.table.name,
            Key: analysisKey(analysis.company_id, analysis.folder_id, analysis.analysis_id),
            UpdateExpression: 'SET #d.resolution_operator = :r',
            // Only a finished OPERATOR_REQUIRED result takes a decision (a later one replaces it).
            ConditionExpression: '#d.#s = :finished AND #d.resolution = :required',
            ExpressionAttributeNames: { '#d': 'data', '#s': 'state' },
            ExpressionAttributeValues: { ':r': decision, ':finished': 'FINISHED', ':required': 'OPERATOR_REQUIRED' },
          },
        },
        {
          Update: {
            TableName: this.table.name,
            Key: { pk, sk: 'FOLDER' },
            UpdateExpression: 'SET #d.resolution_author_id = :a, #d.resolution_time = :t, #d.time_updated = :t',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#d': 'data' },
            ExpressionAttributeValues: { ':a': folderFields.resolution_author_id, ':t': folderFields.resolution_time },
          },
        },
      ]),
    );
  }

  async deleteAnalysis(analysis: Analysis, outputMedia: Media[]): Promise<void> {
    await this.table.deleteKeys([
      analysisKey(analysis.company_id, analysis.folder_id, analysis.analysis_id),
      pointerKey('ANALYSIS', analysis.analysis_id),
      ...outputMedia.flatMap((m) => [mediaKey(m), pointerKey('MEDIA', m.media_id)]),
      ...analysisLinks(analysis).map(linkKey),
    ]);
  }
}
