// What clearing keeps and drops, record by record (layers/core/privacy.ts), and its configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearedAnalysis, clearedMedia, clearedResultsData, companyRetentionDays, retentionConfigFromEnv } from '../../layers/core/privacy';
import type { Analysis, Media } from '../../layers/core/entities';

test('results_data keeps numbers, booleans and the gesture tag/message; drops arrays and other strings', () => {
  const data = { confidence_spoofing: 0.1, passed: true, template: [0.1, 0.2], name: 'John', gesture: { tag: 'video_selfie_smile', passed: false, message: 'no smile', bbox: [1, 2] }, none: null };
  assert.deepEqual(clearedResultsData(data), { confidence_spoofing: 0.1, passed: true, gesture: { tag: 'video_selfie_smile', passed: false, message: 'no smile' }, none: null });
  assert.equal(clearedResultsData(null), null);
});

test('media lose bytes, name, md5 and meta_data; analyses lose meta_data and collection matches, keep resolution', () => {
  const media = {
    media_id: 'm', folder_id: 'f', company_id: 'c', folder_time_created: 1, media_type: 'VIDEO_FOLDER', original_name: 'john.mp4', tags: ['video_selfie_blank'],
    info: { thumb: null, video: { duration: 1, FPS: 30, width: 2, height: 2, md5: 'x', size: 3, 'mime-type': 'video/mp4' } }, meta_data: { a: 1 }, technical_meta_data: { b: 2 },
    time_created: 1, time_updated: 1, blob_key: 'c/f/m',
  } as Media;
  const m = clearedMedia(media);
  assert.deepEqual([m.blob_key, m.original_name, m.info.video!.md5, m.info.video!.size, m.meta_data, m.technical_meta_data, m.tags], ['', '', '', 3, {}, {}, ['video_selfie_blank']]);
  assert.deepEqual(clearedMedia(m), m, 'clearing is idempotent');
  const analysis = {
    analysis_id: 'a', state: 'FINISHED', resolution: 'SUCCESS', meta_data: { x: 1 }, results_data: { max_confidence: 0.9 },
    results_media: [{ source_media_id: 'm', media_association_id: 'm', results_data: { max_confidence: 0.9 }, output_images: ['o'], collection_persons: [{ person_id: 'p', collection_id: 'k' }] }],
  } as unknown as Analysis;
  const a = clearedAnalysis(analysis);
  assert.deepEqual([a.resolution, a.state, a.meta_data, a.results_data, a.results_media[0]!.collection_persons, a.results_media[0]!.output_images], ['SUCCESS', 'FINISHED', {}, { max_confidence: 0.9 }, [], ['o']]);
});

test('retention configuration: off by default, bad values refused, a company override wins', () => {
  assert.deepEqual(retentionConfigFromEnv({}), { days: 0, maxFolders: 1000, pageSize: 25 });
  assert.equal(retentionConfigFromEnv({ OZ_RETENTION_DAYS: '30' }).days, 30);
  assert.throws(() => retentionConfigFromEnv({ OZ_RETENTION_DAYS: '-1' }), /OZ_RETENTION_DAYS/);
  assert.throws(() => retentionConfigFromEnv({ OZ_RETENTION_MAX_FOLDERS: '0' }), /OZ_RETENTION_MAX_FOLDERS/);
  assert.equal(companyRetentionDays({ retention_days: 0 }, 30), 0);
  assert.equal(companyRetentionDays({ retention_days: 7 }, 0), 7);
  assert.equal(companyRetentionDays({ retention_days: 'x' }, 30), 30);
});
