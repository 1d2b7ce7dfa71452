/**
 * Calibration constants: how raw model outputs become the scores the Oz API reports. Every number
 * here was measured by `npm run eval` (test/eval/run.ts), which prints the values it would choose
 * so they can be checked against these; layers/vision/README.md explains them.
 */

// ---------------------------------------------------------------------------------------------
// Face verification (fr_feature cosine -> Oz "biometry" score; 0.85 is the documented default
// threshold: at or above it, the same person).
// ---------------------------------------------------------------------------------------------

/** The Oz default biometry / blacklist threshold. */
export const FACE_SCORE_THRESHOLD = 0.85;
/** Raw cosine at or below which the score is 0 (82.5 % of impostor pairs on identities.csv, no genuine pair). */
export const FACE_SCORE_LOW = 0.1;
/**
 * Raw cosine mapped to 0.85. On identities.csv (154 genuine / 2,696 impostor pairs) the FAR 0.1 %
 * point is 0.392-0.401 (it rests on the 3rd-highest impostor pair), the highest impostor pair is
 * 0.436 and the lowest genuine pair 0.413. 0.45 is safer: no impostor pair reaches it, a normal
 * fit to the impostor scores puts FAR 1e-5 at 0.433, the same threshold also serves 1:N search,
 * and TAR there is still 153/154.
 */
export const FACE_RAW_THRESHOLD = 0.45;
/** Score at raw cosine 1. */
export const FACE_SCORE_HIGH = 1;

// ---------------------------------------------------------------------------------------------
// Passive liveness (spoof = 1 - p(real), averaged over frames -> Oz confidence_spoofing; 0.5 is
// the documented default threshold_spoofing: above it, an attack).
// ---------------------------------------------------------------------------------------------

/** The Oz default threshold_spoofing. */
export const SPOOF_SCORE_THRESHOLD = 0.5;

export interface SpoofCalibration {
  /**
   * Raw spoof score of the dev operating point (BPCER <= 5 % on pad/dev images): mapped to 0.5.
   * It is the logit midpoint between the highest real score still accepted and the next one.
   */
  rawThreshold: number;
  /** what was measured on pad/dev images when it was chosen */
  dev: { real: number; attack: number; bpcer: number; apcer: number; auc: number };
}

/** Per liveness model (LivenessChoice.name). */
export const SPOOF_CALIBRATION: Readonly<Record<string, SpoofCalibration>> = Object.freeze({
  fr_liveness: { rawThreshold: 0.0102, dev: { real: 78, attack: 85, bpcer: 3 / 78, apcer: 2 / 85, auc: 0.9919 } },
  MiniFASNetV2: { rawThreshold: 0.7865, dev: { real: 78, attack: 85, bpcer: 3 / 78, apcer: 5 / 85, auc: 0.9778 } },
  'MiniFASNetV2+MiniFASNetV1SE': { rawThreshold: 0.7036, dev: { real: 78, attack: 85, bpcer: 3 / 78, apcer: 5 / 85, auc: 0.9725 } },
});

const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const EPS = 1e-7;

/**
 * Calibrated spoof score: the raw score's odds divided by the operating point's odds, i.e.
 * sigmoid(logit(raw) - logit(rawThreshold)). Monotone, 0 -> 0, 1 -> 1, rawThreshold -> 0.5, so the
 * product's default threshold_spoofing 0.5 is the model's dev-calibrated operating point.
 */
export function calibrateSpoof(raw: number, model: string): number {
  const c = SPOOF_CALIBRATION[model];
  if (!c) throw new Error(`no liveness calibration for model ${model}`);
  if (!Number.isFinite(raw)) return 1;
  const r = Math.min(1 - EPS, Math.max(EPS, raw));
  const s = sigmoid(logit(r) - logit(c.rawThreshold));
  if (raw <= 0) return 0;
  if (raw >= 1) return 1;
  return s;
}

/** Inverse of calibrateSpoof (evaluation and tests). */
export function uncalibrateSpoof(score: number, model: string): number {
  const c = SPOOF_CALIBRATION[model];
  if (!c) throw new Error(`no liveness calibration for model ${model}`);
  if (score <= 0) return 0;
  if (score >= 1) return 1;
  return sigmoid(logit(score) + logit(c.rawThreshold));
}

// ---------------------------------------------------------------------------------------------
// Gestures -> confidence_spoofing
// ---------------------------------------------------------------------------------------------

/**
 * A failed gesture check raises confidence_spoofing to at least this, plus up to 0.25 more the
 * less of the gesture was seen: max(passive, 0.75 + 0.25 * (1 - evidence / 0.5)). A passed
 * gesture leaves the passive score unchanged (a replayed gesture video passes the gesture; only
 * the passive model can catch it).
 */
export const FAILED_GESTURE_FLOOR = 0.75;
