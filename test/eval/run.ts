/**
 * Accuracy evaluation on ../shared/data (never copied into the repository):
 *
 *   npm run eval                      (OZ_MODEL_DIR=../shared/models adds the MiniFASNet models)
 *   EVAL_ONLY=faces,detection,pad,video,gestures npm run eval     (a subset)
 *
 * Prints every figure with its counts and writes the same to test/eval/results.json (gitignored).
 *  - faces: verification over every pair of faces/identities.csv (the product path:
 *    analyzeMedia(template) per photo, compareTemplates per pair);
 *  - detection: faces found per photo of faces/detection.csv, faces cut off at the frame edge
 *    counted apart;
 *  - pad: presentation-attack detection per liveness model, thresholds chosen on pad/dev images
 *    only (BPCER <= 5 %) and applied unchanged to pad/acceptance (measured, never tuned);
 *  - video: share of short_hamilton_clip.mp4 frames where the reference face is found;
 *  - gestures: every gesture decision per clip (./gestures.ts), to compare runs clip by clip.
 * Skips with a message when ../shared/data is absent.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findOptionalModel } from '../../models/manifest';
import {
  compareTemplates,
  decodeImage,
  COUNT_DETECT,
  DETECT_DEFAULTS,
  detectFaces,
  SELFIE_DETECT,
  FACE_RAW_THRESHOLD,
  FACE_SCORE_LOW,
  FACE_SCORE_THRESHOLD,
  NoFaceError,
  sampleVideoFrames,
  SPOOF_CALIBRATION,
  type FaceTemplate,
} from '../../layers/vision';
import { analyzeMediaDetailed } from '../../layers/vision/analyze';
import { detectLandmarks } from '../../layers/vision/landmarks';
import { alignedFaceTensor, embedAligned } from '../../layers/vision/embed';
import { chooseLivenessModel, NETS, type LivenessChoice } from '../../layers/vision/liveness';
import { makeTemplate, similarityToScore } from '../../layers/vision/templates';
import { sniff } from '../../layers/vision/sniff';
import { resizeFrame } from '../../layers/vision/imageops';
import { l2normalize } from '../../layers/vision/embed';
import type { Frame } from '../../layers/vision/types';
import { evalGestures } from './gestures';
import {
  dPrime,
  eer,
  logit,
  meanStd,
  normInv,
  padRatesAt,
  ratesAt,
  rocAuc,
  sigmoid,
  tarAtFar,
  thresholdAtApcer,
  thresholdAtBpcer,
} from './metrics';

const REPO = path.resolve(__dirname, '../..');
const DATA = path.resolve(REPO, '../shared/data');
const FACES = path.join(DATA, 'faces');
const PAD = path.join(DATA, 'pad');
const RESULTS = path.join(__dirname, 'results.json');

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const pct = (x: number, d = 1): string => `${(x * 100).toFixed(d)} %`;
const log = (s = ''): void => console.log(s);

function csv(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.split(','));
}

function kindOf(bytes: Buffer): 'image' | 'video' | 'zip' {
  return sniff(bytes).kind;
}

// ---------------------------------------------------------------------------------------------
// Face verification
// ---------------------------------------------------------------------------------------------

async function evalFaces(): Promise<object> {
  log('== face verification: faces/identities.csv, every pair ==');
  const rows = csv(path.join(FACES, 'identities.csv'));
  const items: Array<{ path: string; id: string; t: FaceTemplate }> = [];
  const missing: string[] = [];
  const t0 = performance.now();
  for (const [p, id] of rows) {
    const bytes = readFileSync(path.join(FACES, p!));
    try {
      const { analysis } = await analyzeMediaDetailed(bytes, kindOf(bytes), { template: true });
      items.push({ path: p!, id: id!, t: analysis.template! });
    } catch (e) {
      if (e instanceof NoFaceError) missing.push(p!);
      else throw e;
    }
  }
  const ms = performance.now() - t0;
  const genuine: number[] = [];
  const impostor: number[] = [];
  const worst: Array<{ s: number; a: string; b: string; same: boolean }> = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const s = compareTemplates(items[i]!.t, items[j]!.t).similarity;
      const same = items[i]!.id === items[j]!.id;
      (same ? genuine : impostor).push(s);
      worst.push({ s, a: items[i]!.path, b: items[j]!.path, same });
    }
  }
  const auc = rocAuc(genuine, impostor);
  const at1 = tarAtFar(genuine, impostor, 0.01);
  const at01 = tarAtFar(genuine, impostor, 0.001);
  const e = eer(genuine, impostor);
  const imp = meanStd(impostor);
  const gen = meanStd(genuine);
  const fit = (far: number): number => imp.mean + normInv(1 - far) * imp.std;
  const chosen = ratesAt(genuine, impostor, FACE_RAW_THRESHOLD);
  const sortedImp = [...impostor].sort((a, b) => a - b);
  const q = (p: number): number => sortedImp[Math.min(sortedImp.length - 1, Math.floor(p * sortedImp.length))]!;
  const hardestGenuine = worst.filter((w) => w.same).sort((a, b) => a.s - b.s).slice(0, 3);
  const hardestImpostor = worst.filter((w) => !w.same).sort((a, b) => b.s - a.s).slice(0, 3);
  const calibrated = { genuine: genuine.map(similarityToScore), impostor: impostor.map(similarityToScore) };
  const at085 = ratesAt(calibrated.genuine, calibrated.impostor, FACE_SCORE_THRESHOLD);
  log(`photos ${rows.length}, templates ${items.length}, no face ${missing.length}${missing.length ? ` (${missing.join(', ')})` : ''}; ${Math.round(ms / Math.max(1, items.length))} ms a photo`);
  log(`pairs: ${genuine.length} genuine, ${impostor.length} impostor`);
  log(`ROC AUC ${auc.toFixed(6)}  EER ${pct(e.eer, 2)} (raw ${r3(e.threshold)})  d' ${dPrime(genuine, impostor).toFixed(2)}`);
  log(`TAR at FAR 1 %  : ${pct(at1.tar)} (${at1.acceptedGenuine}/${genuine.length}), raw threshold ${r4(at1.threshold)}, ${at1.acceptedImpostors} impostor pairs accepted`);
  log(`TAR at FAR 0.1 %: ${pct(at01.tar)} (${at01.acceptedGenuine}/${genuine.length}), raw threshold ${r4(at01.threshold)}, ${at01.acceptedImpostors} impostor pairs accepted`);
  log(`raw cosine: genuine mean ${r3(gen.mean)} (min ${r3(Math.min(...genuine))}), impostor mean ${r3(imp.mean)} sd ${r3(imp.std)} (max ${r3(Math.max(...impostor))}, p90 ${r3(q(0.9))}, p99 ${r3(q(0.99))})`);
  const belowLow = impostor.filter((x) => x <= FACE_SCORE_LOW).length;
  log(`score 0 (raw <= ${FACE_SCORE_LOW}): ${belowLow}/${impostor.length} impostor pairs (${pct(belowLow / impostor.length)}), ${genuine.filter((x) => x <= FACE_SCORE_LOW).length} genuine`);
  log(`normal fit to impostors: FAR 1e-3 at ${r3(fit(1e-3))}, 1e-4 at ${r3(fit(1e-4))}, 1e-5 at ${r3(fit(1e-5))}`);
  log(`chosen: raw ${FACE_RAW_THRESHOLD} -> score ${FACE_SCORE_THRESHOLD}: TAR ${pct(chosen.tar)} (${chosen.acceptedGenuine}/${genuine.length}), FAR ${pct(chosen.far)} (${chosen.acceptedImpostors}/${impostor.length}); on calibrated scores at 0.85: TAR ${pct(at085.tar)}, FAR ${pct(at085.far)}`);
  log(`margin at raw ${FACE_RAW_THRESHOLD}: lowest genuine ${r3(Math.min(...genuine))} (${r3(Math.min(...genuine) - FACE_RAW_THRESHOLD)} from the threshold), highest impostor ${r3(Math.max(...impostor))} (${r3(FACE_RAW_THRESHOLD - Math.max(...impostor))} below it)`);
  log(`hardest genuine: ${hardestGenuine.map((w) => `${r3(w.s)} ${path.basename(w.a)}~${path.basename(w.b)}`).join('; ')}`);
  log(`hardest impostor: ${hardestImpostor.map((w) => `${r3(w.s)} ${path.basename(w.a)}~${path.basename(w.b)}`).join('; ')}`);
  log();
  const margin = await evalMarginOptions(rows);
  return {
    margin,
    photos: rows.length,
    templates: items.length,
    noFace: missing,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    rocAuc: Math.round(auc * 1e6) / 1e6,
    eer: r4(e.eer),
    eerRawThreshold: r4(e.threshold),
    dPrime: r3(dPrime(genuine, impostor)),
    tarAtFar1: { tar: r4(at1.tar), accepted: at1.acceptedGenuine, rawThreshold: r4(at1.threshold), impostorsAccepted: at1.acceptedImpostors },
    tarAtFar01: { tar: r4(at01.tar), accepted: at01.acceptedGenuine, rawThreshold: r4(at01.threshold), impostorsAccepted: at01.acceptedImpostors },
    impostorRaw: { mean: r4(imp.mean), sd: r4(imp.std), max: r4(Math.max(...impostor)), p90: r4(q(0.9)), p99: r4(q(0.99)) },
    genuineRaw: { mean: r4(gen.mean), min: r4(Math.min(...genuine)) },
    impostorsAtScoreZero: belowLow,
    normalFitImpostor: { far1e3: r4(fit(1e-3)), far1e4: r4(fit(1e-4)), far1e5: r4(fit(1e-5)) },
    chosen: {
      rawThreshold: FACE_RAW_THRESHOLD,
      calibratedThreshold: FACE_SCORE_THRESHOLD,
      tar: r4(chosen.tar),
      far: r4(chosen.far),
      genuineAccepted: chosen.acceptedGenuine,
      impostorsAccepted: chosen.acceptedImpostors,
    },
    msPerPhoto: Math.round(ms / Math.max(1, items.length)),
  };
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

/**
 * Faces cut off at the frame edge, seen by eye (detection.csv counts them with the rest): 'all'
 * when every counted face of the photo is cut off, else the centres of the cut-off faces in the
 * photo's pixels. In selfie-many-people.jpg (600x604) they are the man with glasses at the right
 * edge and the woman at the bottom-left corner.
 */
