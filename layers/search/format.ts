/**
 * Binary shard format of a template index (version 1). Every shard stands alone and is checked on
 * load; a collection of N templates becomes ceil(bytes / maxShardBytes) shards.
 *
 *   offset  size  field (little endian)
 *        0     4  magic "OZTI"
 *        4     2  format version (1)
 *        6     2  header bytes (64)
 *        8     4  dims
 *       12     4  total entries over all shards
 *       16     4  shard index (0-based)
 *       20     4  shard count
 *       24     4  first entry (entries before this shard)
 *       28     4  entries in this shard
 *       32     4  vector bytes (entries * dims * 4)
 *       36     4  id bytes
 *       40     4  CRC-32 of the payload (vectors then ids)
 *       44     4  set CRC: CRC-32 of every shard's payload CRC (u32 LE, shard order), the same in
 *                 all shards of one serialisation: shards of different sets do not mix
 *       48    12  reserved, zero
 *       60     4  CRC-32 of bytes 0..59
 *       64        vectors: entries * dims float32, row after row
 *                 ids: per entry a u16 byte length then the UTF-8 bytes
 *
 * Only the float32 vectors and ids are stored: int8 codes are derived on load (deterministically),
 * which keeps a shard 2 KiB + id per 512-d template.
 */
import * as os from 'node:os';
import { crc32 } from 'node:zlib';

export const MAGIC = 'OZTI';
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 64;
export const MAX_ID_BYTES = 0xffff;

export type SearchIndexFormatErrorCode = 'BAD_MAGIC' | 'UNSUPPORTED_VERSION' | 'TRUNCATED' | 'CHECKSUM' | 'INCONSISTENT';

/** A shard set that cannot be loaded: wrong magic or version, truncated, corrupt, or not one set. */
export class SearchIndexFormatError extends Error {
  constructor(
    public readonly code: SearchIndexFormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SearchIndexFormatError';
  }
}

const fail = (code: SearchIndexFormatErrorCode, message: string): never => {
  throw new SearchIndexFormatError(code, message);
};

function assertLittleEndian(): void {
  // float32 rows are copied as raw bytes; every Lambda architecture (x86_64, arm64) is little endian
  if (os.endianness() !== 'LE') throw new Error('the template index format needs a little-endian host');
}

export interface EncodeSource {
  dims: number;
  count: number;
  id(i: number): string;
  /** copies the float32 rows of entries start..end-1 into target at offset (in floats) */
  copyRows(start: number, end: number, target: Float32Array, offset: number): void;
}

