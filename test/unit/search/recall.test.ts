import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateIndex, type TemplateEntry } from '../../../layers/search';
import { Rng, dot64, idOf, identityTemplate, noisyCopy, unitVector } from './synthetic';

const DIMS = 512;
const N = 20_000;

interface Recall {
  at1: number;
  at10: number;
}

/** recall of index.search against index.searchExact (float32 brute force) */
function recall(ix: TemplateIndex, queries: Float32Array[]): Recall {
  let at1 = 0;
  let at10 = 0;
  for (const q of queries) {
    const got = ix.search(q, 10);
    const want = ix.searchExact(q, 10);
    if (got[0]!.id === want[0]!.id) at1++;
    const ids = new Set(want.map((h) => h.id));
    at10 += got.filter((h) => ids.has(h.id)).length / want.length;
    // whatever is returned carries its exact similarity
    for (const h of got) {
      const w = want.find((x) => x.id === h.id);
      if (w) assert.equal(h.similarity, w.similarity);
    }
  }
  return { at1: at1 / queries.length, at10: at10 / queries.length };
}

test('recall on 20k random unit vectors (nearly orthogonal: the hard case)', (t) => {
  const ix = new TemplateIndex();
  const entries: TemplateEntry[] = [];
  for (let i = 0; i < N; i++) entries.push({ id: idOf('p', i), vector: unitVector(21, i, DIMS) });
  ix.add(entries);
  const rng = new Rng(22);
  const present = Array.from({ length: 60 }, (_, i) => noisyCopy(entries[rng.int(N)]!.vector, 0.5 + 0.3 * rng.uniform(), 22, i));
  const absent = Array.from({ length: 40 }, (_, i) => unitVector(23, i, DIMS));
  const p = recall(ix, present);
  const a = recall(ix, absent);
  t.diagnostic(`present people: recall@1 ${p.at1.toFixed(3)}, recall@10 ${p.at10.toFixed(3)}; absent people: recall@1 ${a.at1.toFixed(3)}, recall@10 ${a.at10.toFixed(3)}`);
  assert.ok(p.at1 >= 0.99, `recall@1 (present) ${p.at1}`);
  assert.ok(a.at1 >= 0.99, `recall@1 (absent) ${a.at1}`);
  assert.ok(p.at10 >= 0.95 && a.at10 >= 0.95);
});

test('recall on 20k clustered templates: 4,000 identities x 5, genuine pairs at cosine ~0.7', (t) => {
  const ix = new TemplateIndex();
  const entries: TemplateEntry[] = [];
  for (let id = 0; id < 4000; id++) {
    const centre = unitVector(31, id, DIMS);
    for (let s = 0; s < 5; s++) entries.push({ id: `${idOf('i', id)}-${s}`, vector: identityTemplate(31, id, s, DIMS, 0.7, centre) });
  }
  ix.add(entries);
  const rng = new Rng(32);
  const people = Array.from({ length: 100 }, () => rng.int(4000));
  // a new capture of a known identity: its best match is one of 5 close templates
  const queries = people.map((id) => identityTemplate(31, id, 100, DIMS));
  const genuine = queries.map((q, i) => dot64(q, entries[people[i]! * 5]!.vector));
  const meanGenuine = genuine.reduce((a, b) => a + b, 0) / genuine.length;
  const r = recall(ix, queries);
  let right = 0;
  queries.forEach((q, i) => {
    if (ix.search(q, 1)[0]!.id.startsWith(idOf('i', people[i]!))) right++;
  });
  t.diagnostic(`genuine similarity mean ${meanGenuine.toFixed(3)}; recall@1 ${r.at1.toFixed(3)}, recall@10 ${r.at10.toFixed(3)}; right identity first ${right}/100`);
  assert.ok(meanGenuine > 0.6 && meanGenuine < 0.8);
  assert.ok(r.at1 >= 0.99, `recall@1 ${r.at1}`);
  assert.equal(right, 100);
});