const EDGE_CUT: Record<string, 'all' | Array<[number, number]>> = {
  'face_recognition/tests/test_images/obama_partial_face.jpg': 'all',
  'face_recognition/tests/test_images/obama_partial_face2.jpg': 'all',
  'deepface/tests/unit/dataset/selfie-many-people.jpg': [
    [565, 150],
    [25, 480],
  ],
};
/** Photos the SOURCES describe with a face count that detection.csv does not list. */
const EXTRA_DETECTION: Array<[string, number]> = [['deepface/tests/unit/dataset/selfie-many-people.jpg', 7]];

async function evalDetection(): Promise<object> {
  log('== detection (counting preset COUNT_DETECT): faces/detection.csv (+ selfie-many-people.jpg from SOURCES.md) ==');
  const rows: Array<[string, number]> = csv(path.join(FACES, 'detection.csv')).map((r) => [r[0]!, Number(r[1])]);
  for (const x of EXTRA_DETECTION) if (!rows.some((r) => r[0] === x[0]) && existsSync(path.join(FACES, x[0]))) rows.push(x);
  let expWhole = 0;
  let expEdge = 0;
  let foundWhole = 0;
  let foundEdge = 0;
  let extra = 0;
  const per: object[] = [];
  const missed: string[] = [];
  for (const [p, expected] of rows) {
    const frame = await decodeImage(readFileSync(path.join(FACES, p)));
    const faces = await detectFaces(frame, COUNT_DETECT);
    const cut = EDGE_CUT[p];
    let fe = 0;
    let fw = 0;
    let edgeCut = 0;
    if (cut === 'all') {
      edgeCut = expected;
      fe = Math.min(expected, faces.length);
    } else {
      const pts = cut ?? [];
      edgeCut = pts.length;
      const left = [...faces];
      for (const [x, y] of pts) {
        const k = left.findIndex((b) => x >= b.x1 && x <= b.x2 && y >= b.y1 && y <= b.y2);
        if (k >= 0) {
          fe++;
          left.splice(k, 1);
        }
      }
      fw = Math.min(expected - edgeCut, left.length);
    }
    const whole = expected - edgeCut;
    expWhole += whole;
    expEdge += edgeCut;
    foundWhole += fw;
    foundEdge += fe;
    extra += Math.max(0, faces.length - expected);
    if (fw < whole) missed.push(`${p} (${fw}/${whole})`);
    per.push({ path: p, expected, cutOff: edgeCut, detected: faces.length, wholeFound: fw, cutOffFound: fe });
    log(`  ${p}: expected ${expected}${edgeCut ? ` (${edgeCut} cut off at the edge)` : ''}, detected ${faces.length}: whole ${fw}/${whole}${edgeCut ? `, cut off ${fe}/${edgeCut}` : ''}`);
  }
  log(`whole faces found ${foundWhole}/${expWhole} (recall ${pct(foundWhole / expWhole)}); faces cut off at the edge found ${foundEdge}/${expEdge}; detections beyond the expected count ${extra}`);
  if (missed.length) log(`missed: ${missed.join(', ')}`);
  log();
  const bands = await evalSizeBands(rows);
  return { sizeBands: bands, detector: { ...COUNT_DETECT }, photos: rows.length, wholeExpected: expWhole, wholeFound: foundWhole, recallWhole: r4(foundWhole / expWhole), cutOffExpected: expEdge, cutOffFound: foundEdge, extraDetections: extra, missed, perPhoto: per };
}

