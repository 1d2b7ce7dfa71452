// The answer of a multipart detect: the folder-like object of the documents' example, with
// temporary ids (nothing is stored), company_id null, the media with their info, and one QUALITY
// analysis per requested one whose results_media carry confidence_spoofing and, when asked, the
// best shot as base64 in output_images[].image_b64. Pure: everything comes in as arguments.
import { createHash } from 'node:crypto';
import type { MediaInspection, MediaKind } from '../../layers/vision';
import type { DetectPayload, JsonObject } from './detect-payload';

export interface DetectMedia {
  field: string;
  filename: string | null;
  inspection: MediaInspection;
}

export type MediaOutcome =
  | {
      ok: true;
      confidenceSpoofing: number;
      gesture?: { tag: string; passed: boolean; message: string };
      bestShot?: { jpeg: Buffer; width: number; height: number };
    }
  | { ok: false; errorCode: number; message: string };

export interface DetectAnswerInput {
  payload: DetectPayload;
  media: DetectMedia[];
  /** one per media, in the same order */
  outcomes: MediaOutcome[];
  /** epoch seconds */
  timeCreated: number;
  timeUpdated: number;
  /** a fresh temporary id */
  newId: () => string;
}

type Resolution = 'SUCCESS' | 'DECLINED' | 'FAILED';

const MEDIA_TYPE: Record<MediaKind, string> = { image: 'IMAGE_FOLDER', video: 'VIDEO_FOLDER', zip: 'SHOTS_SET' };
const ID_FIELD: Record<MediaKind, string> = { image: 'image_id', video: 'video_id', zip: 'shots_set_id' };

export function mediaInfo(i: MediaInspection): JsonObject {
  const base = { md5: i.md5, size: i.size, 'mime-type': i.mime };
  if (i.kind === 'video') return { thumb: null, video: { duration: i.duration ?? 0, FPS: i.fps ?? 0, width: i.width ?? 0, height: i.height ?? 0, ...base } };
  if (i.kind === 'image') return { thumb: null, original: { md5: i.md5, width: i.width ?? 0, height: i.height ?? 0, size: i.size, 'mime-type': i.mime } };
  return { thumb: null, original: base };
}

/** FAILED is worse than DECLINED, DECLINED than SUCCESS. */
export function worst(resolutions: Resolution[]): Resolution {
  if (resolutions.includes('FAILED')) return 'FAILED';
  if (resolutions.includes('DECLINED')) return 'DECLINED';
  return 'SUCCESS';
}

export function detectAnswer(input: DetectAnswerInput): JsonObject {
  const { payload, timeCreated: t0, timeUpdated: t1 } = input;
  const folderId = input.newId();
  const mediaViews = input.media.map((m) => {
    const mediaId = input.newId();
    const kind = m.inspection.kind;
    const view: JsonObject = {
      folder_id: folderId,
      media_id: mediaId,
      media_type: MEDIA_TYPE[kind],
      info: mediaInfo(m.inspection),
      tags: payload.tags[m.field] ?? [],
      original_name: m.filename ?? m.field,
      original_url: null,
      company_id: null,
      technical_meta_data: {},
      time_created: t0,
      time_updated: t1,
      meta_data: payload.mediaMeta[m.field] ?? {},
      thumb_url: null,
      folder_time_created: null,
      [ID_FIELD[kind]]: mediaId,
    };
    if (kind === 'video') view['video_url'] = null;
    return view;
  });
  const mediaIdOf = (i: number) => mediaViews[i]!['media_id'] as string;

  const analyses = payload.analyses.map((a) => {
    const failure = input.outcomes.findIndex((o) => !o.ok);
    let resolution: Resolution = 'SUCCESS';
    let errorCode: number | null = null;
    let errorMessage: string | null = null;
    let resultsMedia: JsonObject[] = [];
    if (failure >= 0) {
      const o = input.outcomes[failure] as Extract<MediaOutcome, { ok: false }>;
      resolution = 'FAILED';
      errorCode = o.errorCode;
      errorMessage = `${o.message} [${mediaIdOf(failure)}]`;
    } else {
      resultsMedia = input.outcomes.map((o, i) => {
        const ok = o as Extract<MediaOutcome, { ok: true }>;
        // "If the resulting score will be higher than this parameter's value, the analysis will end
        // up with the DECLINED status"; a gesture that was not performed declines whatever the score.
        if (ok.confidenceSpoofing > a.thresholdSpoofing || ok.gesture?.passed === false) resolution = 'DECLINED';
        const resultsData: JsonObject = { confidence_spoofing: ok.confidenceSpoofing };
        if (ok.gesture) resultsData['gesture'] = ok.gesture;
        const outputImages = a.extractBestShot && ok.bestShot ? [bestShotView(ok.bestShot, folderId, mediaIdOf(i), input)] : [];
        return {
          company_id: null,
          media_association_id: mediaIdOf(i),
          analysis_id: null,
          results_data: resultsData,
          source_media_id: mediaIdOf(i),
          output_images: outputImages,
          collection_persons: [],
          folder_time_created: null,
        };
      });
    }
    return {
      analyse_id: null,
      analysis_id: null,
      folder_id: folderId,
      folder_time_created: null,
      type: a.type,
      state: resolution === 'FAILED' ? 'FAILED' : 'FINISHED',
      company_id: null,
      group_id: null,
      results_data: null,
      confs: { threshold_replay: 0.5, extract_best_shot: a.extractBestShot, threshold_liveness: 0.5, threshold_spoofing: a.thresholdSpoofing },
      error_message: errorMessage,
      error_code: errorCode,
      resolution_operator: null,
      technical_meta_data: {},
      time_created: t0,
      time_updated: t1,
      meta_data: a.metaData,
      source_media: mediaViews,
      results_media: resultsMedia,
      resolution_status: resolution,
      resolution,
    };
  });

  return {
    company_id: null,
    time_created: t0,
    folder_id: folderId,
    user_id: null,
    resolution_endpoint: payload.resolutionEndpoint,
    resolution_status: 'FINISHED',
    resolution_comment: '[]',
    system_resolution: worst(analyses.map((a) => a.resolution)),
    resolution_time: null,
    resolution_author_id: null,
    resolution_state_hash: null,
    operator_comment: null,
    operator_status: null,
    is_cleared: null,
    meta_data: payload.folderMeta,
    technical_meta_data: {},
    time_updated: t1,
    media: mediaViews,
    analyses,
  };
}

function bestShotView(shot: { jpeg: Buffer; width: number; height: number }, folderId: string, sourceId: string, input: DetectAnswerInput): JsonObject {
  return {
    folder_id: folderId,
    media_id: input.newId(),
    media_type: 'IMAGE_RESULT_ANALYSIS_SINGLE',
    info: { thumb: null, original: { md5: createHash('md5').update(shot.jpeg).digest('hex'), width: shot.width, height: shot.height, size: shot.jpeg.length, 'mime-type': 'image/jpeg' } },
    tags: [],
    original_name: `best_shot-${sourceId}.jpg`,
    original_url: null,
    company_id: null,
    technical_meta_data: {},
    time_created: input.timeUpdated,
    time_updated: input.timeUpdated,
    meta_data: null,
    folder_time_created: null,
    image_b64: shot.jpeg.toString('base64'),
    media_association_id: sourceId,
  };
}
