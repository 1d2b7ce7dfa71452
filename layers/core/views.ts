// How stored objects are answered: the field names and shapes of the Oz documents, old and new
// names side by side (analyse_id and analysis_id, can_start_analyse_* and can_start_analysis_*).
import { thumbKey, type Analysis, type Company, type Folder, type Media, type StoredUser, type User } from './entities';
import { analysisResolutionStatus, folderStatus } from './statuses';

export type Presign = (blobKey: string) => Promise<string>;

export function publicUser(user: User | StoredUser) {
  const { password_hash: _hidden, ...rest } = user as StoredUser;
  return {
    ...rest,
    technical_meta_data: user.technical_meta_data ?? {},
    is_admin: user.user_type === 'CLIENT_ADMIN' || user.user_type === 'ADMIN',
    is_service: user.user_type === 'CLIENT_SERVICE',
    can_start_analyse_biometry: user.can_start_analysis_biometry,
    can_start_analyse_quality: user.can_start_analysis_quality,
    can_start_analyse_collection: user.can_start_analysis_collection,
    can_start_analyse_documents: user.can_start_analysis_documents,
  };
}

export const companyView = (company: Company) => ({ ...company, meta_data: company.meta_data ?? {} });

const ID_FIELD = { IMAGE_FOLDER: 'image_id', VIDEO_FOLDER: 'video_id', SHOTS_SET: 'shots_set_id', IMAGE_RESULT_ANALYSIS_SINGLE: 'image_id' } as const;
const SOURCE_ID_FIELD = { IMAGE_FOLDER: 'source_image_id', VIDEO_FOLDER: 'source_video_id', SHOTS_SET: 'source_shots_set_id', IMAGE_RESULT_ANALYSIS_SINGLE: 'source_image_id' } as const;

export async function mediaView(media: Media, presign: Presign) {
  const { blob_key, video_key, ...rest } = media;
  // No stored bytes (Instant API, or cleared of personal information): no URL.
  const url = blob_key ? await presign(blob_key) : null;
  const thumb = blob_key && media.info.thumb ? await presign(thumbKey(blob_key)) : null;
  // A shot set's video_url is the video made from its images (5.2.0); without one, the archive.
  const videoUrl = video_key ? await presign(video_key) : url;
  const stored = media.info.original ?? media.info.video;
  return {
    ...rest,
    original_url: url,
    // 3.30.0: md5, size and mime-type of the original (a shot set's archive); files live in object
    // storage, never on a server disk, so original_local_path is always null.
    original_info: stored ? { md5: stored.md5, size: stored.size, 'mime-type': stored['mime-type'] } : null,
    original_local_path: null,
    thumb_url: thumb,
    [ID_FIELD[media.media_type]]: media.media_id,
    ...(media.media_type === 'VIDEO_FOLDER' || media.media_type === 'SHOTS_SET' ? { video_url: media.media_type === 'SHOTS_SET' ? videoUrl : url } : {}),
  };
}

export async function analysisView(analysis: Analysis, mediaById: Map<string, Media>, presign: Presign) {
  const status = analysisResolutionStatus(analysis);
  const { params, confs, attempts: _attempts, ...rest } = analysis;
  const known = (id: string) => mediaById.get(id);
  return {
    ...rest,
    analyse_id: analysis.analysis_id,
    confs: confs ?? params,
    source_media: await Promise.all(analysis.source_media.map(known).filter((m): m is Media => !!m).map((m) => mediaView(m, presign))),
    results_media: await Promise.all(
      analysis.results_media.map(async (r) => {
        const source = known(r.source_media_id);
        return {
          company_id: analysis.company_id,
          analysis_id: analysis.analysis_id,
          folder_time_created: analysis.folder_time_created,
          media_association_id: r.media_association_id,
          source_media_id: r.source_media_id,
          ...(source ? { [SOURCE_ID_FIELD[source.media_type]]: r.source_media_id } : {}),
          results_data: r.results_data,
          output_images: await Promise.all(r.output_images.map(known).filter((m): m is Media => !!m).map((m) => mediaView(m, presign))),
          collection_persons: r.collection_persons,
        };
      }),
    ),
    ...(analysis.type === 'COLLECTION' ? { collection: analysis.technical_meta_data['collection'] ?? null } : {}),
    resolution_status: status,
    resolution: status,
    // 4.0.2: the system's own verdict; resolution_status and resolution follow an operator's decision.
    system_resolution: analysis.state === 'FINISHED' ? (analysis.resolution ?? 'SUCCESS') : analysis.state,
  };
}

export async function folderView(
  agg: { folder: Folder; media: Media[]; analyses: Analysis[] },
  presign: Presign,
  withAnalyses: boolean,
) {
  const mediaById = new Map(agg.media.map((m) => [m.media_id, m]));
  const sourceMedia = agg.media.filter((m) => m.media_type !== 'IMAGE_RESULT_ANALYSIS_SINGLE');
  return {
    ...agg.folder,
    ...folderStatus(agg.analyses),
    media: await Promise.all(sourceMedia.map((m) => mediaView(m, presign))),
    ...(withAnalyses ? { analyses: await Promise.all(agg.analyses.map((a) => analysisView(a, mediaById, presign))) } : {}),
  };
}
