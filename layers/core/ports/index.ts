// The ports the core needs from the outside world besides storage (blobs, queues, clock, inference);
// the storage ports are the other files of this folder. Adapters live in layers/adapters; the core
// never imports them.

export interface BlobStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>; // throws BlobNotFoundError when absent
  delete(key: string): Promise<void>; // no error when absent
  /** Deletes every object whose key begins with the prefix (a folder's files); no error when none. */
  deletePrefix(prefix: string): Promise<number>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /**
   * A presigned POST (an HTML-form upload) of one object at `key`, at most `maxBytes` long: the
   * storage itself refuses a larger body (S3's content-length-range policy condition).
   */
  presignPost(key: string, contentType: string, maxBytes: number, expiresInSeconds: number): Promise<PresignedPost>;
  /** The stored size in bytes, without reading the object; throws BlobNotFoundError when absent. */
  size(key: string): Promise<number>;
}
/** POST `fields` (in this order), then the file as the last form field "file", to `url`. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}
export class BlobNotFoundError extends Error {
  constructor(public key: string) {
    super(`blob not found: ${key}`);
  }
}

export interface AnalysisJob {
  company_id: string;
  folder_id: string;
  analysis_id: string;
  group_id: string;
}
/** Structured log lines (ids and counts only: never images, metadata or tokens). */
export interface Log {
  info(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface JobQueue {
  enqueue(jobs: AnalysisJob[]): Promise<void>; // batches of up to 10, fails loudly if any entry failed
}

export interface Clock {
  now(): number; // epoch seconds with fraction
}
export interface IdGenerator {
  uuid(): string;
}

export const systemClock: Clock = { now: () => Date.now() / 1000 };

/** What the media inspector (layers/vision) says about uploaded bytes. */
export type MediaKind = 'image' | 'video' | 'zip';
export interface InspectedMedia {
  kind: MediaKind;
  mime: string;
  size: number;
  md5: string;
  width?: number;
  height?: number;
  duration?: number;
  fps?: number;
  /** A small JPEG of the media (made at upload); absent when none could be made. */
  thumb?: OutputImage;
}
export interface MediaInspector {
  /** Throws MediaRejectedError for bytes that are not a supported, decodable media file. */
  inspect(bytes: Buffer): Promise<InspectedMedia>;
  /** The MP4 video of a shot set's images (changelog 5.2.0: a shot set's video_url); absent: none made. */
  shotSetVideo?(bytes: Buffer): Promise<Buffer>;
}
/** Makes a media's snapshot (layers/vision does it); throws MediaRejectedError for bytes that do not decode. */
export interface MediaSnapshotter {
  snapshot(bytes: Buffer, kind: 'image' | 'video' | 'zip', atSeconds?: number): Promise<{ jpeg: Buffer; width: number; height: number; time: number | null }>;
}
export class MediaRejectedError extends Error {
  constructor(
    public readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the face analysis of one media is asked for (layers/vision does it). */
export interface FaceAnalysisRequest {
  liveness?: boolean;
  template?: boolean;
  bestShot?: boolean;
  /** The video_selfie_* gesture tag to check, if any. */
  gesture?: string | null;
  actionShot?: boolean;
  /** A photo of a document (photo_id_front): smaller faces are accepted. */
  document?: boolean;
}
export interface OutputImage {
  jpeg: Buffer;
  width: number;
  height: number;
}
export interface FaceAnalysis {
  confidence_spoofing?: number; // 0..1, 1 = attack; combined with the gesture evidence
  template?: Float32Array;
  best_shot?: OutputImage;
  action_shot?: OutputImage & { tag: string };
  gesture?: { tag: string; passed: boolean; message: string };
  frames_scored: number;
  frames_with_face: number;
}
export interface FaceAnalyzer {
  /** Throws NoFaceError when no usable face is found, MediaRejectedError for undecodable media. */
  analyze(bytes: Buffer, kind: MediaKind, request: FaceAnalysisRequest): Promise<FaceAnalysis>;
  /** Calibrated similarity of two templates: at or above 0.85 the same person. */
  compare(a: Float32Array, b: Float32Array): number;
}
export class NoFaceError extends Error {}

/** Starts the webhook delivery workflow (Step Functions in AWS and locally). */
export interface WebhookDeliveryInput {
  delivery_id: string;
  company_id: string;
  folder_id: string;
  group_id: string;
  /** the log correlation id of the request that led to it (set by the starter) */
  correlation_id?: string;
}
export interface WebhookStarter {
  /** Idempotent for one delivery_id. */
  start(input: WebhookDeliveryInput): Promise<void>;
}
