// The objects of the Oz API as stored and as answered. Field names follow the documents exactly.

export const USER_TYPES = ['ADMIN', 'OPERATOR', 'CLIENT', 'CLIENT_ADMIN', 'CLIENT_OPERATOR', 'CLIENT_SERVICE'] as const;
export type UserType = (typeof USER_TYPES)[number];

export const ANALYSIS_TYPES = ['QUALITY', 'BIOMETRY', 'COLLECTION', 'DOCUMENTS'] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

export type AnalysisState = 'PROCESSING' | 'FINISHED' | 'FAILED';
export type Resolution = 'SUCCESS' | 'DECLINED' | 'OPERATOR_REQUIRED';
export type AnalysisResolutionStatus = 'PROCESSING' | 'FAILED' | Resolution;
export type FolderResolutionStatus = 'INITIAL' | 'PROCESSING' | 'FAILED' | 'FINISHED';
export type SystemResolution = 'INITIAL' | 'PROCESSING' | 'FAILED' | Resolution;

export type MediaType = 'IMAGE_FOLDER' | 'VIDEO_FOLDER' | 'SHOTS_SET' | 'IMAGE_RESULT_ANALYSIS_SINGLE';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SYSTEM_COMPANY_ID = '00000000-0000-0000-0000-000000000000';

export interface Company {
  company_id: string;
  name: string;
  in_deletion: boolean;
  /** Any client parameters (PATCH merges them); older records have none stored. */
  meta_data?: JsonObject;
  technical_meta_data: JsonObject;
  time_created: number;
  time_updated: number;
}

export interface AnalysisPermissions {
  can_start_analysis_biometry: boolean;
  can_start_analysis_quality: boolean;
  can_start_analysis_collection: boolean;
  can_start_analysis_documents: boolean;
}

export interface User extends AnalysisPermissions {
  user_id: string;
  company_id: string;
  user_type: UserType;
  email: string;
  first_name: string;
  last_name: string;
  middle_name: string;
  is_active: boolean;
  meta_data: JsonObject;
  /** Set at creation (profile.technical_meta_data); older records have none stored. */
  technical_meta_data?: JsonObject;
  time_created: number;
  time_updated: number;
}

/** A user as stored: the public fields plus the password hash, never answered. */
export interface StoredUser extends User {
  password_hash: string;
}

/** One entry of the audit log: who changed what, when (never a password or token). */
export interface AuditEntry {
  audit_id: string;
  company_id: string;
  object_type: 'FOLDER' | 'USER' | 'COMPANY';
  object_id: string;
  action: string;
  /** The actor as they were at the time (null: the system itself). */
  user_id: string | null;
  email: string | null;
  user_type: UserType | null;
  changes: JsonObject;
  time_created: number;
}

export interface Session {
  session_id: string;
  token_id: string;
  user_id: string;
  company_id: string;
  access_hash: string; // sha256 of the access token: tokens are never stored in clear
  expire_hash: string; // sha256 of the expire (refresh) token
  expire_date: number; // epoch seconds
  ttl_seconds: number; // how far each use pushes expire_date
  long_lived: boolean;
  time_created: number;
  /** The session this one replaced on refresh; deleted when this one is first used. */
  replaces_session_id: string | null;
  replaces_access_hash: string | null;
}

export interface MediaInfoImage {
  md5: string;
  width: number;
  height: number;
  size: number;
  'mime-type': string;
}
export interface MediaInfoVideo {
  duration: number;
  FPS: number;
  width: number;
  height: number;
  md5: string;
  size: number;
  'mime-type': string;
}
/** The thumbnail's facts (its bytes are stored beside the media's, at thumbKey(blob_key)). */
export interface MediaThumb {
  width: number;
  height: number;
  size: number;
  'mime-type': 'image/jpeg';
}
export interface MediaInfo {
  thumb: MediaThumb | null;
  original?: MediaInfoImage | { md5: string; size: number; 'mime-type': string };
  video?: MediaInfoVideo;
}

