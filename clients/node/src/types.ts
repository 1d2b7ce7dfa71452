// The objects of the Oz API as this client receives them. Written from the Oz documents and the
// answers of oz-open; the client is its own package and does not import the server's code.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type UserType = 'ADMIN' | 'OPERATOR' | 'CLIENT' | 'CLIENT_ADMIN' | 'CLIENT_OPERATOR' | 'CLIENT_SERVICE';
export type AnalysisType = 'QUALITY' | 'BIOMETRY' | 'COLLECTION' | 'DOCUMENTS';
export type AnalysisState = 'PROCESSING' | 'FINISHED' | 'FAILED';
export type Resolution = 'SUCCESS' | 'DECLINED' | 'OPERATOR_REQUIRED';
export type AnalysisResolutionStatus = 'PROCESSING' | 'FAILED' | Resolution;
export type FolderResolutionStatus = 'INITIAL' | 'PROCESSING' | 'FAILED' | 'FINISHED';
export type SystemResolution = 'INITIAL' | 'PROCESSING' | 'FAILED' | Resolution;
export type MediaType = 'IMAGE_FOLDER' | 'VIDEO_FOLDER' | 'SHOTS_SET' | 'IMAGE_RESULT_ANALYSIS_SINGLE';

/** The documented error body. */
export interface ErrorBody {
  error_code: number;
  error_message: string;
  details: unknown;
}

export interface User {
  user_id: string;
  company_id: string;
  user_type: UserType;
  email: string;
  first_name: string;
  last_name: string;
  middle_name: string;
  is_active: boolean;
  is_admin: boolean;
  is_service: boolean;
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
  can_start_analysis_biometry: boolean;
  can_start_analysis_quality: boolean;
  can_start_analysis_collection: boolean;
  can_start_analysis_documents: boolean;
  time_created: number;
  time_updated: number;
}

/** POST /api/authorize/auth and /api/authorize/refresh. */
export interface AuthResponse {
  access_token: string;
  expire_token: string;
  /** Epoch seconds. */
  expire_date: number;
  /** A UUID; an integer when the server runs with OZ_INTEGER_TIMESTAMPS=true. Deprecated (6.0.1): use token_id. */
  session_id: string | number;
  token_id: string;
  user?: User;
}

/** GET|POST /api/authorize/service_token/{user_id}. */
export interface ServiceToken {
  token_id: string;
  user_id: string;
  access_token: string;
  expire_date: number;
  /** A UUID; an integer when the server runs with OZ_INTEGER_TIMESTAMPS=true. Deprecated (6.0.1): use token_id. */
  session_id: string | number;
}

export interface Company {
  company_id: string;
  name: string;
  in_deletion: boolean;
  technical_meta_data: JsonObject;
  time_created: number;
  time_updated: number;
}

export interface MediaInfo {
  thumb: null;
  original?: { md5: string; size: number; 'mime-type': string; width?: number; height?: number };
  video?: { duration: number; FPS: number; width: number; height: number; md5: string; size: number; 'mime-type': string };
}

export interface Media {
  media_id: string;
  folder_id: string;
  company_id: string;
  media_type: MediaType;
  original_name: string;
  tags: string[];
  info: MediaInfo;
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
  /** A short-lived presigned URL of the original bytes. */
  original_url: string | null;
  /** 3.30.0: md5, size and mime-type of the original file (a shot set's archive). */
  original_info?: { md5: string; size: number; 'mime-type': string } | null;
  /** 3.30.0: always null here (files are in object storage). */
  original_local_path?: null;
  thumb_url: string | null;
  image_id?: string;
  video_id?: string;
  shots_set_id?: string;
  video_url?: string;
  media_association_id?: string;
  time_created: number;
  time_updated: number;
}

export interface CollectionPersonHit {
  person_id: string;
  collection_id: string;
  media_id: string;
  confidence: number;
  [key: string]: Json;
}

export interface ResultsMedia {
  analysis_id: string;
  source_media_id: string;
  media_association_id: string;
  source_image_id?: string;
  source_video_id?: string;
  source_shots_set_id?: string;
  /** QUALITY: confidence_spoofing; BIOMETRY: max_confidence, min_confidence; and more per type. */
  results_data: JsonObject | null;
  output_images: Media[];
  collection_persons: CollectionPersonHit[];
}

