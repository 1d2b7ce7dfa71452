/**
 * In-memory 1:N index of face templates (L2-normalised float32 vectors; similarity = dot product).
 *
 * Search is exhaustive, in two passes:
 *  1. every template is scored against the query with int8 codes (per-vector max-abs scale) by a
 *     WebAssembly SIMD kernel (kernel.ts): 512 bytes per template read, ~60 ms per million on one
 *     core, memory-bandwidth bound;
 *  2. the best `max(rerank, 2k)` candidates are re-scored exactly from the float32 vectors and the
 *     top k returned, best first, ties broken by id (ascending, UTF-16 code-unit order).
 * Collections smaller than `exactBelow` (default 5,000) skip pass 1 and are scanned exactly.
 * Nothing is trained and there is no partitioning, so an added template is searchable at once and
 * the answer does not depend on insertion order; reported similarities are always exact.
 *
 * Storage: float32 rows in 8,192-row chunks (2 KiB per 512-d template), int8 codes in one
 * WebAssembly.Memory (stride = dims rounded up to 64 bytes), one float32 scale per row. Removal
 * moves the last row into the hole (no tombstones, nothing to compact). Add and remove are
 * synchronous, so the next search sees them. One index holds at most ~8M 512-d templates (4 GiB
 * wasm32 memory for the codes); see README.md for sharding beyond one process.
 */
import { decodeShards, encodeShards, MAX_ID_BYTES, SearchIndexFormatError } from './format';
import { createInt8Kernel, createMemory, strideFor, type Int8Kernel, type WasmMemory } from './kernel';

export { SearchIndexFormatError, type SearchIndexFormatErrorCode, FORMAT_VERSION } from './format';
export { simdAvailable } from './kernel';

export interface TemplateEntry {
  id: string;
  vector: Float32Array;
}

export interface SearchHit {
  id: string;
  similarity: number;
}

export interface TemplateIndexOptions {
  /** vector length (default 512) */
  dims?: number;
  /** collections smaller than this are searched exactly in float32 (default 5,000) */
  exactBelow?: number;
  /** candidates from the int8 pass re-scored exactly: max(rerank, 2k) (default 128) */
  rerank?: number;
  /** 'js' forces the plain JavaScript int8 kernel (tests, benchmarks, engines without SIMD) */
  kernel?: 'auto' | 'js';
}

export interface TemplateIndexStats {
  count: number;
  dims: number;
  kernel: 'wasm-simd' | 'js';
  /** float32 rows (allocated chunks) */
  vectorBytes: number;
  /** the WebAssembly memory: int8 codes, query and output blocks */
  codeBytes: number;
  scaleBytes: number;
  /** rough: id strings, id map and slot array */
  idBytesEstimate: number;
  totalBytes: number;
}

const CHUNK_SHIFT = 13;
const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_ROWS - 1;
const BLOCK_ROWS = 4096; // rows per kernel call: a 16 KiB output block that stays in L1
const PAGE = 65536;
const MAX_PAGES = 65535; // 4 GiB - 64 KiB: keeps every i32 address below 2^32
const ID_OVERHEAD = 64; // per entry: string header, Map entry, array slot (estimate)

/** Exact dot product of float32 values in float64, fixed summation order (deterministic). */
function dot(q: Float32Array, rows: Float32Array, off: number, dims: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    a0 += q[i]! * rows[off + i]!;
    a1 += q[i + 1]! * rows[off + i + 1]!;
    a2 += q[i + 2]! * rows[off + i + 2]!;
    a3 += q[i + 3]! * rows[off + i + 3]!;
  }
  for (; i < dims; i++) a0 += q[i]! * rows[off + i]!;
  return (a0 + a1) + (a2 + a3);
}

/** Bounded min-heap keeping the best `cap` (score, slot) pairs; ties go to the smaller id. */
class TopK {
  readonly scores: Float64Array;
  readonly slots: Int32Array;
  size = 0;
  /** a score below this cannot enter (the worst kept score once full) */
  thr = -Infinity;

  constructor(
    readonly cap: number,
    private readonly ids: readonly string[],
  ) {
    this.scores = new Float64Array(cap);
    this.slots = new Int32Array(cap);
  }

  /** true when a is worse than b */
  private worse(sa: number, a: number, sb: number, b: number): boolean {
    return sa < sb || (sa === sb && this.ids[a]! > this.ids[b]!);
  }

