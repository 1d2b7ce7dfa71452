/**
 * Seeded synthetic face templates for the search tests and bench (not a test file itself).
 *
 * Vector i of a data set is a pure function of (seed, i): its own xorshift32 stream seeded by a
 * splitmix hash, so any vector can be regenerated alone (the bench builds its queries before the
 * 1M gallery) and generation writes straight into Float32Arrays. Normal deviates are approximated
 * by the sum of the four bytes of one 32-bit draw (Irwin-Hall n=4: mean 510, sd 147.8), which
 * is plenty for direction sampling: the normalised vectors are uniform-looking on the sphere.
 */

/** splitmix32-style hash: spreads (seed, i) over the 32-bit state space, never 0 */
export function hash32(seed: number, i: number): number {
  let z = (seed ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return z === 0 ? 0x6d2b79f5 : z;
}

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = hash32(seed, 0x5eed);
  }
  /** next uint32 */
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s;
    return s >>> 0;
  }
  /** uniform in [0, 1) */
  uniform(): number {
    return this.next() / 4294967296;
  }
  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** Fills out[off .. off+dims) with a random unit vector drawn from stream state `state` (returned advanced). */
function fillUnit(out: Float32Array, off: number, dims: number, state: number): number {
  let s = state;
  let ss = 0;
  for (let d = 0; d < dims; d++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const x = (s & 255) + ((s >>> 8) & 255) + ((s >>> 16) & 255) + (s >>> 24) - 510;
    out[off + d] = x;
    ss += x * x;
  }
  const inv = 1 / Math.sqrt(ss);
  for (let d = 0; d < dims; d++) out[off + d] = out[off + d]! * inv;
  return s;
}

/** Random unit vector number i of data set `seed`, written at out[off..]. */
export function unitVector(seed: number, i: number, dims: number, out = new Float32Array(dims), off = 0): Float32Array {
  fillUnit(out, off, dims, hash32(seed, i));
  return out;
}

/**
 * A unit vector w with cos(w, v) ~= cosine: cosine * v + sqrt(1 - cosine^2) * u for a random unit
 * u (nearly orthogonal to v in high dimension), renormalised. `noiseKey` picks u.
 */
export function noisyCopy(v: Float32Array, cosine: number, seed: number, noiseKey: number): Float32Array {
  const dims = v.length;
  const u = unitVector(seed ^ 0x6e6f6973, noiseKey, dims);
  const t = Math.sqrt(Math.max(0, 1 - cosine * cosine));
  const w = new Float32Array(dims);
  let ss = 0;
  for (let d = 0; d < dims; d++) {
    const x = cosine * v[d]! + t * u[d]!;
    w[d] = x;
    ss += x * x;
  }
  const inv = 1 / Math.sqrt(ss);
  for (let d = 0; d < dims; d++) w[d] = w[d]! * inv;
  return w;
}

/** dot product in float64 (test reference) */
export function dot64(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** fixed-width ids so that string order = numeric order */
export const idOf = (prefix: string, i: number): string => `${prefix}${String(i).padStart(8, '0')}`;

/**
 * Clustered "identities": identity c has a random unit centre; its templates are noisy copies at
 * cos sqrt(pairCos) from the centre, so two templates of one identity have cosine ~pairCos
 * (0.6-0.8 like genuine face pairs) and templates of different identities ~0.
 */
export function identityTemplate(seed: number, identity: number, sample: number, dims: number, pairCos = 0.7, centre = unitVector(seed, identity, dims)): Float32Array {
  return noisyCopy(centre, Math.sqrt(pairCos), seed + 1, identity * 1000 + sample);
}
