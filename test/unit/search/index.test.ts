import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateIndex, type SearchHit, type TemplateEntry } from '../../../layers/search';
import { Rng, dot64, idOf, noisyCopy, unitVector } from './synthetic';

const DIMS = 512;

const gallery = (seed: number, n: number, dims = DIMS, prefix = 'p'): TemplateEntry[] =>
  Array.from({ length: n }, (_, i) => ({ id: idOf(prefix, i), vector: unitVector(seed, i, dims) }));

/** reference: float64 dot against every entry, best first, ties by id */
function naive(entries: TemplateEntry[], q: Float32Array, k: number): SearchHit[] {
  return entries
    .map((e) => ({ id: e.id, similarity: dot64(q, e.vector) }))
    .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
}

function assertSameHits(got: SearchHit[], want: SearchHit[], what: string): void {
  assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id), what);
  got.forEach((h, i) => assert.ok(Math.abs(h.similarity - want[i]!.similarity) < 1e-9, `${what}: similarity of ${h.id}`));
}

function queriesFor(entries: TemplateEntry[], seed: number, present: number, absent: number): Float32Array[] {
  const rng = new Rng(seed);
  const qs: Float32Array[] = [];
  for (let i = 0; i < present; i++) qs.push(noisyCopy(entries[rng.int(entries.length)]!.vector, 0.5 + 0.3 * rng.uniform(), seed, i));
  for (let i = 0; i < absent; i++) qs.push(unitVector(seed + 99, i, entries[0]!.vector.length));
  return qs;
}

test('search equals brute force on small random data: exact path, int8 path with the SIMD and the JS kernel', () => {
  const entries = gallery(1, 3000);
  const exact = new TemplateIndex();
  const simd = new TemplateIndex({ exactBelow: 0 });
  const js = new TemplateIndex({ exactBelow: 0, kernel: 'js' });
  for (const ix of [exact, simd, js]) ix.add(entries);
  assert.equal(js.kernelKind, 'js');
  for (const [i, q] of queriesFor(entries, 2, 30, 15).entries()) {
    const want = naive(entries, q, 10);
    assertSameHits(exact.search(q, 10), want, `exact path, query ${i}`);
    assertSameHits(exact.searchExact(q, 10), want, `searchExact, query ${i}`);
    const s = simd.search(q, 10);
    assertSameHits(s, want, `int8 path, query ${i}`);
    assert.deepEqual(js.search(q, 10), s, `JS kernel = SIMD kernel, query ${i}`);
  }
});

test('dims that are not a multiple of 64 (padded code rows) and k larger than the collection', () => {
  const entries = gallery(3, 700, 100);
  const ix = new TemplateIndex({ dims: 100, exactBelow: 0, rerank: 16 });
  ix.add(entries);
  const q = noisyCopy(entries[5]!.vector, 0.7, 3, 0);
  assertSameHits(ix.search(q, 5), naive(entries, q, 5), 'dims 100');
  assert.equal(ix.search(q, 1000).length, 700);
  assertSameHits(ix.search(q, 1000), naive(entries, q, 1000), 'k > size');
  assert.deepEqual(ix.search(q, 0), []);
  // a per-call re-rank depth: the int8 pass alone (rerank 1) still reports an exact similarity
  const one = ix.search(q, 1, { rerank: 1 });
  assert.equal(one.length, 1);
  assert.ok(Math.abs(one[0]!.similarity - dot64(q, entries.find((e) => e.id === one[0]!.id)!.vector)) < 1e-9);
  assert.throws(() => ix.search(q, 1, { rerank: 0.5 }), RangeError);
  assert.deepEqual(new TemplateIndex({ dims: 100 }).search(q, 3), []);
});

test('an added template is found by the next search; re-adding an id replaces its vector', () => {
  const entries = gallery(4, 6000);
  const ix = new TemplateIndex(); // 6,000 >= exactBelow: the int8 path
  ix.add(entries);
  const v = unitVector(5, 0, DIMS);
  ix.add([{ id: 'new-person', vector: v }]);
  assert.equal(ix.size, 6001);
  const hit = ix.search(noisyCopy(v, 0.6, 5, 1), 1)[0]!;
  assert.equal(hit.id, 'new-person');
  assert.ok(Math.abs(hit.similarity - dot64(noisyCopy(v, 0.6, 5, 1), v)) < 1e-9);

  const w = unitVector(5, 1, DIMS);
  ix.add([{ id: 'new-person', vector: w }]);
  assert.equal(ix.size, 6001);
  assert.equal(ix.search(w, 1)[0]!.id, 'new-person');
  assert.ok(Math.abs(ix.search(w, 1)[0]!.similarity - 1) < 1e-6);
  assert.notEqual(ix.search(v, 1)[0]!.id, 'new-person');
  // within one call the last entry for an id wins
  ix.add([{ id: 'twice', vector: v }, { id: 'twice', vector: w }]);
  assert.equal(ix.size, 6002);
  assert.ok(Math.abs(ix.search(w, 2).find((h) => h.id === 'twice')!.similarity - 1) < 1e-6);
});

