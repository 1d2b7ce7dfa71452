// Request bodies with upload progress. fetch() reports no upload progress, so bodies with files
// go out through node:http(s) with a known Content-Length (API Gateway refuses chunked bodies),
// streamed from disk and counted as they are written.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file to send: from disk (streamed) or from memory. */
export interface FileSource {
  path?: string;
  bytes?: Uint8Array;
  /** File name sent in the part; defaults to the path's base name, or the field. */
  name?: string;
}

export interface ResolvedFile {
  name: string;
  size: number;
  path?: string;
  bytes?: Uint8Array;
}

export type ProgressFn = (loaded: number, total: number) => void;

/** Checks the file can be read and learns its size, before anything is sent. */
export function resolveFile(source: FileSource, fallbackName: string): ResolvedFile {
  if (source.bytes) return { name: source.name ?? fallbackName, size: source.bytes.byteLength, bytes: source.bytes };
  if (!source.path) throw new TypeError('Each media needs a path or bytes');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source.path);
  } catch (err) {
    throw new Error(`Cannot read ${source.path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!stat.isFile()) throw new Error(`Cannot read ${source.path}: not a file`);
  return { name: source.name ?? path.basename(source.path), size: stat.size, path: source.path };
}

type Piece = Buffer | ResolvedFile;

export interface Body {
  pieces: Piece[];
  length: number;
  contentType: string;
}

const quote = (s: string) => s.replace(/["\r\n\\]/g, '_');

/** multipart/form-data with the text fields first, then the files under their field names. */
export function multipartBody(fields: Record<string, string>, files: { field: string; file: ResolvedFile; type?: string }[]): Body {
  const boundary = `----oz-client-${randomBytes(12).toString('hex')}`;
  const pieces: Piece[] = [];
  for (const [name, value] of Object.entries(fields)) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.field)}"; filename="${quote(f.file.name)}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`));
    pieces.push(f.file);
    pieces.push(Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  const length = pieces.reduce((n, p) => n + (Buffer.isBuffer(p) ? p.length : p.size), 0);
  return { pieces, length, contentType: `multipart/form-data; boundary=${boundary}` };
}


async function* chunksOf(piece: Piece): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(piece)) yield piece;
  else if (piece.bytes) yield Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength);
  else {
    let read = 0;
    for await (const chunk of fs.createReadStream(piece.path!, { highWaterMark: 256 * 1024 })) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (read !== piece.size) throw new Error(`${piece.path} changed size while it was being sent`);
  }
}

export interface RawAnswer {
  status: number;
  text: string;
}

/** Sends a body, calling onProgress as bytes are handed to the socket, and reads the answer. */
export function send(method: string, url: string, headers: Record<string, string>, body: Body, onProgress?: ProgressFn): Promise<RawAnswer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = transport.request(target, { method, headers: { ...headers, 'content-type': body.contentType, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    void (async () => {
      let loaded = 0;
      onProgress?.(0, body.length);
      for (const piece of body.pieces) {
        for await (const chunk of chunksOf(piece)) {
          if (!req.write(chunk)) await new Promise<void>((r) => req.once('drain', r));
          loaded += chunk.length;
          onProgress?.(loaded, body.length);
        }
      }
      req.end();
    })().catch((err: unknown) => {
      req.destroy(err as Error);
      reject(err);
    });
  });
}