export function encodeShards(src: EncodeSource, maxShardBytes: number): Buffer[] {
  assertLittleEndian();
  const { dims, count } = src;
  const rowBytes = dims * 4;
  if (!Number.isInteger(maxShardBytes) || maxShardBytes > 0x7fffffff) throw new RangeError('maxShardBytes must be an integer below 2 GiB');
  // plan: [first, end) ranges, each fitting maxShardBytes
  const idLens = new Uint16Array(count);
  const ranges: [number, number, number][] = []; // first, end, idBytes
  let first = 0;
  let bytes = HEADER_BYTES;
  let idBytes = 0;
  for (let i = 0; i < count; i++) {
    const len = Buffer.byteLength(src.id(i), 'utf8');
    idLens[i] = len;
    const entry = rowBytes + 2 + len;
    if (HEADER_BYTES + entry > maxShardBytes) throw new RangeError(`maxShardBytes ${maxShardBytes} cannot hold one entry (${HEADER_BYTES + entry} bytes)`);
    if (bytes + entry > maxShardBytes) {
      ranges.push([first, i, idBytes]);
      first = i;
      bytes = HEADER_BYTES;
      idBytes = 0;
    }
    bytes += entry;
    idBytes += 2 + len;
  }
  if (count === 0 && HEADER_BYTES > maxShardBytes) throw new RangeError(`maxShardBytes ${maxShardBytes} is below the header size`);
  ranges.push([first, count, idBytes]);

  const shards = ranges.map(([start, end, idLen], shardIndex) => {
    const n = end - start;
    const vectorBytes = n * rowBytes;
    // every byte below is written (reserved header bytes explicitly), so no zero fill is needed
    const buf = Buffer.allocUnsafeSlow(HEADER_BYTES + vectorBytes + idLen);
    buf.fill(0, 0, HEADER_BYTES);
    src.copyRows(start, end, new Float32Array(buf.buffer, buf.byteOffset + HEADER_BYTES, n * dims), 0);
    let p = HEADER_BYTES + vectorBytes;
    for (let i = start; i < end; i++) {
      const len = idLens[i]!;
      buf.writeUInt16LE(len, p);
      buf.write(src.id(i), p + 2, len, 'utf8');
      p += 2 + len;
    }
    buf.write(MAGIC, 0, 'latin1');
    buf.writeUInt16LE(FORMAT_VERSION, 4);
    buf.writeUInt16LE(HEADER_BYTES, 6);
    buf.writeUInt32LE(dims, 8);
    buf.writeUInt32LE(count, 12);
    buf.writeUInt32LE(shardIndex, 16);
    buf.writeUInt32LE(ranges.length, 20);
    buf.writeUInt32LE(start, 24);
    buf.writeUInt32LE(n, 28);
    buf.writeUInt32LE(vectorBytes, 32);
    buf.writeUInt32LE(idLen, 36);
    buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 40);
    return buf;
  });
  const setCrc = setChecksum(shards.map((b) => b.readUInt32LE(40)));
  for (const buf of shards) {
    buf.writeUInt32LE(setCrc, 44);
    buf.writeUInt32LE(crc32(buf.subarray(0, 60)), 60);
  }
  return shards;
}

function setChecksum(payloadCrcs: number[]): number {
  const b = Buffer.alloc(payloadCrcs.length * 4);
  payloadCrcs.forEach((c, i) => b.writeUInt32LE(c, i * 4));
  return crc32(b);
}

interface ShardHeader {
  dims: number;
  total: number;
  index: number;
  shards: number;
  first: number;
  count: number;
  vectorBytes: number;
  idBytes: number;
  payloadCrc: number;
  setCrc: number;
  buf: Buffer;
}

function readHeader(buf: Buffer, pos: number): ShardHeader {
  const what = `shard ${pos}`;
  if (!Buffer.isBuffer(buf)) fail('INCONSISTENT', `${what} is not a Buffer`);
  if (buf.length < 4 || buf.toString('latin1', 0, 4) !== MAGIC) fail(buf.length < 4 ? 'TRUNCATED' : 'BAD_MAGIC', `${what}: not a template index shard`);
  if (buf.length < HEADER_BYTES) fail('TRUNCATED', `${what}: ${buf.length} bytes, shorter than the header`);
  const version = buf.readUInt16LE(4);
  if (version !== FORMAT_VERSION) fail('UNSUPPORTED_VERSION', `${what}: format version ${version}, this build reads ${FORMAT_VERSION}`);
  if (buf.readUInt32LE(60) !== crc32(buf.subarray(0, 60))) fail('CHECKSUM', `${what}: header checksum mismatch`);
  const h: ShardHeader = {
    dims: buf.readUInt32LE(8),
    total: buf.readUInt32LE(12),
    index: buf.readUInt32LE(16),
    shards: buf.readUInt32LE(20),
    first: buf.readUInt32LE(24),
    count: buf.readUInt32LE(28),
    vectorBytes: buf.readUInt32LE(32),
    idBytes: buf.readUInt32LE(36),
    payloadCrc: buf.readUInt32LE(40),
    setCrc: buf.readUInt32LE(44),
    buf,
  };
  if (buf.readUInt16LE(6) !== HEADER_BYTES || h.dims === 0 || h.vectorBytes !== h.count * h.dims * 4) fail('INCONSISTENT', `${what}: header fields disagree`);
  const expected = HEADER_BYTES + h.vectorBytes + h.idBytes;
  if (buf.length < expected) fail('TRUNCATED', `${what}: ${buf.length} bytes, header says ${expected}`);
  if (buf.length > expected) fail('INCONSISTENT', `${what}: ${buf.length - expected} trailing bytes`);
  if (h.payloadCrc !== crc32(buf.subarray(HEADER_BYTES))) fail('CHECKSUM', `${what}: payload checksum mismatch`);
  return h;
}

