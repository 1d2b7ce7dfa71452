import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteError } from '../../../functions/lite/errors';
import { gestureOf, parseDetectPayload, payloadJson } from '../../../functions/lite/detect-payload';
import { detectAnswer, mediaInfo, worst, type DetectMedia, type MediaOutcome } from '../../../functions/lite/detect-answer';

const defaults = { thresholdSpoofing: 0.5 };
const payloadFault = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof LiteError && e.fault === 'part-type');

test('payload: the documents\' example parses; no payload means one quality analysis with the defaults', () => {
  const p = parseDetectPayload(
    {
      'folder:meta_data': { partner_side_folder_id: 'p1' },
      resolution_endpoint: 'https://www.your-custom-endpoint.com',
      'media:meta_data': { media_key1: { foo: 'bar2' } },
      'media:tags': { media_key1: ['video_selfie', 'video_selfie_blank'] },
      analyses: [{ type: 'quality', meta_data: { example1: 'some_example1' }, params: { threshold_spoofing: 0.6, extract_best_shot: true } }],
    },
    defaults,
  );
  assert.deepEqual(p.tags, { media_key1: ['video_selfie', 'video_selfie_blank'] });
  assert.deepEqual(p.mediaMeta, { media_key1: { foo: 'bar2' } });
  assert.deepEqual(p.folderMeta, { partner_side_folder_id: 'p1' });
  assert.equal(p.resolutionEndpoint, 'https://www.your-custom-endpoint.com');
  assert.deepEqual(p.analyses, [{ type: 'QUALITY', thresholdSpoofing: 0.6, extractBestShot: true, metaData: { example1: 'some_example1' } }]);
  assert.deepEqual(parseDetectPayload(payloadJson(null), defaults).analyses, [{ type: 'QUALITY', thresholdSpoofing: 0.5, extractBestShot: false, metaData: {} }]);
  assert.deepEqual(payloadJson('undefined'), {});
});

test('payload: lenient where clients differ (QUALITY/liveness, strings for numbers and flags, params beside analyses)', () => {
  const p = parseDetectPayload({ params: { extract_best_shot: 'true' }, analyses: [{ type: 'QUALITY', params: { threshold_spoofing: '0.3' } }, { type: 'liveness' }], 'media:tags': { a: 'photo_selfie' } }, defaults);
  assert.deepEqual(
    p.analyses.map((a) => [a.thresholdSpoofing, a.extractBestShot]),
    [
      [0.3, true],
      [0.5, true],
    ],
  );
  assert.deepEqual(p.tags, { a: ['photo_selfie'] });
});

test('payload: what cannot be read is LDE-002005 (the payload part is invalid)', () => {
  payloadFault(() => payloadJson('{not json'));
  // The payload is echoed in the answer: it is read under the API's rules (no stack overflow, no 1e999).
  payloadFault(() => payloadJson('{"folder:meta_data": ' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001)));
  payloadFault(() => payloadJson('{"folder:meta_data": {"n": 1e999}}'));
  payloadFault(() => payloadJson('{"folder:meta_data": {"__proto__": {"x": 1}}}'));
  payloadFault(() => parseDetectPayload([], defaults));
  payloadFault(() => parseDetectPayload({ analyses: [{ type: 'biometry' }] }, defaults));
  payloadFault(() => parseDetectPayload({ analyses: [{ params: { threshold_spoofing: 2 } }] }, defaults));
  payloadFault(() => parseDetectPayload({ analyses: [{ params: { extract_best_shot: 'yes' } }] }, defaults));
  payloadFault(() => parseDetectPayload({ 'media:tags': { a: [1] } }, defaults));
  payloadFault(() => parseDetectPayload({ analyses: {} }, defaults));
});

test('gestures come from video_selfie_* tags, except blank and oneshot', () => {
  assert.equal(gestureOf(['video_selfie', 'video_selfie_left']), 'video_selfie_left');
  assert.equal(gestureOf(['video_selfie', 'video_selfie_blank']), null);
  assert.equal(gestureOf([]), null);
});

const image: DetectMedia = { field: 'media_key1', filename: 'a.jpg', inspection: { kind: 'image', mime: 'image/jpeg', size: 100, md5: 'abc', width: 640, height: 480 } };
const video: DetectMedia = { field: 'media_key2', filename: null, inspection: { kind: 'video', mime: 'video/mp4', size: 200, md5: 'def', width: 960, height: 720, duration: 3.76, fps: 22.83 } };
let n = 0;
const newId = () => `id-${++n}`;

