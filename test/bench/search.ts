/**
 * 1:N template search benchmark: for each gallery size (default 10k, 100k, 1M random 512-d unit
 * vectors, one per person) build time, memory, search latency (median / p95 over 200 queries),
 * recall against exact search, the exact float32 brute-force latency measured in the same run,
 * and shard serialisation round trip times.
 *
 *   npx tsx test/bench/search.ts [sizes...]        e.g. npx tsx test/bench/search.ts 10000 100000
 *   BENCH_QUERIES=n   queries per size (default 200: 75 % noisy copies of stored templates at
 *                     cosine 0.5-0.8, 25 % absent people = fresh random vectors)
 *   BENCH_EXACT=n     exact brute-force baseline queries at sizes above 100k (default 20;
 *                     every query below that)
 *
 * Ground truth is computed independently of the index while the gallery is generated: a
 * float32 WebAssembly SIMD scan of every (query, template) pair filters candidates, which are then
 * re-scored in float64; the filter margin (1e-4) is far above float32 rounding (~1e-6), so the
 * top 10 per query are exact. Random unit vectors are the hard case: nearly orthogonal, the
 * best match of an absent person sits only a few hundredths above the next ones.
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { TemplateIndex } from '../../layers/search';
import { createF32Kernel, createMemory } from '../../layers/search/kernel';
import { Rng, dot64, idOf, noisyCopy, unitVector } from '../unit/search/synthetic';

const DIMS = 512;
const SEED = 20240611;
const BATCH = 8192; // generation batch (rows)
const SUB = 256; // ground-truth cache block (rows): 512 KiB of float32
const TOP = 10;
const GT_MARGIN = 1e-4;

let gc: (() => void) | undefined;
/** full GC between phases, so that RSS deltas mean something (gc exposed on first use) */
const collect = (): void => {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  gc();
};

const MB = (b: number): number => Math.round(b / 1048576);
const r2 = (x: number): number => Math.round(x * 100) / 100;
const quantile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
};

interface Query {
  vector: Float32Array;
  /** id of the stored template it was copied from, or null for an absent person */
  target: string | null;
}

interface Truth {
  ids: string[];
  scores: number[];
}

export interface SizeResult {
  size: number;
  generateMs: number;
  buildMs: number;
  rssDeltaMB: number;
  indexMB: number;
  bytesPerTemplate: number;
  kernel: string;
  searchMedianMs: number;
  searchP95Ms: number;
  exactMedianMs: number;
  exactQueries: number;
  exactOverIndex: number;
  jsKernelMedianMs?: number;
  recallAt1: number;
  recallAt10: number;
  hitRate: number;
  presentTop1Min: number;
  absentTop1Max: number;
  maxSimilarityError: number;
  toShardsMs: number;
  shardBytes: number;
  shardCount: number;
  fromShardsMs: number;
  reloadIdentical: boolean;
  peakRssMB: number;
  loadAvg: number[];
}

function makeQueries(size: number, count: number): Query[] {
  const rng = new Rng(SEED + size);
  const present = Math.round(count * 0.75);
  const queries: Query[] = [];
  const used = new Set<number>();
  while (queries.length < present) {
    const t = rng.int(size);
    if (used.has(t)) continue;
    used.add(t);
    const cosine = 0.5 + 0.3 * rng.uniform();
    queries.push({ vector: noisyCopy(unitVector(SEED, t, DIMS), cosine, SEED, t), target: idOf('p', t) });
  }
  for (let j = 0; queries.length < count; j++) queries.push({ vector: unitVector(SEED + 7777, j, DIMS), target: null });
  return queries;
}