export interface DecodedShards {
  dims: number;
  count: number;
  /** calls `each` for every entry in stored order; the vector is a view, valid during the call */
  forEach(each: (id: string, vector: Float32Array) => void): void;
}

/** Checks every shard (header, lengths, checksums, one consistent set) before anything is returned. */
export function decodeShards(buffers: readonly Buffer[]): DecodedShards {
  assertLittleEndian();
  if (!Array.isArray(buffers) || buffers.length === 0) fail('TRUNCATED', 'no shards');
  const headers = buffers.map((b, i) => readHeader(b, i)).sort((a, b) => a.index - b.index);
  const h0 = headers[0]!;
  let next = 0;
  headers.forEach((h, i) => {
    if (h.dims !== h0.dims || h.total !== h0.total || h.shards !== headers.length || h.index !== i || h.first !== next) {
      fail(h.shards !== headers.length || h.index !== i ? 'TRUNCATED' : 'INCONSISTENT', `shard ${h.index} of ${h.shards} does not belong to a complete set of ${headers.length}`);
    }
    next += h.count;
  });
  if (next !== h0.total) fail('INCONSISTENT', `shards hold ${next} entries, header says ${h0.total}`);
  const setCrc = setChecksum(headers.map((h) => h.payloadCrc));
  if (headers.some((h) => h.setCrc !== setCrc)) fail('INCONSISTENT', 'shards come from different serialisations');

  // parse ids now so that a bad id table fails the load before the caller builds anything
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const ids: string[][] = headers.map((h) => {
    const out: string[] = [];
    const { buf } = h;
    let p = HEADER_BYTES + h.vectorBytes;
    const end = p + h.idBytes;
    for (let i = 0; i < h.count; i++) {
      if (p + 2 > end) fail('INCONSISTENT', `shard ${h.index}: id table too short`);
      const len = buf.readUInt16LE(p);
      if (len === 0 || p + 2 + len > end) fail('INCONSISTENT', `shard ${h.index}: bad id length`);
      try {
        out.push(decoder.decode(buf.subarray(p + 2, p + 2 + len)));
      } catch {
        fail('INCONSISTENT', `shard ${h.index}: id is not UTF-8`);
      }
      p += 2 + len;
    }
    if (p !== end) fail('INCONSISTENT', `shard ${h.index}: id table has trailing bytes`);
    return out;
  });
  const seen = new Set<string>();
  for (const list of ids) {
    for (const id of list) {
      if (seen.has(id)) fail('INCONSISTENT', `duplicate id ${JSON.stringify(id)}`);
      seen.add(id);
    }
  }

  const dims = h0.dims;
  return {
    dims,
    count: h0.total,
    forEach(each) {
      headers.forEach((h, s) => {
        const start = h.buf.byteOffset + HEADER_BYTES;
        // a Float32Array view needs 4-byte alignment; pooled or sliced Buffers may not have it
        let rows: Float32Array;
        if (start % 4 === 0) rows = new Float32Array(h.buf.buffer, start, h.count * dims);
        else {
          const copy = new Uint8Array(h.vectorBytes);
          copy.set(h.buf.subarray(HEADER_BYTES, HEADER_BYTES + h.vectorBytes));
          rows = new Float32Array(copy.buffer);
        }
        const list = ids[s]!;
        for (let i = 0; i < h.count; i++) each(list[i]!, rows.subarray(i * dims, (i + 1) * dims));
      });
    },
  };
}
