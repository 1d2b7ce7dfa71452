/**
 * The int8 scan kernel: dot products of one int16 query against many int8 codes, written into an
 * Int32 output block. Two implementations with bit-identical results:
 *
 *  - WebAssembly SIMD (standard 128-bit SIMD, shipped in V8 since Node 16.4): per 8 codes one
 *    `v128.load8x8_s` (sign-extending load, pmovsxbw) and one `i32x4.dot_i16x8_s` (pmaddwd)
 *    against the query, 64 codes per loop turn. The module is assembled here from its opcodes
 *    (631 bytes with the float32 kernel), so there is no toolchain and no binary blob in the repository.
 *  - Plain JavaScript over the same memory, 8-way unrolled: the fallback where SIMD is missing,
 *    and the reference the tests hold the SIMD kernel to.
 *
 * Memory layout is owned by the caller (index.ts): query at `q` (stride int16 values), codes at
 * `codes` (n rows of `stride` int8 bytes, stride a multiple of 64 and zero padded), output at
 * `out` (n int32). All offsets are byte offsets into the shared WebAssembly.Memory.
 */

// The project compiles without the DOM lib, and @types/node 20 does not declare the WebAssembly
// global, so the few members used here are typed locally (no global declarations leak out).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Growable memory for the codes: a WebAssembly.Memory, or a stand-in where WebAssembly is absent. */
export function createMemory(pages: number): WasmMemory {
  if (wasm) return new wasm.Memory({ initial: pages });
  let buffer = new ArrayBuffer(pages * 65536);
  return {
    get buffer() {
      return buffer;
    },
    grow(delta: number) {
      const old = buffer;
      buffer = new ArrayBuffer(old.byteLength + delta * 65536);
      new Uint8Array(buffer).set(new Uint8Array(old));
      return old.byteLength / 65536;
    },
  };
}

export type ScanFn = (q: number, codes: number, n: number, stride: number, out: number) => void;

export interface Int8Kernel {
  kind: 'wasm-simd' | 'js';
  scan: ScanFn;
}

/** Row stride of the int8 codes: dims rounded up to a multiple of 64 bytes (one cache line). */
export const strideFor = (dims: number): number => Math.ceil(dims / 64) * 64;