/** keeps the exact top TOP (float64 score desc, id asc) of one query */
function offer(t: Truth, id: string, score: number): void {
  const { ids, scores } = t;
  if (ids.length === TOP && (score < scores[TOP - 1]! || (score === scores[TOP - 1]! && id > ids[TOP - 1]!))) return;
  let i = ids.length;
  ids.push(id);
  scores.push(score);
  while (i > 0 && (scores[i - 1]! < score || (scores[i - 1] === score && ids[i - 1]! > id))) {
    ids[i] = ids[i - 1]!;
    scores[i] = scores[i - 1]!;
    i--;
  }
  ids[i] = id;
  scores[i] = score;
  if (ids.length > TOP) {
    ids.pop();
    scores.pop();
  }
}

type Measured = Omit<SizeResult, 'fromShardsMs' | 'reloadIdentical' | 'loadAvg'>;

/** builds, measures and serialises one index; the index is unreachable once this returns */
function buildAndMeasure(size: number, queries: Query[], truth: Truth[], log: (s: string) => void): { m: Measured; shards: Buffer[]; before: string[] } {
  const qCount = queries.length;

  // ground-truth scratch: queries, one generation batch, one output block (float32)
  const qBytes = qCount * DIMS * 4;
  const rowsAt = Math.ceil(qBytes / 64) * 64;
  const outAt = rowsAt + BATCH * DIMS * 4;
  const memory = createMemory(Math.ceil((outAt + SUB * 4) / 65536));
  const f32 = new Float32Array(memory.buffer);
  queries.forEach((q, i) => f32.set(q.vector, i * DIMS));
  const kernel = createF32Kernel(memory);
  const out = new Float32Array(memory.buffer, outAt, SUB);
  const rows = new Float32Array(memory.buffer, rowsAt, BATCH * DIMS);

  collect();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const index = new TemplateIndex({ dims: DIMS });
  let genMs = 0;
  let buildMs = 0;
  let gtMs = 0;
  for (let start = 0; start < size; start += BATCH) {
    const n = Math.min(BATCH, size - start);
    let t = performance.now();
    for (let r = 0; r < n; r++) unitVector(SEED, start + r, DIMS, rows, r * DIMS);
    genMs += performance.now() - t;

    t = performance.now();
    for (let b = 0; b < n; b += SUB) {
      const m = Math.min(SUB, n - b);
      for (let qi = 0; qi < qCount; qi++) {
        kernel.scan(qi * DIMS * 4, rowsAt + b * DIMS * 4, m, DIMS, outAt);
        const tr = truth[qi]!;
        const floor = tr.ids.length === TOP ? tr.scores[TOP - 1]! - GT_MARGIN : -Infinity;
        for (let j = 0; j < m; j++) {
          if (out[j]! < floor) continue;
          const row = start + b + j;
          offer(tr, idOf('p', row), dot64(queries[qi]!.vector, rows.subarray((b + j) * DIMS, (b + j + 1) * DIMS)));
        }
      }
    }
    gtMs += performance.now() - t;

    const entries = [];
    for (let r = 0; r < n; r++) entries.push({ id: idOf('p', start + r), vector: rows.subarray(r * DIMS, (r + 1) * DIMS) });
    t = performance.now();
    index.add(entries);
    buildMs += performance.now() - t;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  collect();
  const rssDelta = process.memoryUsage().rss - rss0;
  const stats = index.stats();
  log(`\n${size.toLocaleString('en-US')} templates x ${DIMS}-d: generated in ${(genMs / 1000).toFixed(1)} s, ground truth (float32 SIMD scan of ${qCount} queries) ${(gtMs / 1000).toFixed(1)} s`);
  log(`  build (add): ${buildMs.toFixed(0)} ms = ${Math.round(size / (buildMs / 1000)).toLocaleString('en-US')} templates/s; kernel ${stats.kernel}`);
  log(`  memory: RSS +${MB(rssDelta)} MB; index ${MB(stats.totalBytes)} MB (float32 ${MB(stats.vectorBytes)}, int8 codes ${MB(stats.codeBytes)}, scales ${MB(stats.scaleBytes)}, ids ~${MB(stats.idBytesEstimate)}) = ${Math.round(stats.totalBytes / size)} B/template`);

  // search: warm up, then every query once
  for (let i = 0; i < 10; i++) index.search(queries[i % qCount]!.vector, TOP);
  const lat: number[] = [];
  let hits1 = 0;
  let hits10 = 0;
  let present = 0;
  let found = 0;
  let presentTop1Min = Infinity;
  let absentTop1Max = -Infinity;
  let maxSimErr = 0;
  queries.forEach((q, i) => {
    const t = performance.now();
    const res = index.search(q.vector, TOP);
    lat.push(performance.now() - t);
    const tr = truth[i]!;
    if (res[0]?.id === tr.ids[0]) hits1++;
    const want = new Set(tr.ids);
    hits10 += res.filter((h) => want.has(h.id)).length / tr.ids.length;
    res.forEach((h) => {
      const k = tr.ids.indexOf(h.id);
      if (k >= 0) maxSimErr = Math.max(maxSimErr, Math.abs(h.similarity - tr.scores[k]!));
    });
    const top1 = res[0]?.similarity ?? NaN;
    if (q.target) {
      present++;
      if (res[0]?.id === q.target) found++;
      presentTop1Min = Math.min(presentTop1Min, top1);
    } else absentTop1Max = Math.max(absentTop1Max, top1);
  });
  const searchMedian = quantile(lat, 0.5);
  const searchP95 = quantile(lat, 0.95);

  // exact float32 brute force over the same index (the baseline), same process, same data
  const exactN = size > 100_000 ? Math.min(qCount, Number(process.env.BENCH_EXACT) || 20) : qCount;
  const exactLat: number[] = [];
  let exactAgree = 0;
  for (let i = 0; i < exactN; i++) {
    const t = performance.now();
    const res = index.searchExact(queries[i]!.vector, TOP);
    exactLat.push(performance.now() - t);
    if (res[0]?.id === truth[i]!.ids[0]) exactAgree++;
  }
  const exactMedian = quantile(exactLat, 0.5);

  // how much margin the default re-rank depth has: recall@1 of shallower re-ranks (k = 1)
  const shallow = [1, 4, 16].map((rerank) => {
    let ok = 0;
    queries.forEach((q, i) => {
      if (index.search(q.vector, 1, { rerank })[0]?.id === truth[i]!.ids[0]) ok++;
    });
    return `${rerank}: ${(ok / qCount).toFixed(3)}`;
  });

  const recall1 = hits1 / qCount;
  const recall10 = hits10 / qCount;
  log(`  search k=${TOP} (${qCount} queries, ${present} present, ${qCount - present} absent): median ${searchMedian.toFixed(1)} ms, p95 ${searchP95.toFixed(1)} ms`);
  log(`  exact float32 brute force (${exactN} queries): median ${exactMedian.toFixed(1)} ms = ${(exactMedian / searchMedian).toFixed(1)}x the index; its top-1 agrees with the ground truth ${exactAgree}/${exactN}`);
  log(`  recall@1 ${recall1.toFixed(3)}, recall@10 ${recall10.toFixed(3)} vs exact; right person first ${found}/${present}; max |similarity - exact| ${maxSimErr.toExponential(1)}`);
  log(`  recall@1 with a shallower re-rank (candidates re-scored exactly, default ${index.rerank}) ${shallow.join(', ')}`);
  log(`  top-1 similarity: present queries min ${presentTop1Min.toFixed(3)}, absent people max ${absentTop1Max.toFixed(3)}`);

  // the plain-JS int8 kernel on the same data (only where rebuilding is cheap)
  let jsKernelMedianMs: number | undefined;
  if (size <= 100_000) {
    const shards = index.toShards(64 << 20);
    const jsIndex = TemplateIndex.fromShards(shards, { kernel: 'js' });
    const jl: number[] = [];
    for (let i = 0; i < Math.min(50, qCount); i++) {
      const t = performance.now();
      jsIndex.search(queries[i]!.vector, TOP);
      jl.push(performance.now() - t);
    }
    jsKernelMedianMs = quantile(jl, 0.5);
    log(`  same int8 scan in plain JavaScript (no SIMD): median ${jsKernelMedianMs.toFixed(1)} ms`);
  }

  // serialisation: what a Lambda stores; the reload below is its cold-start path
  const t = performance.now();
  const shards = index.toShards(64 << 20);
  const toShardsMs = performance.now() - t;
  peak = Math.max(peak, process.memoryUsage().rss);
  const before = queries.slice(0, 20).map((q) => JSON.stringify(index.search(q.vector, TOP)));

  const m: Measured = {
    size,
    generateMs: Math.round(genMs),
    buildMs: Math.round(buildMs),
    rssDeltaMB: MB(rssDelta),
    indexMB: MB(stats.totalBytes),
    bytesPerTemplate: Math.round(stats.totalBytes / size),
    kernel: stats.kernel,
    searchMedianMs: r2(searchMedian),
    searchP95Ms: r2(searchP95),
    exactMedianMs: r2(exactMedian),
    exactQueries: exactN,
    exactOverIndex: r2(exactMedian / searchMedian),
    jsKernelMedianMs: jsKernelMedianMs === undefined ? undefined : r2(jsKernelMedianMs),
    recallAt1: recall1,
    recallAt10: Math.round(recall10 * 1000) / 1000,
    hitRate: found / present,
    presentTop1Min: Math.round(presentTop1Min * 1000) / 1000,
    absentTop1Max: Math.round(absentTop1Max * 1000) / 1000,
    maxSimilarityError: maxSimErr,
    toShardsMs: Math.round(toShardsMs),
    shardBytes: shards.reduce((a, b) => a + b.length, 0),
    shardCount: shards.length,
    peakRssMB: MB(peak),
  };
  return { m, shards, before };
}

async function benchSize(size: number, log: (s: string) => void): Promise<SizeResult> {
  const qCount = Number(process.env.BENCH_QUERIES) || 200;
  const queries = makeQueries(size, qCount);
  const truth: Truth[] = queries.map(() => ({ ids: [], scores: [] }));
  const built = buildAndMeasure(size, queries, truth, log);
  const { m, before } = built;
  // drop the original index first, so that the peak stays near one index plus its shards
  collect();
  const t = performance.now();
  const reloaded = TemplateIndex.fromShards(built.shards);
  const fromShardsMs = performance.now() - t;
  const peakRssMB = Math.max(m.peakRssMB, MB(process.memoryUsage().rss));
  built.shards = [];
  const reloadIdentical = before.every((b, i) => JSON.stringify(reloaded.search(queries[i]!.vector, TOP)) === b);
  log(`  shards (64 MiB max): ${m.shardCount} x, ${MB(m.shardBytes)} MB in all; toShards ${m.toShardsMs} ms, fromShards ${fromShardsMs.toFixed(0)} ms (checks + requantise); reloaded answers identical: ${reloadIdentical}`);
  const loadAvg = os.loadavg().map(r2);
  log(`  peak RSS ${peakRssMB} MB; load average ${loadAvg.join(' ')} on ${os.cpus().length} cores`);
  return { ...m, peakRssMB, fromShardsMs: Math.round(fromShardsMs), reloadIdentical, loadAvg };
}

export async function runSearchBench(opts: { sizes?: number[]; log?: (s: string) => void } = {}): Promise<object> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const sizes = opts.sizes ?? [10_000, 100_000, 1_000_000];
  log(`1:N template search bench: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map(r2).join(' ')}`);
  const results: SizeResult[] = [];
  for (const size of sizes) {
    results.push(await benchSize(size, log));
    collect();
  }
  return { dims: DIMS, k: TOP, results };
}

if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  runSearchBench({ sizes: sizes.length ? sizes : undefined }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
