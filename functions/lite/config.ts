// API Lite's thresholds and limits. The thresholds are the product's (OZ_BIOMETRY_THRESHOLD,
// OZ_BIOMETRY_OPERATOR_BAND, OZ_THRESHOLD_SPOOFING), so API Lite and the full API decide alike.
import type { CoreConfig } from '../../layers/core/deps';

/** "The file size for the detect Liveness method is now capped at 15 MB" (API Lite 1.2.1). */
export const MAX_FILE_BYTES = 15 * 1024 * 1024;
/** "... with a maximum of 10 files per request" (API Lite 1.2.1), for detect. */
export const MAX_DETECT_FILES = 10;

export type Decision = 'approved' | 'operator_required' | 'declined';

export interface LiteConfig {
  /** a calibrated score at or above this is the same person (0.85) */
  biometryThreshold: number;
  /** optional [low, high]: scores in [low, high) are operator_required; empty = off */
  operatorBand: number[];
  /** detect: passed = confidence_spoofing below this; the multipart form's default threshold_spoofing */
  thresholdSpoofing: number;
}

export function liteConfigOf(core: CoreConfig): LiteConfig {
  return { biometryThreshold: core.biometryThreshold, operatorBand: core.biometryOperatorBand, thresholdSpoofing: core.defaultThresholdSpoofing };
}

/**
 * approved at or above the threshold (or the band's top when a band is set), operator_required
 * inside the band, declined below: the full API's BIOMETRY rule.
 */
export function decide(score: number, config: Pick<LiteConfig, 'biometryThreshold' | 'operatorBand'>): Decision {
  const threshold = config.biometryThreshold;
  const high = Math.max(threshold, config.operatorBand[1] ?? threshold);
  const low = Math.min(threshold, config.operatorBand[0] ?? threshold);
  if (score >= high) return 'approved';
  if (score >= low && low < high) return 'operator_required';
  return 'declined';
}

/**
 * Scores clamped to 0..1 and rounded: biometric scores to 6 decimals (identical templates score
 * exactly 1, as in the documents, despite float32 rounding; the decision is taken on this value),
 * liveness scores to 9 (the documents show 0.999484062).
 */
export function roundScore(score: number, decimals = 6): number {
  if (!Number.isFinite(score)) return 0;
  const f = 10 ** decimals;
  return Math.round(Math.min(1, Math.max(0, score)) * f) / f;
}