// ---- a minimal WebAssembly assembler: just what the kernel needs ----

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...Buffer.from(s, 'utf8')].map((b) => [b]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
// core opcodes
const BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
const I32_CONST = 0x41, I32_EQZ = 0x45, I32_LT_U = 0x49, I32_ADD = 0x6a, I32_SHL = 0x74, I32_STORE = 0x36;
// SIMD opcodes (prefix 0xfd, then the LEB128 sub-opcode)
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const V128_LOAD = 0x00, V128_LOAD8X8_S = 0x01, V128_CONST = 0x0c, I32X4_EXTRACT_LANE = 0x1b;
const I32X4_ADD = 0xae, I32X4_DOT_I16X8_S = 0xba;
const F32X4_EXTRACT_LANE = 0x1f, F32X4_ADD = 0xe4, F32X4_MUL = 0xe6;
const F32_ADD = 0x92, F32_STORE = 0x38;
const memarg = (alignLog2: number, offset: number): number[] => [...uleb(alignLog2), ...uleb(offset)];

/** int8 codes x int16 query -> int32 dot per row */
function int8Body(): number[] {
  // params: q, codes, n, stride, out; locals: end(5) qi(6) vend(7) acc(8: v128)
  const [q, p, n, stride, out, end, qi, vend, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const get = (i: number) => [LOCAL_GET, i];
  // one pair: dot(load8x8_s(p + 8j), load(qi + 16j))
  const pair = (j: number) => [...get(p), ...simd(V128_LOAD8X8_S), ...memarg(3, 8 * j), ...get(qi), ...simd(V128_LOAD), ...memarg(4, 16 * j), ...simd(I32X4_DOT_I16X8_S)];
  const add = simd(I32X4_ADD);
  // acc + (((d0+d1)+(d2+d3)) + ((d4+d5)+(d6+d7))): a short dependency chain on acc
  const turn = [
    ...get(acc),
    ...pair(0), ...pair(1), ...add, ...pair(2), ...pair(3), ...add, ...add,
    ...pair(4), ...pair(5), ...add, ...pair(6), ...pair(7), ...add, ...add,
    ...add, ...add,
    LOCAL_SET, acc,
  ];
  const lane = (l: number) => [...get(acc), ...simd(I32X4_EXTRACT_LANE), l];
  const body = [
    BLOCK, VOID,
    ...get(n), I32_EQZ, BR_IF, 0,
    ...get(out), ...get(n), I32_CONST, ...sleb(2), I32_SHL, I32_ADD, LOCAL_SET, end,
    LOOP, VOID,
    ...simd(V128_CONST), ...new Array<number>(16).fill(0), LOCAL_SET, acc,
    ...get(q), LOCAL_SET, qi,
    ...get(p), ...get(stride), I32_ADD, LOCAL_SET, vend,
    LOOP, VOID,
    ...turn,
    ...get(p), I32_CONST, ...sleb(64), I32_ADD, LOCAL_TEE, p,
    ...get(qi), I32_CONST, ...sleb(128), I32_ADD, LOCAL_SET, qi,
    ...get(vend), I32_LT_U, BR_IF, 0,
    END,
    ...get(out),
    ...lane(0), ...lane(1), I32_ADD, ...lane(2), I32_ADD, ...lane(3), I32_ADD,
    I32_STORE, ...memarg(2, 0),
    ...get(out), I32_CONST, ...sleb(4), I32_ADD, LOCAL_TEE, out,
    ...get(end), I32_LT_U, BR_IF, 0,
    END,
    END,
    END, // function body
  ];
  return [...vec([[...uleb(3), I32], [...uleb(1), V128]]), ...body];
}

/** float32 rows x float32 query -> float32 dot per row (4 accumulators of f32x4, 16 floats a turn) */
function f32Body(): number[] {
  // params: q, rows, n, dims, out; locals: end(5) qi(6) vend(7) a0..a3(8..11: v128)
  const [q, p, n, dims, out, end, qi, vend] = [0, 1, 2, 3, 4, 5, 6, 7];
  const accs = [8, 9, 10, 11];
  const get = (i: number) => [LOCAL_GET, i];
  const zero = [...simd(V128_CONST), ...new Array<number>(16).fill(0)];
  const mac = (a: number, j: number) => [
    ...get(a), ...get(p), ...simd(V128_LOAD), ...memarg(4, 16 * j), ...get(qi), ...simd(V128_LOAD), ...memarg(4, 16 * j),
    ...simd(F32X4_MUL), ...simd(F32X4_ADD), LOCAL_SET, a,
  ];
  const add = simd(F32X4_ADD);
  return [
    ...vec([[...uleb(3), I32], [...uleb(4), V128]]),
    BLOCK, VOID,
    ...get(n), I32_EQZ, BR_IF, 0,
    ...get(out), ...get(n), I32_CONST, ...sleb(2), I32_SHL, I32_ADD, LOCAL_SET, end,
    LOOP, VOID,
    ...accs.flatMap((a) => [...zero, LOCAL_SET, a]),
    ...get(q), LOCAL_SET, qi,
    ...get(p), ...get(dims), I32_CONST, ...sleb(2), I32_SHL, I32_ADD, LOCAL_SET, vend,
    LOOP, VOID,
    ...accs.flatMap((a, j) => mac(a, j)),
    ...get(p), I32_CONST, ...sleb(64), I32_ADD, LOCAL_TEE, p,
    ...get(qi), I32_CONST, ...sleb(64), I32_ADD, LOCAL_SET, qi,
    ...get(vend), I32_LT_U, BR_IF, 0,
    END,
    // a0 = (a0 + a1) + (a2 + a3), then its four lanes summed in order
    ...get(accs[0]!), ...get(accs[1]!), ...add, ...get(accs[2]!), ...get(accs[3]!), ...add, ...add, LOCAL_SET, accs[0]!,
    ...get(out),
    ...[0, 1, 2, 3].flatMap((l) => [...get(accs[0]!), ...simd(F32X4_EXTRACT_LANE), l, ...(l > 0 ? [F32_ADD] : [])]),
    F32_STORE, ...memarg(2, 0),
    ...get(out), I32_CONST, ...sleb(4), I32_ADD, LOCAL_TEE, out,
    ...get(end), I32_LT_U, BR_IF, 0,
    END,
    END,
    END,
  ];
}

/** the assembled module (exported for inspection and tests) */
export function kernelModule(): Uint8Array {
  const bodies = [int8Body(), f32Body()];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // one type: (i32 i32 i32 i32 i32) -> ()
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]])),
    // import env.memory: limits flag 0 (no maximum), min 0 pages
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(0)]])),
    ...section(3, vec([uleb(0), uleb(0)])),
    ...section(7, vec([[...name('scan'), 0x00, ...uleb(0)], [...name('scanF32'), 0x00, ...uleb(1)]])),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ];
  return Uint8Array.from(bytes);
}

