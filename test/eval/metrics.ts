/**
 * Evaluation metrics (pure functions, unit-tested in test/unit/vision/metrics.test.ts).
 *
 * Verification: genuine / impostor similarity scores, higher = more alike; accept when >= t.
 * Presentation-attack detection: spoof scores, higher = attack; a media is called an attack when
 * its score is > t. APCER = attacks accepted as live / attacks; BPCER = live rejected / live.
 */

export const logit = (p: number): number => Math.log(p / (1 - p));
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Probability that a random positive scores above a random negative (ties count half). */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return NaN;
  // rank-based (Mann-Whitney U), O(n log n)
  const all = [...positives.map((s) => ({ s, p: 1 })), ...negatives.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.p === 1) rankSumPos += rank;
    i = j + 1;
  }
  const np = positives.length;
  const nn = negatives.length;
  return (rankSumPos - (np * (np + 1)) / 2) / (np * nn);
}

export interface VerificationPoint {
  far: number;
  /** threshold: accept when similarity >= it */
  threshold: number;
  tar: number;
  acceptedImpostors: number;
  acceptedGenuine: number;
}

/**
 * TAR at a FAR target: the lowest threshold whose FAR <= target, i.e. just above the
 * (floor(target * impostors) + 1)-th highest impostor score.
 */
export function tarAtFar(genuine: readonly number[], impostor: readonly number[], target: number): VerificationPoint {
  const imp = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(target * imp.length + 1e-9);
  const pivot = imp[allowed];
  const threshold = pivot === undefined ? -Infinity : nextUp(pivot);
  const acceptedImpostors = imp.filter((s) => s >= threshold).length;
  const acceptedGenuine = genuine.filter((s) => s >= threshold).length;
  return { far: acceptedImpostors / imp.length, threshold, tar: acceptedGenuine / genuine.length, acceptedImpostors, acceptedGenuine };
}

/** The smallest double above x (thresholds just above a score). */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] = x > 0 ? i[0]! + 1n : i[0]! - 1n;
  return b[0]!;
}

/** FAR and TAR at a threshold (accept when >= t). */
export function ratesAt(genuine: readonly number[], impostor: readonly number[], t: number): { far: number; tar: number; acceptedImpostors: number; acceptedGenuine: number } {
  const ai = impostor.filter((s) => s >= t).length;
  const ag = genuine.filter((s) => s >= t).length;
  return { far: ai / impostor.length, tar: ag / genuine.length, acceptedImpostors: ai, acceptedGenuine: ag };
}

/** Equal error rate: over every candidate threshold, (FAR + FRR) / 2 where |FAR - FRR| is smallest. */
export function eer(genuine: readonly number[], impostor: readonly number[]): { eer: number; threshold: number } {
  const cands = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  let best = { gap: Infinity, eer: 1, threshold: 0 };
  for (const t of cands) {
    const far = impostor.filter((s) => s >= t).length / impostor.length;
    const frr = genuine.filter((s) => s < t).length / genuine.length;
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { gap, eer: (far + frr) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1);
  return { mean, std: Math.sqrt(v) };
}

/** Decidability index d' between two score distributions. */
export function dPrime(genuine: readonly number[], impostor: readonly number[]): number {
  const g = meanStd(genuine);
  const i = meanStd(impostor);
  return Math.abs(g.mean - i.mean) / Math.sqrt((g.std ** 2 + i.std ** 2) / 2);
}

/** Inverse of the standard normal CDF (Acklam's approximation, |error| < 1.2e-9). */
export function normInv(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pl) return -normInv(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export interface PadPoint {
  /** a media is an attack when its score is > threshold */
  threshold: number;
  apcer: number;
  bpcer: number;
  acceptedAttacks: number;
  rejectedReal: number;
}

export function padRatesAt(real: readonly number[], attack: readonly number[], t: number): PadPoint {
  const acceptedAttacks = attack.filter((s) => !(s > t)).length;
  const rejectedReal = real.filter((s) => s > t).length;
  return { threshold: t, apcer: acceptedAttacks / attack.length, bpcer: rejectedReal / real.length, acceptedAttacks, rejectedReal };
}

/** Midpoint of two scores in logit space (0 and 1 clamped to 1e-7). */
export function logitMid(a: number, b: number): number {
  const c = (x: number): number => Math.min(1 - 1e-7, Math.max(1e-7, x));
  return sigmoid((logit(c(a)) + logit(c(b))) / 2);
}

/**
 * The most secure threshold with BPCER <= target: between the highest real score still accepted
 * and the lowest one rejected (their logit midpoint), so that floor(target * real) reals are
 * rejected. APCER is what that leaves.
 */
export function thresholdAtBpcer(real: readonly number[], attack: readonly number[], target: number): PadPoint {
  const r = [...real].sort((a, b) => b - a);
  const allowed = Math.floor(target * r.length + 1e-9);
  const accepted = r[allowed];
  // no real may be rejected: the threshold is the highest real score itself (reals <= t pass)
  if (allowed === 0 || accepted === undefined) return padRatesAt(real, attack, accepted ?? 0);
  const rejected = r[allowed - 1]!;
  return padRatesAt(real, attack, accepted === rejected ? accepted : logitMid(accepted, rejected));
}

/** BPCER at the most permissive threshold whose APCER <= target. */
export function thresholdAtApcer(real: readonly number[], attack: readonly number[], target: number): PadPoint {
  const a = [...attack].sort((x, y) => x - y);
  const allowed = Math.floor(target * a.length + 1e-9);
  // attacks at or below the threshold are accepted: allow `allowed` of them
  const firstRejected = a[allowed];
  if (firstRejected === undefined) return padRatesAt(real, attack, 1);
  // no attack may pass: the threshold lies just below the lowest attack score
  if (allowed === 0) return padRatesAt(real, attack, firstRejected > 0 ? firstRejected * (1 - 1e-9) : -1);
  const lastAccepted = a[allowed - 1]!;
  return padRatesAt(real, attack, lastAccepted === firstRejected ? lastAccepted : logitMid(lastAccepted, firstRejected));
}
