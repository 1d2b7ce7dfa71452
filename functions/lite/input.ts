// Reading API Lite requests: Content-Type checks, the Content-Transfer-Encoding: base64 rule and
// multipart parts. Pure: bytes in, bytes or LiteError out.
import { ApiError } from '../../layers/core/errors';
import { sniff } from '../../layers/vision/sniff';
import { TEMPLATE_MAGIC } from '../../layers/vision/templates';
import { parseMultipart } from '../api/multipart';
import type { Request } from '../api/http';
import { MAX_FILE_BYTES } from './config';
import { liteFail, type LiteFault } from './errors';

/** The media type without parameters or spaces, lower case: "Image / JPEG; q=1" -> "image/jpeg". */
export function mimeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.replace(/\s+/g, '').toLowerCase();
}

/** "From 1.1.0, Oz API Lite works with base64 as an input format": Content-Transfer-Encoding = base64. */
export function wantsBase64(headers: Record<string, string>): boolean {
  return (headers['content-transfer-encoding'] ?? '').trim().toLowerCase() === 'base64';
}

/** Bodies of the image endpoints (extract, detect): image/jpeg or image/png in the documents. */
export function isImageBodyType(mime: string, base64: boolean): boolean {
  if (/^image\/[\w.+-]+$/.test(mime) || mime === 'application/octet-stream' || mime === 'binary/octet-stream') return true;
  // base64 text is often sent as text
  return base64 && (mime === 'text/plain' || mime === 'application/base64' || mime === '');
}

export const isMultipart = (mime: string) => mime === 'multipart/form-data';

const GENERIC_PART_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/x-binary', 'multipart/form-data', 'text/plain', 'application/base64', '*/*']);
const ARCHIVE_TYPES = new Set(['application/zip', 'application/x-zip-compressed', 'application/x-zip']);

export type PartRole = 'sample' | 'template' | 'media';

/**
 * Whether a part's declared Content-Type can hold what the role needs. Parts without a type, or
 * typed generically (octet-stream, Android's multipart/form-data, text for base64), always can:
 * what a part is gets decided from its bytes. A type that names something else cannot (BPE-002005).
 */
export function partTypeFits(role: PartRole, contentType: string | null): boolean {
  const mime = mimeOf(contentType ?? '');
  if (GENERIC_PART_TYPES.has(mime)) return true;
  if (role === 'template') return false;
  if (/^image\/[\w.+-]+$/.test(mime)) return true;
  return role === 'media' && (/^video\/[\w.+-]+$/.test(mime) || ARCHIVE_TYPES.has(mime));
}

export const isTemplateBytes = (b: Buffer) => b.length >= 4 && b.toString('latin1', 0, 4) === TEMPLATE_MAGIC;

export function isMediaBytes(b: Buffer): boolean {
  try {
    sniff(b);
    return true;
  } catch {
    return false;
  }
}

const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Base64 text (standard or URL-safe, line breaks allowed, an optional data: URL prefix) decoded; null when it is not base64. */
export function decodeBase64Text(raw: Buffer): Buffer | null {
  if (raw.length === 0) return null;
  let text = raw.toString('latin1').trim();
  const dataUrl = /^data:[^,]{0,100};base64,/i.exec(text);
  if (dataUrl) text = text.slice(dataUrl[0].length);
  text = text.replace(/\s+/g, '');
  if (text === '' || text.length % 4 === 1 || !BASE64_TEXT.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/**
 * The content of a body or part under the base64 rule. Binary content that is recognisably what
 * was asked for (a JPEG, a template) is taken as it is, header or not; base64 text is decoded when
 * the header says so, and also without it when what it decodes to is recognisable. Declared base64
 * that does not decode is the caller's `fault`.
 */
export function readContent(raw: Buffer, base64: boolean, recognise: (b: Buffer) => boolean, fault: LiteFault, what: string): Buffer {
  if (recognise(raw)) return raw;
  const decoded = decodeBase64Text(raw);
  if (decoded && (base64 || recognise(decoded))) return decoded;
  if (base64) throw liteFail(fault, `${what} is not valid base64 (Content-Transfer-Encoding: base64 was sent)`);
  return raw;
}

export function checkSize(bytes: Buffer, fault: LiteFault, what: string): void {
  if (bytes.length > MAX_FILE_BYTES) {
    throw liteFail(fault, `${what} is ${(bytes.length / 1024 / 1024).toFixed(1)} MB, over the limit of ${MAX_FILE_BYTES / 1024 / 1024} MB per file`);
  }
  if (bytes.length === 0) throw liteFail(fault, `${what} is empty`);
}

export interface LitePart {
  name: string;
  filename: string | null;
  contentType: string | null;
  /** as received (possibly base64 text) */
  raw: Buffer;
}

/**
 * The parts of a multipart/form-data request. Not multipart: `content-type`; no boundary: the
 * Content-Type is invalid too; a body that does not parse: `unreadable`.
 */
export function multipartParts(req: Request, unreadable: LiteFault): LitePart[] {
  const header = req.headers['content-type'] ?? '';
  const mime = mimeOf(header);
  if (!isMultipart(mime)) throw liteFail('content-type', `expected multipart/form-data, got ${mime || 'no Content-Type'}`);
  if (!/boundary=/i.test(header)) throw liteFail('content-type', 'multipart/form-data without a boundary parameter');
  try {
    return parseMultipart(req.body, header).map((p) => ({ name: p.name, filename: p.filename, contentType: p.contentType, raw: p.bytes }));
  } catch (err) {
    if (err instanceof ApiError) throw liteFail(unreadable, err.message);
    throw err;
  }
}

/** A required single part: missing is `missing`, a wrong Content-Type is `part-type`. */
export function onePart(parts: LitePart[], name: string, role: PartRole, missing: LiteFault): LitePart {
  const part = parts.find((p) => p.name === name);
  if (!part) throw liteFail(missing, `the "${name}" part is missing`);
  checkPartType(part, role);
  return part;
}

/** Every part named `name` (or PHP's `name[]`), in request order. */
export function manyParts(parts: LitePart[], name: string, role: PartRole, missing: LiteFault): LitePart[] {
  const found = parts.filter((p) => p.name === name || p.name === `${name}[]`);
  if (found.length === 0) throw liteFail(missing, `no "${name}" parts: send each one as its own part named ${name}, with a filename`);
  for (const p of found) checkPartType(p, role);
  return found;
}

export function checkPartType(part: LitePart, role: PartRole): void {
  if (!partTypeFits(role, part.contentType)) {
    const wants = role === 'template' ? 'application/octet-stream' : role === 'sample' ? 'image/jpeg or image/png' : 'an image, a video or a ZIP archive';
    throw liteFail('part-type', `the "${part.name}" part is ${mimeOf(part.contentType ?? '')}; it must be ${wants}`);
  }
}

/** A sample (image) part's bytes: base64 rule, size limit. */
export function sampleBytes(part: LitePart, base64: boolean, fault: LiteFault = 'sample'): Buffer {
  const what = `the "${part.name}" part${part.filename ? ` (${part.filename})` : ''}`;
  const bytes = readContent(part.raw, base64, isMediaBytes, fault, what);
  checkSize(bytes, fault, what);
  return bytes;
}

/** A template part's bytes: base64 rule, size limit (a template is 2,068 bytes; checked when decoded). */
export function templateBytes(part: LitePart, base64: boolean): Buffer {
  const what = `the "${part.name}" part${part.filename ? ` (${part.filename})` : ''}`;
  const bytes = readContent(part.raw, base64, isTemplateBytes, 'template', what);
  checkSize(bytes, 'template', what);
  return bytes;
}