let compiled: object | null | undefined;

/** The compiled SIMD module, or null where the engine lacks WebAssembly SIMD. */
function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = kernelModule();
    try {
      compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export const simdAvailable = (): boolean => simdModule() !== null;

/** The JavaScript kernel: same arithmetic, same results, about 5-10x slower. */
function jsKernel(memory: WasmMemory): Int8Kernel {
  let buf: ArrayBuffer | null = null;
  let i8 = new Int8Array(0);
  let i16 = new Int16Array(0);
  let i32 = new Int32Array(0);
  const scan: ScanFn = (q, codes, n, stride, out) => {
    if (buf !== memory.buffer) {
      // views are rebuilt after memory.grow detaches the old buffer
      buf = memory.buffer;
      i8 = new Int8Array(buf);
      i16 = new Int16Array(buf);
      i32 = new Int32Array(buf);
    }
    const q0 = q >> 1;
    const o0 = out >> 2;
    for (let v = 0; v < n; v++) {
      let c = codes + v * stride;
      const cend = c + stride;
      let qi = q0;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (; c < cend; c += 8, qi += 8) {
        s0 += i8[c]! * i16[qi]! + i8[c + 4]! * i16[qi + 4]!;
        s1 += i8[c + 1]! * i16[qi + 1]! + i8[c + 5]! * i16[qi + 5]!;
        s2 += i8[c + 2]! * i16[qi + 2]! + i8[c + 6]! * i16[qi + 6]!;
        s3 += i8[c + 3]! * i16[qi + 3]! + i8[c + 7]! * i16[qi + 7]!;
      }
      i32[o0 + v] = s0 + s1 + s2 + s3;
    }
  };
  return { kind: 'js', scan };
}

/**
 * A kernel over `memory`: WebAssembly SIMD unless `prefer` is 'js' or SIMD is unavailable.
 * `q` must be 16-byte aligned, `out` 4-byte aligned, `stride` a multiple of 64.
 */
export function createInt8Kernel(memory: WasmMemory, prefer: 'auto' | 'js' = 'auto'): Int8Kernel {
  const mod = prefer === 'auto' ? simdModule() : null;
  if (!mod || !wasm) return jsKernel(memory);
  const instance = new wasm.Instance(mod, { env: { memory } });
  const scan = instance.exports.scan as ScanFn;
  return { kind: 'wasm-simd', scan };
}

/**
 * Float32 dot products of one query (dims float32 at `q`) against n rows (dims float32 each,
 * contiguous, at `rows`), float32 results at `out`; dims a multiple of 16, pointers 16-byte
 * aligned. Accumulates in float32 (4 x f32x4 lanes), so results differ from a float64 sum by up
 * to ~dims * 2^-24 * sum|q_i x_i|: for candidate filtering (benchmark ground truth), not for the
 * similarities the index reports. JavaScript fallback (float64 sums) without SIMD.
 */
export function createF32Kernel(memory: WasmMemory, prefer: 'auto' | 'js' = 'auto'): { kind: 'wasm-simd' | 'js'; scan: ScanFn } {
  const mod = prefer === 'auto' ? simdModule() : null;
  if (mod && wasm) {
    const instance = new wasm.Instance(mod, { env: { memory } });
    return { kind: 'wasm-simd', scan: instance.exports.scanF32 as ScanFn };
  }
  const scan: ScanFn = (q, rows, n, dims, out) => {
    const f = new Float32Array(memory.buffer);
    const q0 = q >> 2;
    for (let v = 0; v < n; v++) {
      const r = (rows >> 2) + v * dims;
      let s = 0;
      for (let i = 0; i < dims; i++) s += f[q0 + i]! * f[r + i]!;
      f[(out >> 2) + v] = s;
    }
  };
  return { kind: 'js', scan };
}
