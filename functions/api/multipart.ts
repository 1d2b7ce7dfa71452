// A multipart/form-data parser over a body already in memory (a Lambda event holds the whole
// body). Every part stays raw bytes: real Oz clients send media parts without a filename or typed
// multipart/form-data, so what a part is gets decided from its bytes later, not from its headers.
import { badStructure, badValue } from '../../layers/core/errors';

export interface Part {
  name: string;
  filename: string | null;
  contentType: string | null;
  bytes: Buffer;
}

export const MAX_PARTS = 100;
/** A part's name and filename (stored as the media's original_name). */
export const MAX_PARAM_CHARS = 1024;

function headerParam(header: string, name: string): string | null {
  const extended = new RegExp(`;\\s*${name}\\*=(?:UTF-8|utf-8)''([^;]+)`).exec(header);
  if (extended?.[1]) {
    // RFC 5987: a malformed percent-encoding (filename*=UTF-8''%E0%A4%A) never throws; the plain
    // parameter is used instead, or the text as it came.
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      return headerParam(header.replace(extended[0], ''), name) ?? extended[1];
    }
  }
  const quoted = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(header);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = new RegExp(`;\\s*${name}=([^;\\s]+)`).exec(header);
  return bare?.[1] ?? null;
}

/** Every boundary= parameter of a Content-Type, in order (old curl examples send two). */
export function boundariesOf(contentType: string): string[] {
  return [...contentType.matchAll(/boundary=(?:"([^"]+)"|([^;\s]+))/gi)].map((m) => (m[1] ?? m[2])!);
}

export function boundaryOf(contentType: string, body?: Buffer): string | null {
  const all = boundariesOf(contentType);
  // With several, the one that delimits the body is the real one (the others were typed by hand).
  if (body && all.length > 1) return all.find((b) => body.indexOf(`--${b}`) >= 0) ?? all[0]!;
  return all[0] ?? null;
}

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = boundaryOf(contentType, body);
  if (!boundary) throw badStructure('multipart/form-data body without a boundary parameter');
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badStructure('Malformed multipart body: the boundary never occurs');
  const parts: Part[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing delimiter "--"
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else throw badStructure('Malformed multipart body: no line break after a boundary');
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw badStructure('Malformed multipart body: truncated part headers');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(between, headerEnd + 4);
    if (next < 0) throw badStructure('Malformed multipart body: truncated (no closing boundary)');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const typeHeader = headers.find((h) => /^content-type:/i.test(h));
    const name = headerParam(disposition, 'name');
    if (name === null) throw badStructure('Malformed multipart body: a part has no name');
    const filename = headerParam(disposition, 'filename');
    if (name.length > MAX_PARAM_CHARS || (filename?.length ?? 0) > MAX_PARAM_CHARS) throw badValue(`A part's name or filename is longer than ${MAX_PARAM_CHARS} characters`);
    parts.push({
      name,
      filename,
      contentType: typeHeader ? typeHeader.slice(typeHeader.indexOf(':') + 1).trim() : null,
      bytes: body.subarray(headerEnd + 4, next),
    });
    if (parts.length > MAX_PARTS) throw badValue(`Too many parts in one request: at most ${MAX_PARTS}`);
    pos = next + 2;
  }
  return parts;
}