  offer(score: number, slot: number): void {
    const { scores, slots } = this;
    if (this.size < this.cap) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, slot, scores[parent]!, slots[parent]!)) break;
        scores[i] = scores[parent]!;
        slots[i] = slots[parent]!;
        i = parent;
      }
      scores[i] = score;
      slots[i] = slot;
      if (this.size === this.cap) this.thr = scores[0]!;
      return;
    }
    if (this.worse(score, slot, scores[0]!, slots[0]!)) return;
    // replace the root and sift down
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.worse(scores[r]!, slots[r]!, scores[l]!, slots[l]!) ? r : l;
      if (!this.worse(scores[c]!, slots[c]!, score, slot)) break;
      scores[i] = scores[c]!;
      slots[i] = slots[c]!;
      i = c;
    }
    scores[i] = score;
    slots[i] = slot;
    this.thr = scores[0]!;
  }
}

/** max |v_i|, or NaN if any value is NaN or infinite */
function maxAbs(v: Float32Array): number {
  let m = 0;
  let ss = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    ss += x * 0; // stays 0 unless x is NaN or +-Infinity
    const a = Math.abs(x); // branch-free (a sign test mispredicts half the time)
    if (a > m) m = a;
  }
  return ss === 0 ? m : NaN;
}

const byBest = (a: SearchHit, b: SearchHit): number =>
  b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class TemplateIndex {
  readonly dims: number;
  readonly exactBelow: number;
  readonly rerank: number;
  private readonly stride: number;
  private readonly memory: WasmMemory;
  private readonly kernel: Int8Kernel;
  private readonly outOffset: number;
  private readonly codesOffset: number;
  private codes: Int8Array;
  private query16: Int16Array;
  private out: Int32Array;
  private capacity: number;
  private scales = new Float32Array(1024);
  private chunks: Float32Array[] = [];
  private readonly ids: string[] = [];
  private readonly slots = new Map<string, number>();
  private count = 0;

  constructor(opts: TemplateIndexOptions = {}) {
    const dims = opts.dims ?? 512;
    if (!Number.isInteger(dims) || dims < 1 || dims > 16384) throw new RangeError(`dims must be an integer in 1..16384, got ${dims}`);
    const rerank = opts.rerank ?? 128;
    if (!Number.isInteger(rerank) || rerank < 1) throw new RangeError('rerank must be a positive integer');
    const exactBelow = opts.exactBelow ?? 5000;
    if (!(exactBelow >= 0)) throw new RangeError('exactBelow must be >= 0');
    this.dims = dims;
    this.rerank = rerank;
    this.exactBelow = exactBelow;
    this.stride = strideFor(dims);
    this.outOffset = this.stride * 2; // query: stride int16 values at offset 0
    this.codesOffset = Math.ceil((this.outOffset + BLOCK_ROWS * 4) / PAGE) * PAGE;
    const initialRows = 1024;
    this.memory = createMemory(Math.ceil((this.codesOffset + initialRows * this.stride) / PAGE));
    this.kernel = createInt8Kernel(this.memory, opts.kernel ?? 'auto');
    this.codes = new Int8Array(0);
    this.query16 = new Int16Array(0);
    this.out = new Int32Array(0);
    this.capacity = 0;
    this.refreshViews();
  }

  /** number of templates */
  get size(): number {
    return this.count;
  }

  /** which int8 kernel this index runs: 'wasm-simd' or the plain JavaScript fallback */
  get kernelKind(): 'wasm-simd' | 'js' {
    return this.kernel.kind;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** ids in storage order (not sorted; order changes with removals) */
  idList(): string[] {
    return this.ids.slice(0, this.count);
  }

  stats(): TemplateIndexStats {
    const vectorBytes = this.chunks.length * CHUNK_ROWS * this.dims * 4;
    const codeBytes = this.memory.buffer.byteLength;
    const scaleBytes = this.scales.byteLength;
    let chars = 0;
    for (let i = 0; i < this.count; i++) chars += this.ids[i]!.length;
    const idBytesEstimate = chars + this.count * ID_OVERHEAD;
    return {
      count: this.count,
      dims: this.dims,
      kernel: this.kernel.kind,
      vectorBytes,
      codeBytes,
      scaleBytes,
      idBytesEstimate,
      totalBytes: vectorBytes + codeBytes + scaleBytes + idBytesEstimate,
    };
  }

  /**
   * Adds or replaces templates (an existing id gets the new vector; within one call the last
   * entry for an id wins). All entries are checked first: on a bad entry nothing is added.
   */
  add(entries: readonly TemplateEntry[]): void {
    if (!Array.isArray(entries)) throw new TypeError('add expects an array of {id, vector}');
    const fresh = new Set<string>();
    const maxAbs = new Float64Array(entries.length);
    entries.forEach((e, i) => {
      this.checkId(e?.id);
      maxAbs[i] = this.checkVector(e.vector, e.id);
      if (!this.slots.has(e.id)) fresh.add(e.id);
    });
    this.reserve(this.count + fresh.size);
    entries.forEach((e, i) => this.put(e.id, e.vector, maxAbs[i]!));
  }

  /** Removes templates by id; unknown ids are ignored. Returns how many were removed. */
  remove(ids: readonly string[]): number {
    if (!Array.isArray(ids)) throw new TypeError('remove expects an array of ids');
    let removed = 0;
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot === undefined) continue;
      const last = this.count - 1;
      if (slot !== last) {
        const lastId = this.ids[last]!;
        const dims = this.dims;
        this.rowChunk(slot).set(this.rowChunk(last).subarray((last & CHUNK_MASK) * dims, ((last & CHUNK_MASK) + 1) * dims), (slot & CHUNK_MASK) * dims);
        const from = this.codesOffset + last * this.stride;
        this.codes.copyWithin(this.codesOffset + slot * this.stride, from, from + this.stride);
        this.scales[slot] = this.scales[last]!;
        this.ids[slot] = lastId;
        this.slots.set(lastId, slot);
      }
      this.slots.delete(id);
      this.ids.pop();
      this.count--;
      removed++;
      // give back a float32 chunk once it is empty
      if (this.chunks.length > Math.ceil(this.count / CHUNK_ROWS) + 1) this.chunks.pop();
    }
    return removed;
  }

  /**
   * The k most similar templates, best first; similarities are exact float32 dot products.
   * `opts.rerank` overrides the index's re-rank depth for this call (candidates = max(rerank, 2k)
   * with the default; max(rerank, k) when given, so rerank 1 with k 1 is the int8 pass alone).
   */
  search(query: Float32Array, k: number, opts: { rerank?: number } = {}): SearchHit[] {
    const qMax = this.checkVector(query, null);
    if (!Number.isInteger(k) || k < 0) throw new RangeError('k must be a non-negative integer');
    const { rerank } = opts;
    if (rerank !== undefined && (!Number.isInteger(rerank) || rerank < 1)) throw new RangeError('rerank must be a positive integer');
    if (k === 0 || this.count === 0) return [];
    if (this.count < this.exactBelow) return this.searchExact(query, k);

    const { dims, stride, count, codesOffset, outOffset, scales } = this;
    const depth = rerank === undefined ? Math.max(this.rerank, 2 * k) : Math.max(rerank, k);
    const cands = new TopK(Math.min(count, depth), this.ids);
    this.quantizeQuery(query, qMax);
    const out = this.out;
    const scan = this.kernel.scan;
    for (let start = 0; start < count; start += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, count - start);
      scan(0, codesOffset + start * stride, n, stride, outOffset);
      let thr = cands.thr;
      for (let j = 0; j < n; j++) {
        // approximate similarity / query scale: the query scale is common to all rows
        const s = out[j]! * scales[start + j]!;
        if (s >= thr) {
          cands.offer(s, start + j);
          thr = cands.thr;
        }
      }
    }
    const hits: SearchHit[] = [];
    for (let c = 0; c < cands.size; c++) {
      const slot = cands.slots[c]!;
      hits.push({ id: this.ids[slot]!, similarity: dot(query, this.rowChunk(slot), (slot & CHUNK_MASK) * dims, dims) });
    }
    hits.sort(byBest);
    hits.length = Math.min(k, hits.length);
    return hits;
  }

  /** Brute-force float32 search over every template: the reference the int8 pass is held to. */
  searchExact(query: Float32Array, k: number): SearchHit[] {
    this.checkVector(query, null);
    if (!Number.isInteger(k) || k < 0) throw new RangeError('k must be a non-negative integer');
    const { dims, count } = this;
    const top = new TopK(Math.min(k, count), this.ids);
    if (top.cap === 0) return [];
    for (let c = 0; c * CHUNK_ROWS < count; c++) {
      const rows = this.chunks[c]!;
      const base = c * CHUNK_ROWS;
      const n = Math.min(CHUNK_ROWS, count - base);
      for (let r = 0; r < n; r++) {
        const s = dot(query, rows, r * dims, dims);
        if (s >= top.thr) top.offer(s, base + r);
      }
    }
    const hits: SearchHit[] = [];
    for (let c = 0; c < top.size; c++) hits.push({ id: this.ids[top.slots[c]!]!, similarity: top.scores[c]! });
    return hits.sort(byBest);
  }

  /**
   * Serialises the index into shards of at most maxShardBytes each (format.ts): float32 rows and
   * ids in storage order. An empty index gives one header-only shard.
   */
  toShards(maxShardBytes: number): Buffer[] {
    const dims = this.dims;
    return encodeShards(
      {
        dims,
        count: this.count,
        id: (i) => this.ids[i]!,
        copyRows: (start, end, target, offset) => {
          // whole runs within one chunk at a time
          for (let i = start; i < end; ) {
            const stop = Math.min(end, ((i >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
            const r = i & CHUNK_MASK;
            target.set(this.rowChunk(i).subarray(r * dims, (r + stop - i) * dims), offset + (i - start) * dims);
            i = stop;
          }
        },
      },
      maxShardBytes,
    );
  }

  /**
   * Rebuilds an index from toShards output (any order). Every shard is checked (magic, version,
   * header and payload CRC-32, lengths, one complete set, unique ids) before anything is built;
   * a failure throws SearchIndexFormatError. `opts.dims`, if given, must match the shards.
   */
  static fromShards(buffers: readonly Buffer[], opts: TemplateIndexOptions = {}): TemplateIndex {
    const decoded = decodeShards(buffers);
    if (opts.dims !== undefined && opts.dims !== decoded.dims) {
      throw new SearchIndexFormatError('INCONSISTENT', `shards hold ${decoded.dims}-d vectors, expected ${opts.dims}`);
    }
    const index = new TemplateIndex({ ...opts, dims: decoded.dims });
    index.reserve(decoded.count);
    decoded.forEach((id, vector) => {
      const m = maxAbs(vector);
      if (Number.isNaN(m)) throw new SearchIndexFormatError('INCONSISTENT', `vector of ${JSON.stringify(id)} is not finite`);
      index.put(id, vector, m);
    });
    return index;
  }

  // ---- internals ----

  private checkId(id: unknown): asserts id is string {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('template id must be a non-empty string');
    if (id.length > MAX_ID_BYTES / 3 && Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) throw new RangeError(`template id longer than ${MAX_ID_BYTES} UTF-8 bytes`);
  }

  /** checks type, length and finiteness; returns max |v_i|. `id`: the entry's id, null for a query */
  private checkVector(v: unknown, id: string | null): number {
    const what = () => (id === null ? 'query' : `vector of ${JSON.stringify(id)}`);
    if (!(v instanceof Float32Array)) throw new TypeError(`${what()} must be a Float32Array`);
    if (v.length !== this.dims) throw new RangeError(`${what()} has ${v.length} values, the index holds ${this.dims}`);
    const m = maxAbs(v);
    if (Number.isNaN(m)) throw new RangeError(`${what()} has a non-finite value`);
    return m;
  }

  /** Pre-allocates room for `rows` templates (optional: storage grows by 1.25x on its own). */
  reserve(rows: number): void {
    if (rows > this.capacity) {
      const need = this.codesOffset + rows * this.stride;
      const max = MAX_PAGES * PAGE;
      if (need > max) throw new RangeError(`template index full: ${rows} rows of ${this.stride} bytes exceed the 4 GiB code memory; shard the collection`);
      const have = this.memory.buffer.byteLength;
      const target = Math.min(max, Math.max(need, Math.floor(have * 1.25)));
      this.memory.grow(Math.ceil(target / PAGE) - have / PAGE);
      this.refreshViews();
    }
    if (rows > this.scales.length) {
      const grown = new Float32Array(Math.max(rows, Math.floor(this.scales.length * 1.25)));
      grown.set(this.scales);
      this.scales = grown;
    }
    while (this.chunks.length * CHUNK_ROWS < rows) this.chunks.push(new Float32Array(CHUNK_ROWS * this.dims));
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.codes = new Int8Array(buf);
    this.query16 = new Int16Array(buf, 0, this.stride);
    this.out = new Int32Array(buf, this.outOffset, BLOCK_ROWS);
    this.capacity = Math.floor((buf.byteLength - this.codesOffset) / this.stride);
  }

  private rowChunk(slot: number): Float32Array {
    return this.chunks[slot >>> CHUNK_SHIFT]!;
  }

  /** writes (or overwrites) one row; m = max |v_i| (finite) */
  private put(id: string, v: Float32Array, m: number): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.count++;
      this.reserve(this.count);
      this.ids[slot] = id;
      this.slots.set(id, slot);
    }
    const dims = this.dims;
    this.rowChunk(slot).set(v, (slot & CHUNK_MASK) * dims);
    const codes = this.codes;
    const base = this.codesOffset + slot * this.stride;
    if (m === 0) {
      codes.fill(0, base, base + dims);
      this.scales[slot] = 0;
      return;
    }
    const inv = 127 / m;
    // round half up: x * inv is in [-127, 127], so x * inv + 128.5 > 0 and |0 floors it
    for (let i = 0; i < dims; i++) codes[base + i] = ((v[i]! * inv + 128.5) | 0) - 128;
    this.scales[slot] = m / 127;
  }

  private quantizeQuery(q: Float32Array, m: number): void {
    const dims = this.dims;
    const q16 = this.query16;
    const inv = m === 0 ? 0 : 127 / m;
    for (let i = 0; i < dims; i++) q16[i] = ((q[i]! * inv + 128.5) | 0) - 128;
    // padding (dims..stride) stays zero from allocation
  }
}
