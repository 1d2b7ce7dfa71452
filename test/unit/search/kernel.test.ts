import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createF32Kernel, createInt8Kernel, createMemory, simdAvailable, strideFor } from '../../../layers/search/kernel';
import { Rng } from './synthetic';

test('WebAssembly SIMD is available on this runtime (Node >= 16.4)', () => {
  assert.equal(simdAvailable(), true);
});

test('the SIMD int8 kernel gives exactly the JavaScript kernel results, extremes included', () => {
  for (const dims of [64, 100, 512, 1000]) {
    const stride = strideFor(dims);
    const n = 300;
    const codesAt = 65536;
    const outA = 16384;
    const outB = outA + n * 4;
    const memory = createMemory(Math.ceil((codesAt + n * stride) / 65536));
    const i8 = new Int8Array(memory.buffer);
    const q16 = new Int16Array(memory.buffer, 0, stride);
    const rng = new Rng(dims);
    for (let d = 0; d < dims; d++) q16[d] = d < 8 ? 127 * (d % 2 ? 1 : -1) : rng.int(255) - 127;
    for (let v = 0; v < n; v++) {
      for (let d = 0; d < dims; d++) i8[codesAt + v * stride + d] = v === 0 ? 127 : v === 1 ? -127 : rng.int(255) - 127;
    }
    const simd = createInt8Kernel(memory);
    const js = createInt8Kernel(memory, 'js');
    assert.equal(simd.kind, 'wasm-simd');
    simd.scan(0, codesAt, n, stride, outA);
    js.scan(0, codesAt, n, stride, outB);
    const a = new Int32Array(memory.buffer, outA, n);
    const b = new Int32Array(memory.buffer, outB, n);
    assert.deepEqual(a, b, `dims ${dims}`);
    let ref = 0;
    for (let d = 0; d < dims; d++) ref += 127 * q16[d]!;
    assert.equal(a[0], ref);
    assert.equal(a[1], -ref);
    simd.scan(0, codesAt, 0, stride, outA); // n = 0 is a no-op
  }
});

test('the float32 SIMD kernel matches a float64 dot product to float32 rounding', () => {
  const dims = 512;
  const n = 64;
  const memory = createMemory(4);
  const f = new Float32Array(memory.buffer);
  const rng = new Rng(5);
  for (let i = 0; i < dims * (n + 1); i++) f[i] = rng.uniform() - 0.5;
  const k = createF32Kernel(memory);
  const outAt = dims * (n + 1) * 4;
  k.scan(0, dims * 4, n, dims, outAt);
  for (let v = 0; v < n; v++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += f[d]! * f[dims * (v + 1) + d]!;
    assert.ok(Math.abs(f[outAt / 4 + v]! - s) < 1e-4, `row ${v}`);
  }
});