/** The frame centred on a gray canvas (smaller photos in a large one: the case of small faces). */
function onCanvas(f: Frame, width: number, height: number): Frame {
  const data = Buffer.alloc(width * height * 3, 128);
  const ox = Math.floor((width - f.width) / 2);
  const oy = Math.floor((height - f.height) / 2);
  for (let r = 0; r < f.height; r++) f.data.copy(data, ((oy + r) * width + ox) * 3, r * f.width * 3, (r + 1) * f.width * 3);
  return { width, height, data };
}

const BANDS: Array<[number, number]> = [
  [20, 23],
  [24, 29],
  [30, 39],
  [40, 49],
  [50, 64],
];

/**
 * Recall by face size: every photo with whole faces only (cut-off faces left out) is shrunk so its
 * smallest face is 20, 22, 24, ... 64 px tall (the faces found at full size give the sizes), then
 * searched as it is and centred on a 1280x960 canvas; a face counts as found when the detector
 * returns at least as many faces as the photo holds. Selfie and counting presets side by side.
 */
async function evalSizeBands(rows: Array<[string, number]>): Promise<object> {
  log('-- recall by face size band (photos shrunk so the smallest face has the size; own size and on a 1280x960 canvas)');
  const sizes = [20, 22, 24, 27, 30, 35, 40, 45, 50, 57, 64];
  const tally: Record<string, Record<string, { expected: number; found: number; extra: number }>> = { selfie: {}, counting: {} };
  for (const [p, expected] of rows) {
    const cut = EDGE_CUT[p];
    if (cut) continue;
    const full = await decodeImage(readFileSync(path.join(FACES, p)));
    const ref = await detectFaces(full, DETECT_DEFAULTS);
    if (ref.length !== expected) continue;
    const smallest = Math.min(...ref.map((f) => f.y2 - f.y1));
    for (const size of sizes) {
      const s = size / smallest;
      if (s >= 1) continue;
      const band = BANDS.find(([lo, hi]) => size >= lo && size <= hi)!;
      const key = `${band[0]}-${band[1]} px`;
      const small = resizeFrame(full, Math.max(1, Math.round(full.width * s)), Math.max(1, Math.round(full.height * s)));
      const frames = [small, ...(small.width <= 1280 && small.height <= 960 ? [onCanvas(small, 1280, 960)] : [])];
      for (const fr of frames) {
        for (const [name, preset] of [['selfie', SELFIE_DETECT], ['counting', COUNT_DETECT]] as const) {
          const n = (await detectFaces(fr, preset)).length;
          const t = (tally[name]![key] ??= { expected: 0, found: 0, extra: 0 });
          t.expected += expected;
          t.found += Math.min(n, expected);
          t.extra += Math.max(0, n - expected);
        }
      }
    }
  }
  for (const [name, byBand] of Object.entries(tally)) {
    log(`  ${name.padEnd(9)} ${BANDS.map(([lo, hi]) => {
      const t = byBand[`${lo}-${hi} px`];
      return t ? `${lo}-${hi} px ${t.found}/${t.expected}${t.extra ? ` (+${t.extra} extra)` : ''}` : '';
    }).join(' | ')}`);
  }
  return tally;
}