test('folder answer: the documents\' fields, temporary ids, no company, media info and the best shot in image_b64', () => {
  n = 0;
  const payload = parseDetectPayload({ 'media:tags': { media_key1: ['photo_selfie'] }, 'media:meta_data': { media_key2: { k: 'v' } }, analyses: [{ type: 'quality', params: { extract_best_shot: true, threshold_spoofing: 0.42 } }] }, defaults);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
  const outcomes: MediaOutcome[] = [
    { ok: true, confidenceSpoofing: 0.1, bestShot: { jpeg, width: 640, height: 480 } },
    { ok: true, confidenceSpoofing: 0.42 },
  ];
  const f = detectAnswer({ payload, media: [image, video], outcomes, timeCreated: 100.5, timeUpdated: 101.25, newId }) as any;
  assert.equal(f.folder_id, 'id-1');
  assert.equal(f.company_id, null);
  assert.equal(f.user_id, null);
  assert.equal(f.resolution_status, 'FINISHED');
  assert.equal(f.system_resolution, 'SUCCESS', '0.42 is not higher than threshold 0.42');
  assert.equal(f.time_created, 100.5);
  assert.equal(f.time_updated, 101.25);
  assert.deepEqual(f.media.map((m: any) => [m.media_id, m.media_type, m.original_name]), [
    ['id-2', 'IMAGE_FOLDER', 'a.jpg'],
    ['id-3', 'VIDEO_FOLDER', 'media_key2'],
  ]);
  assert.equal(f.media[0].image_id, 'id-2');
  assert.equal(f.media[1].video_id, 'id-3');
  assert.equal(f.media[1].video_url, null);
  assert.deepEqual(f.media[0].tags, ['photo_selfie']);
  assert.deepEqual(f.media[1].meta_data, { k: 'v' });
  assert.deepEqual(f.media[1].info, { thumb: null, video: { duration: 3.76, FPS: 22.83, width: 960, height: 720, md5: 'def', size: 200, 'mime-type': 'video/mp4' } });
  const a = f.analyses[0];
  assert.equal(a.type, 'QUALITY');
  assert.equal(a.state, 'FINISHED');
  assert.equal(a.resolution, 'SUCCESS');
  assert.equal(a.resolution_status, 'SUCCESS');
  assert.deepEqual(a.confs, { threshold_replay: 0.5, extract_best_shot: true, threshold_liveness: 0.5, threshold_spoofing: 0.42 });
  assert.equal(a.source_media.length, 2);
  assert.deepEqual(a.results_media.map((r: any) => r.results_data.confidence_spoofing), [0.1, 0.42]);
  const out = a.results_media[0].output_images;
  assert.equal(out.length, 1);
  assert.equal(out[0].media_type, 'IMAGE_RESULT_ANALYSIS_SINGLE');
  assert.deepEqual(Buffer.from(out[0].image_b64, 'base64'), jpeg);
  assert.equal(out[0].media_association_id, 'id-2');
  assert.equal(out[0].info.original['mime-type'], 'image/jpeg');
  assert.deepEqual(a.results_media[1].output_images, [], 'no best shot for that media');
});

test('folder answer: above threshold_spoofing or a failed gesture is DECLINED; a media without a face FAILS the analysis', () => {
  const payload = parseDetectPayload({}, defaults);
  const declined = detectAnswer({ payload, media: [image], outcomes: [{ ok: true, confidenceSpoofing: 0.51 }], timeCreated: 1, timeUpdated: 2, newId }) as any;
  assert.equal(declined.analyses[0].resolution, 'DECLINED');
  assert.equal(declined.system_resolution, 'DECLINED');
  assert.deepEqual(declined.analyses[0].results_media[0].output_images, [], 'extract_best_shot is false by default');
  const gesture = detectAnswer({ payload, media: [video], outcomes: [{ ok: true, confidenceSpoofing: 0.1, gesture: { tag: 'video_selfie_left', passed: false, message: 'no turn' } }], timeCreated: 1, timeUpdated: 2, newId }) as any;
  assert.equal(gesture.analyses[0].resolution, 'DECLINED');
  assert.deepEqual(gesture.analyses[0].results_media[0].results_data.gesture, { tag: 'video_selfie_left', passed: false, message: 'no turn' });
  const failed = detectAnswer({ payload, media: [image, video], outcomes: [{ ok: true, confidenceSpoofing: 0.1 }, { ok: false, errorCode: 202, message: 'Could not locate face on source media' }], timeCreated: 1, timeUpdated: 2, newId }) as any;
  const a = failed.analyses[0];
  assert.equal(a.state, 'FAILED');
  assert.equal(a.resolution, 'FAILED');
  assert.equal(a.error_code, 202);
  assert.equal(a.error_message, `Could not locate face on source media [${failed.media[1].media_id}]`);
  assert.equal(failed.system_resolution, 'FAILED');
});

test('helpers: media info per kind, worst resolution', () => {
  assert.deepEqual(mediaInfo({ kind: 'zip', mime: 'application/zip', size: 5, md5: 'z' }), { thumb: null, original: { md5: 'z', size: 5, 'mime-type': 'application/zip' } });
  assert.equal(worst(['SUCCESS', 'DECLINED']), 'DECLINED');
  assert.equal(worst(['DECLINED', 'FAILED']), 'FAILED');
  assert.equal(worst([]), 'SUCCESS');
});
