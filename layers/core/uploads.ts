// Large media go straight to storage through a presigned POST (API Gateway and Lambda cap request
// bodies), then a folder request names them by upload_id under "media:uploads". The POST policy
// caps the size at MAX_UPLOAD_BYTES in storage itself, and the claim checks the stored size again
// before reading a byte.
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { badValue } from './errors';
import { BlobNotFoundError } from './ports';
import type { UploadedPart, UploadPayloadInput } from './folders';

export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

/**
 * Uploads live under uploads/ (a bucket lifecycle rule removes what is never used), under the
 * user who asked for the upload_url: only that user can name it in a folder request.
 */
const uploadKey = (caller: Caller, uploadId: string) => `uploads/${caller.user.company_id}/${caller.user.user_id}/${uploadId}`;

export async function createUpload(deps: Pick<CoreDeps, 'blobs' | 'ids'>, caller: Caller, contentType: string | undefined) {
  const upload_id = deps.ids.uuid();
  const type = contentType || 'application/octet-stream';
  const post = await deps.blobs.presignPost(uploadKey(caller, upload_id), type, MAX_UPLOAD_BYTES, UPLOAD_URL_TTL_SECONDS);
  return {
    upload_id,
    upload_url: post.url,
    method: 'POST' as const,
    // multipart/form-data: these fields in this order, then the file as the last field, "file".
    fields: post.fields,
    expires_in: UPLOAD_URL_TTL_SECONDS,
    max_size: MAX_UPLOAD_BYTES,
  };
}

/** What an upload_id looks like (a UUID). */
export const UPLOAD_ID = /^[0-9a-f-]{36}$/;

/** The parts named in payload["media:uploads"] ({field: upload_id}), read back from storage. */
export async function uploadedParts(deps: Pick<CoreDeps, 'blobs'>, caller: Caller, payload: Pick<UploadPayloadInput, 'media:uploads'>): Promise<{ parts: UploadedPart[]; keys: string[] }> {
  const parts: UploadedPart[] = [];
  const keys: string[] = [];
  for (const [field, id] of Object.entries(payload['media:uploads'] ?? {})) {
    const key = uploadKey(caller, id);
    let bytes: Buffer;
    try {
      // The size first: an oversized object is refused without being read into memory.
      const size = await deps.blobs.size(key);
      if (size > MAX_UPLOAD_BYTES) throw badValue(`Upload ${id} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, { size, max_size: MAX_UPLOAD_BYTES });
      bytes = await deps.blobs.get(key);
    } catch (err) {
      if (err instanceof BlobNotFoundError) throw badValue(`Upload ${id} was not found: POST the file to its upload_url first (it expires after ${UPLOAD_URL_TTL_SECONDS / 60} minutes); only the user who asked for it can use it`);
      throw err;
    }
    parts.push({ field, filename: field, bytes });
    keys.push(key);
  }
  return { parts, keys };
}