export interface Analysis {
  analysis_id: string;
  /** The documents' older name of analysis_id, answered too. */
  analyse_id: string;
  group_id: string;
  folder_id: string;
  company_id: string;
  type: AnalysisType;
  state: AnalysisState;
  resolution_status: AnalysisResolutionStatus;
  resolution: AnalysisResolutionStatus;
  /** 4.0.2: the system's own verdict; resolution_status and resolution follow an operator's decision. */
  system_resolution: AnalysisResolutionStatus;
  resolution_operator: JsonObject | null;
  /** The analysis' parameters as accepted. */
  confs: JsonObject;
  source_media: Media[];
  results_data: JsonObject | null;
  results_media: ResultsMedia[];
  collection?: { collection_id: string; alias: string } | null;
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
  error_code: number | null;
  error_message: string | null;
  time_created: number;
  time_updated: number;
  time_task_send_to_broker: number | null;
  time_task_received: number | null;
  time_task_finished: number | null;
}

export interface Folder {
  folder_id: string;
  company_id: string;
  user_id: string;
  resolution_status: FolderResolutionStatus;
  system_resolution: SystemResolution;
  resolution_endpoint: string | null;
  resolution_comment: string;
  meta_data: JsonObject;
  technical_meta_data: JsonObject;
  media: Media[];
  /** With ?with_analyses=true. */
  analyses?: Analysis[];
  time_created: number;
  time_updated: number;
}

export interface Page<T> {
  total: number;
  items: T[];
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
  /** When the person is read or created with photos. */
  images?: PersonImage[];
  time_created: number;
  time_updated: number;
}

export interface PersonImage {
  media_id: string;
  person_image_id: string;
  image_id: string;
  person_id: string;
  collection_id: string;
  company_id: string;
  media_type: 'IMAGE_FOLDER';
  original_name: string;
  tags: string[];
  info: MediaInfo;
  meta_data: JsonObject;
  original_url: string | null;
  /** 3.30.0: md5, size and mime-type of the original file (a shot set's archive). */
  original_info?: { md5: string; size: number; 'mime-type': string } | null;
  /** 3.30.0: always null here (files are in object storage). */
  original_local_path?: null;
  thumb_url: string | null;
  time_created: number;
}

/**
 * POST /api/uploads: a presigned POST for media too large for one API request: a multipart/form-data
 * body of `fields`, in order, then the file as the last field, "file".
 */
export interface PresignedUpload {
  upload_id: string;
  upload_url: string;
  method: 'POST';
  fields: Record<string, string>;
  expires_in: number;
  max_size: number;
}

/** One item of POST /api/folders/{id}/analyses. */
export interface AnalysisRequest {
  type: 'quality' | 'biometry' | 'collection' | 'documents' | AnalysisType;
  source_media?: string[];
  params?: JsonObject;
}

export interface WebhookDelivery {
  delivery_id: string;
  folder_id: string;
  group_id: string;
  url: string;
  outcome: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  response_excerpt: string | null;
  time_created: number;
  time_updated: number;
}

/** A report template (README "Reports"): what a folder's PDF report shows. Format version 1. */
export interface ReportTemplateContent {
  format_version?: 1;
  name: string;
  language?: 'en' | 'ru';
  title?: string;
  sections?: ('summary' | 'metadata' | 'analyses' | 'media' | 'best_shots' | 'action_shots' | 'collection_matches' | 'operator')[];
  labels?: Record<string, string>;
  metadata_keys?: string[];
  logo_attachment_id?: string | null;
  header_attachment_id?: string | null;
  page_size?: 'A4' | 'LETTER';
  footer_text?: string;
}

export interface ReportTemplate extends Required<Omit<ReportTemplateContent, 'title'>> {
  title?: string;
  report_template_id: string;
  company_id: string;
  user_id: string | null;
  is_builtin: boolean;
  time_created: number;
  time_updated: number;
}

export interface ReportTemplateAttachment {
  attachment_id: string;
  report_template_id: string;
  company_id: string;
  kind: 'logo' | 'header';
  original_name: string;
  content_type: string;
  size: number;
  width: number;
  height: number;
  time_created: number;
  url: string;
}

export interface Report {
  report_id: string;
  folder_id: string;
  company_id: string;
  user_id: string;
  report_template_id: string;
  file_name: string;
  size: number;
  file_sha256: string;
  content_sha256: string;
  time_created: number;
  file_url: string;
  url_expires_in: number;
}