test('a removed template is never returned again, on either path, and the rest stay exact', () => {
  for (const exactBelow of [0, 5000]) {
    const entries = gallery(6, 3000);
    const ix = new TemplateIndex({ exactBelow });
    ix.add(entries);
    const rng = new Rng(7);
    const gone = new Set<string>();
    while (gone.size < 500) gone.add(entries[rng.int(entries.length)]!.id);
    assert.equal(ix.remove([...gone, 'never-added']), 500);
    assert.equal(ix.remove([...gone]), 0);
    assert.equal(ix.size, 2500);
    const kept = entries.filter((e) => !gone.has(e.id));
    for (const e of entries.filter((x) => gone.has(x.id)).slice(0, 50)) {
      const all = ix.search(e.vector, ix.size);
      assert.equal(all.length, 2500);
      assert.ok(!all.some((h) => gone.has(h.id)), `removed id returned (exactBelow ${exactBelow})`);
      assertSameHits(ix.search(e.vector, 10), naive(kept, e.vector, 10), 'after removal');
    }
    for (const id of gone) assert.equal(ix.has(id), false);
    ix.remove(ix.idList());
    assert.equal(ix.size, 0);
    assert.deepEqual(ix.search(entries[0]!.vector, 5), []);
  }
});

test('interleaved adds and removes give the same answers as a rebuild from the surviving records', () => {
  const rng = new Rng(8);
  const ix = new TemplateIndex({ exactBelow: 0 });
  const live = new Map<string, Float32Array>();
  let next = 0;
  for (let round = 0; round < 40; round++) {
    const adds: TemplateEntry[] = [];
    for (let i = 0, n = rng.int(300); i < n; i++) {
      // sometimes overwrite an existing id
      const id = live.size > 0 && rng.uniform() < 0.1 ? [...live.keys()][rng.int(live.size)]! : idOf('q', next++);
      adds.push({ id, vector: unitVector(9, next * 7 + i, DIMS) });
    }
    ix.add(adds);
    for (const e of adds) live.set(e.id, e.vector);
    const removes = [...live.keys()].filter(() => rng.uniform() < 0.15);
    ix.remove(removes);
    for (const id of removes) live.delete(id);
    assert.equal(ix.size, live.size);
  }
  const records = [...live.entries()].map(([id, vector]) => ({ id, vector }));
  const rebuilt = new TemplateIndex({ exactBelow: 0 });
  rebuilt.add([...records].reverse());
  for (const q of queriesFor(records, 10, 20, 10)) {
    const got = ix.search(q, 10);
    assert.deepEqual(got, rebuilt.search(q, 10));
    assertSameHits(got, naive(records, q, 10), 'after churn');
  }
});

test('deterministic: insertion order does not change answers, equal similarities are ordered by id', () => {
  const entries = gallery(11, 5500);
  const v = unitVector(12, 0, DIMS);
  // three identical templates under different ids: a three-way tie
  const dup = ['dup-b', 'dup-c', 'dup-a'].map((id) => ({ id, vector: v }));
  const a = new TemplateIndex();
  a.add([...entries, ...dup]);
  const b = new TemplateIndex();
  const shuffled = [...dup, ...entries];
  const rng = new Rng(13);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  for (let i = 0; i < shuffled.length; i += 1000) b.add(shuffled.slice(i, i + 1000));
  const top = a.search(v, 3);
  assert.deepEqual(top.map((h) => h.id), ['dup-a', 'dup-b', 'dup-c']);
  assert.equal(top[0]!.similarity, top[2]!.similarity);
  for (const q of [v, ...queriesFor(entries, 14, 10, 5)]) {
    assert.deepEqual(a.search(q, 10), b.search(q, 10));
    assert.deepEqual(a.searchExact(q, 10), b.searchExact(q, 10));
  }
});

test('bad input is refused and a bad batch adds nothing', () => {
  const ix = new TemplateIndex({ dims: 8 });
  const ok = new Float32Array(8).fill(0.25);
  ix.add([{ id: 'a', vector: ok }]);
  const bad = new Float32Array(8);
  bad[3] = NaN;
  assert.throws(() => ix.add([{ id: 'b', vector: ok }, { id: 'c', vector: bad }]), RangeError);
  assert.throws(() => ix.add([{ id: 'b', vector: new Float32Array(9) }]), RangeError);
  assert.throws(() => ix.add([{ id: '', vector: ok }]), TypeError);
  assert.throws(() => ix.add([{ id: 'b', vector: [1, 2] as unknown as Float32Array }]), TypeError);
  assert.throws(() => ix.add([{ id: 'x'.repeat(70000), vector: ok }]), RangeError);
  const inf = new Float32Array(8);
  inf[0] = Infinity;
  assert.throws(() => ix.search(inf, 1), RangeError);
  assert.throws(() => ix.search(ok, -1), RangeError);
  assert.throws(() => ix.search(ok, 1.5), RangeError);
  assert.equal(ix.size, 1);
  assert.deepEqual(ix.idList(), ['a']);
  // a zero vector is legal (similarity 0 to everything)
  ix.add([{ id: 'zero', vector: new Float32Array(8) }]);
  assert.equal(ix.search(ok, 2)[1]!.similarity, 0);
});

test('stats account for the float32 rows, int8 codes and ids', () => {
  const ix = new TemplateIndex();
  ix.add(gallery(15, 10_000));
  const s = ix.stats();
  assert.equal(s.count, 10_000);
  assert.ok(s.vectorBytes >= 10_000 * DIMS * 4);
  assert.ok(s.codeBytes >= 10_000 * DIMS);
  assert.ok(s.totalBytes > s.vectorBytes + s.codeBytes);
});