// ---------------------------------------------------------------------------------------------
// Recognition margin: options measured, not adopted unless the numbers support them
// ---------------------------------------------------------------------------------------------

/** A template of each photo: as shipped, flip-averaged (the mirrored aligned face's embedding added), and of variants. */
async function evalMarginOptions(rows: string[][]): Promise<object> {
  log('-- recognition margin: options (every pair of identities.csv; variants: the photo mirrored, and shrunk to half)');
  type T = { id: string; plain: Float32Array; flip: Float32Array; variant: boolean };
  const items: T[] = [];
  for (const [p, id] of rows) {
    const full = await decodeImage(readFileSync(path.join(FACES, p!)));
    const variants: Array<[Frame, boolean]> = [[full, false], [mirror(full), true], [resizeFrame(full, Math.round(full.width / 2), Math.round(full.height / 2)), true]];
    for (const [fr, variant] of variants) {
      const face = (await detectFaces(fr, SELFIE_DETECT))[0];
      if (!face) continue;
      const lm = await detectLandmarks(fr, face);
      if (!lm) continue;
      const tensor = alignedFaceTensor(fr, lm);
      const plain = l2normalize(await embedAligned(tensor));
      const mirrored = l2normalize(await embedAligned(mirrorTensor(tensor, 112)));
      items.push({ id: id!, plain, flip: l2normalize(plain.map((v, i) => v + mirrored[i]!)), variant });
    }
  }
  const cos = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
  const out: Record<string, object> = {};
  for (const [name, pick, pairsOf] of [
    ['shipped, originals', (t: T) => t.plain, 'originals'],
    ['flip-averaged, originals', (t: T) => t.flip, 'originals'],
    ['shipped, with variants', (t: T) => t.plain, 'all'],
    ['flip-averaged, with variants', (t: T) => t.flip, 'all'],
  ] as const) {
    const pool = items.filter((t) => pairsOf === 'all' || !t.variant);
    const gen: number[] = [];
    const imp: number[] = [];
    for (let i = 0; i < pool.length; i++) for (let j = i + 1; j < pool.length; j++) (pool[i]!.id === pool[j]!.id ? gen : imp).push(cos(pick(pool[i]!), pick(pool[j]!)));
    const rates = ratesAt(gen, imp, FACE_RAW_THRESHOLD);
    const row = { templates: pool.length, genuine: gen.length, impostor: imp.length, auc: r4(rocAuc(gen, imp)), dPrime: r3(dPrime(gen, imp)), lowestGenuine: r3(Math.min(...gen)), highestImpostor: r3(Math.max(...imp)), genuineBelowThreshold: gen.length - rates.acceptedGenuine, impostorsAccepted: rates.acceptedImpostors };
    out[name] = row;
    log(`  ${name.padEnd(30)} ${row.templates} templates, ${row.genuine} genuine / ${row.impostor} impostor pairs: AUC ${row.auc}, d' ${row.dPrime}, lowest genuine ${row.lowestGenuine}, highest impostor ${row.highestImpostor}, at raw ${FACE_RAW_THRESHOLD}: ${row.genuineBelowThreshold} genuine rejected, ${row.impostorsAccepted} impostors accepted`);
  }
  return out;
}