export interface Media {
  media_id: string;
  folder_id: string;
  company_id: string;
  folder_time_created: number;
  media_type: MediaType;
  original_name: string;
  tags: string[];
  info: MediaInfo;
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
  time_created: number;
  time_updated: number;
  /** Where the bytes are in blob storage; answered as a presigned original_url, never as a key. */
  blob_key: string;
  /** A shot set's video made from its images (answered as video_url); absent on other media. */
  video_key?: string;
  /** For analysis output images: the source media they were made from. */
  media_association_id?: string;
}

export interface Folder {
  folder_id: string;
  company_id: string;
  user_id: string;
  time_created: number;
  time_updated: number;
  resolution_endpoint: string | null;
  resolution_comment: string;
  resolution_time: number | null;
  resolution_author_id: string | null;
  resolution_state_hash: string | null;
  operator_comment: string | null;
  operator_status: string | null;
  is_cleared: boolean | null;
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
}

export interface ResultsMedia {
  source_media_id: string;
  media_association_id: string;
  results_data: JsonObject | null;
  output_images: string[]; // media ids of IMAGE_RESULT_ANALYSIS_SINGLE media
  collection_persons: JsonObject[];
}

export interface Analysis {
  analysis_id: string;
  group_id: string;
  folder_id: string;
  company_id: string;
  folder_time_created: number;
  type: AnalysisType;
  state: AnalysisState;
  resolution: Resolution | null; // set when FINISHED
  resolution_operator: JsonObject | null;
  source_media: string[]; // media ids
  params: JsonObject;
  /** The settings in force, defaults included (answered as `confs`); absent on records older than it. */
  confs?: JsonObject;
  results_data: JsonObject | null;
  results_media: ResultsMedia[];
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
  error_code: number | null;
  error_message: string | null;
  time_created: number;
  time_updated: number;
  time_task_send_to_broker: number | null;
  time_task_received: number | null;
  time_task_finished: number | null;
  /** Bumped on every processing attempt; lets a retried job detect that it already ran. */
  attempts: number;
}

export type WebhookOutcome = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One notification of a folder's resolution_endpoint: what was tried and how it ended. */
export interface WebhookDelivery {
  delivery_id: string;
  company_id: string;
  folder_id: string;
  group_id: string;
  url: string;
  outcome: WebhookOutcome;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  /** At most a few hundred bytes of the receiver's last answer: response bodies are not kept. */
  response_excerpt: string | null;
  time_created: number;
  time_updated: number;
}

export interface Collection {
  collection_id: string;
  company_id: string;
  alias: string;
  meta_data: JsonObject;
  time_created: number;
  time_updated: number;
}

export interface Person {
  person_id: string;
  collection_id: string;
  company_id: string;
  meta_data: JsonObject;
  time_created: number;
  time_updated: number;
}

/** A photo of a person in a collection, with the face template it contributes to searches. */
export interface PersonImage {
  media_id: string;
  person_id: string;
  collection_id: string;
  company_id: string;
  media_type: 'IMAGE_FOLDER';
  original_name: string;
  tags: string[];
  info: MediaInfo;
  meta_data: JsonObject;
  time_created: number;
  time_updated: number;
  blob_key: string;
}

/** Where a media's thumbnail JPEG is stored: beside its bytes, gone with them. */
export const thumbKey = (blobKey: string): string => `${blobKey}.thumb.jpg`;

/** Where a media's snapshot JPEG is stored (GET|POST /api/media/{id}/snapshot/), once one was asked for. */
export const snapshotKey = (blobKey: string): string => `${blobKey}.snapshot.jpg`;

/**
 * Every blob a media owns (its bytes and, when made, its thumbnail, snapshot and a shot set's
 * video): what deleting it deletes. The snapshot is made on request and not recorded, so its key
 * is always listed (deleting an absent blob is no error).
 */
export function mediaBlobKeys(media: Pick<Media, 'blob_key' | 'info' | 'video_key'>): string[] {
  if (!media.blob_key) return media.video_key ? [media.video_key] : [];
  return [media.blob_key, ...(media.info.thumb ? [thumbKey(media.blob_key)] : []), snapshotKey(media.blob_key), ...(media.video_key ? [media.video_key] : [])];
}