function mirror(f: Frame): Frame {
  const data = Buffer.allocUnsafe(f.data.length);
  for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) f.data.copy(data, (y * f.width + (f.width - 1 - x)) * 3, (y * f.width + x) * 3, (y * f.width + x) * 3 + 3);
  return { width: f.width, height: f.height, data };
}

function mirrorTensor(t: Float32Array, side: number): Float32Array {
  const out = new Float32Array(t.length);
  for (let c = 0; c < t.length / (side * side); c++) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[c * side * side + y * side + x] = t[c * side * side + y * side + side - 1 - x]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Presentation-attack detection
// ---------------------------------------------------------------------------------------------

interface Scored {
  path: string;
  label: 'real' | 'spoof';
  kind: string;
  raw: number | null;
}

async function scoreSet(split: string, choice: LivenessChoice, kinds: string[]): Promise<Scored[]> {
  const rows = csv(path.join(PAD, split, 'labels.csv'));
  const out: Scored[] = [];
  for (const r of rows) {
    const [p, label, , kind] = r;
    if (!kinds.includes(kind!)) continue;
    const bytes = readFileSync(path.join(PAD, split, p!));
    let raw: number | null = null;
    try {
      const { details } = await analyzeMediaDetailed(bytes, kindOf(bytes), { liveness: true }, { liveness: choice });
      raw = details.rawSpoofing ?? null;
    } catch (e) {
      if (!(e instanceof NoFaceError)) throw e;
    }
    out.push({ path: p!, label: label as 'real' | 'spoof', kind: kind!, raw });
  }
  return out;
}

function padSummary(items: Scored[], rawThreshold: number): object {
  const real = items.filter((x) => x.label === 'real' && x.raw !== null).map((x) => x.raw!);
  const attack = items.filter((x) => x.label === 'spoof' && x.raw !== null).map((x) => x.raw!);
  const noFace = { real: items.filter((x) => x.label === 'real' && x.raw === null).length, attack: items.filter((x) => x.label === 'spoof' && x.raw === null).length };
  if (real.length === 0 || attack.length === 0) return { real: real.length, attack: attack.length, noFace };
  const atB = thresholdAtBpcer(real, attack, 0.05);
  const atA = thresholdAtApcer(real, attack, 0.05);
  const dev = padRatesAt(real, attack, rawThreshold);
  return {
    real: real.length,
    attack: attack.length,
    noFace,
    auc: r4(rocAuc(attack, real)),
    apcerAtBpcer5: { apcer: r4(atB.apcer), bpcer: r4(atB.bpcer), threshold: r4(atB.threshold) },
    bpcerAtApcer5: { bpcer: r4(atA.bpcer), apcer: r4(atA.apcer), threshold: r4(atA.threshold) },
    atDevThreshold: { rawThreshold: r4(rawThreshold), apcer: r4(dev.apcer), bpcer: r4(dev.bpcer), acceptedAttacks: dev.acceptedAttacks, rejectedReal: dev.rejectedReal },
  };
}

function printPad(name: string, s: Record<string, unknown>): void {
  const x = s as {
    real: number;
    attack: number;
    noFace: { real: number; attack: number };
    auc?: number;
    apcerAtBpcer5?: { apcer: number };
    bpcerAtApcer5?: { bpcer: number };
    atDevThreshold?: { apcer: number; bpcer: number; acceptedAttacks: number; rejectedReal: number };
  };
  const nf = x.noFace.real + x.noFace.attack ? ` (no face: ${x.noFace.real} real, ${x.noFace.attack} attack)` : '';
  if (x.auc === undefined) {
    log(`  ${name.padEnd(22)} ${x.real} real / ${x.attack} attack${nf}: not enough scored`);
    return;
  }
  const d = x.atDevThreshold!;
  log(
    `  ${name.padEnd(22)} ${x.real} real / ${x.attack} attack${nf}: AUC ${x.auc.toFixed(3)}, APCER@BPCER5 ${pct(x.apcerAtBpcer5!.apcer)}, BPCER@APCER5 ${pct(x.bpcerAtApcer5!.bpcer)} | dev threshold: APCER ${pct(d.apcer)} (${d.acceptedAttacks}/${x.attack}), BPCER ${pct(d.bpcer)} (${d.rejectedReal}/${x.real})`,
  );
}

async function evalPad(): Promise<object> {
  log('== presentation-attack detection: pad/dev (calibration) and pad/acceptance (measured only) ==');
  const models: LivenessChoice[] = [{ name: 'fr_liveness', nets: [NETS.fr_liveness] }];
  const v2 = findOptionalModel('MiniFASNetV2');
  const v1 = findOptionalModel('MiniFASNetV1SE');
  if (v2) models.push({ name: 'MiniFASNetV2', nets: [NETS.MiniFASNetV2] });
  if (v2 && v1) models.push({ name: 'MiniFASNetV2+MiniFASNetV1SE', nets: [NETS.MiniFASNetV2, NETS.MiniFASNetV1SE] });
  log(`  model in use by the product now (OZ_LIVENESS_MODEL=${process.env.OZ_LIVENESS_MODEL ?? 'auto'}, OZ_MODEL_DIR=${process.env.OZ_MODEL_DIR ?? 'unset'}): ${chooseLivenessModel().name}`);
  if (!v2) log(`  (MiniFASNet models not found in OZ_MODEL_DIR=${process.env.OZ_MODEL_DIR ?? 'unset'}: only fr_liveness)`);
  const out: Record<string, object> = {};
  for (const choice of models) {
    const t0 = performance.now();
    const dev = await scoreSet('dev', choice, ['image', 'face_crop']);
    const devImages = dev.filter((x) => x.kind === 'image');
    const real = devImages.filter((x) => x.label === 'real' && x.raw !== null).map((x) => x.raw!);
    const attack = devImages.filter((x) => x.label === 'spoof' && x.raw !== null).map((x) => x.raw!);
    const chosen = thresholdAtBpcer(real, attack, 0.05);
    const inUse = SPOOF_CALIBRATION[choice.name]?.rawThreshold ?? NaN;
    const acc = await scoreSet('acceptance', choice, ['video_frame', 'video']);
    const ms = performance.now() - t0;
    log(`-- ${choice.name}: dev images choose raw threshold ${r4(chosen.threshold)} (BPCER ${pct(chosen.bpcer)}, APCER ${pct(chosen.apcer)}); calibration.ts uses ${inUse}${Math.abs(chosen.threshold - inUse) > 5e-4 ? '  <-- DIFFERS: update calibration.ts' : ''}`);
    const sets: Record<string, object> = {
      'dev images': padSummary(devImages, inUse),
      'dev face crops': padSummary(dev.filter((x) => x.kind === 'face_crop'), inUse),
      'acceptance frames': padSummary(acc.filter((x) => x.kind === 'video_frame'), inUse),
      'acceptance videos': padSummary(acc.filter((x) => x.kind === 'video'), inUse),
    };
    for (const [k, v] of Object.entries(sets)) printPad(k, v as Record<string, unknown>);
    const accRows = acc.map((x) => ({ path: x.path, label: x.label, raw: x.raw === null ? null : r4(x.raw), calibrated: x.raw === null ? null : r4(sigmoid(logit(Math.min(1 - 1e-7, Math.max(1e-7, x.raw))) - logit(inUse))) }));
    const wrong = accRows.filter((x) => x.calibrated !== null && (x.label === 'real' ? x.calibrated > 0.5 : x.calibrated <= 0.5));
    if (wrong.length) log(`  acceptance errors at the dev threshold: ${wrong.map((w) => `${path.basename(w.path)} (${w.label}, ${w.calibrated})`).join(', ')}`);
    out[choice.name] = { devChosenRawThreshold: r4(chosen.threshold), calibrationRawThreshold: inUse, seconds: Math.round(ms / 100) / 10, ...sets, acceptanceScores: accRows };
  }
  log();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reference face in a video
// ---------------------------------------------------------------------------------------------

async function evalVideo(): Promise<object> {
  log('== reference face in a video: lin-manuel-miranda.png in short_hamilton_clip.mp4 ==');
  const refBytes = readFileSync(path.join(FACES, 'face_recognition/examples/lin-manuel-miranda.png'));
  const ref = (await analyzeMediaDetailed(refBytes, 'image', { template: true })).analysis.template!;
  const video = readFileSync(path.join(FACES, 'face_recognition/examples/short_hamilton_clip.mp4'));
  const frames = await sampleVideoFrames(video, 90, { strategy: 'all' });
  let found = 0;
  let withFace = 0;
  const scores: number[] = [];
  for (const f of frames) {
    // every face, down to the small ones on stage (the document minimum)
    const faces = await detectFaces(f, { minFacePx: 20, minFaceFraction: 0.025 });
    if (faces.length) withFace++;
    let best = 0;
    for (const face of faces) {
      const lm = await detectLandmarks(f, face);
      if (!lm) continue;
      const t: FaceTemplate = makeTemplate(await embedAligned(alignedFaceTensor(f, lm)));
      best = Math.max(best, compareTemplates(ref, t).score);
    }
    scores.push(best);
    if (best >= FACE_SCORE_THRESHOLD) found++;
  }
  log(`frames ${frames.length} (90 evenly spread), with any face ${withFace}, reference found (score >= ${FACE_SCORE_THRESHOLD}) in ${found} = ${pct(found / frames.length)} of all frames, ${pct(found / Math.max(1, withFace))} of frames with a face`);
  log();
  return { frames: frames.length, framesWithFace: withFace, found, share: r4(found / frames.length), shareOfFramesWithFace: r4(found / Math.max(1, withFace)), bestScorePerFrame: scores.map(r3) };
}

async function main(): Promise<void> {
  if (!existsSync(FACES) || !existsSync(PAD)) {
    console.log(`eval skipped: the shared evaluation data is absent (looked for ${FACES} and ${PAD}; the data lives beside the repository and is never copied into it)`);
    return;
  }
  const only = (process.env.EVAL_ONLY ?? 'faces,detection,pad,video,gestures').split(',').map((s) => s.trim());
  const results: Record<string, unknown> = { date: new Date().toISOString(), modelDir: process.env.OZ_MODEL_DIR ?? null };
  if (only.includes('faces')) results.faceVerification = await evalFaces();
  if (only.includes('detection')) results.detection = await evalDetection();
  if (only.includes('pad')) results.presentationAttack = await evalPad();
  if (only.includes('video')) results.referenceInVideo = await evalVideo();
  if (only.includes('gestures')) results.gestures = await evalGestures(DATA, log);
  let previous: Record<string, unknown> = {};
  if (only.length < 5 && existsSync(RESULTS)) {
    try {
      previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
    } catch {
      previous = {};
    }
  }
  writeFileSync(RESULTS, JSON.stringify({ ...previous, ...results }, null, 2) + '\n');
  log(`results written to ${path.relative(REPO, RESULTS)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
