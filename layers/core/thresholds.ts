// The thresholds an analysis is decided by: its params, else the configured defaults. One reading
// for the worker (layers/core/processing.ts) and for what reports and answers show.
import type { CoreConfig } from './deps';
import type { Analysis } from './entities';

const numberParam = (analysis: Pick<Analysis, 'params'>, name: string, fallback: number) => {
  const v = analysis.params[name];
  return typeof v === 'number' ? v : fallback;
};

export interface Thresholds {
  /** The score a result is compared with, and which way passes. */
  name: 'threshold_spoofing' | 'threshold' | 'decision_threshold';
  value: number;
  /** QUALITY passes below its threshold (an attack score); the others at or above. */
  passes: 'below' | 'at_or_above';
  /** BIOMETRY's OPERATOR_REQUIRED band [low, high), when there is one. */
  band?: [number, number];
  /** BIOMETRY: the single threshold the params or the configuration name, before a band widens it. */
  base?: number;
}

export function analysisThresholds(analysis: Pick<Analysis, 'type' | 'params'>, config: CoreConfig): Thresholds | null {
  switch (analysis.type) {
    case 'QUALITY':
      return { name: 'threshold_spoofing', value: numberParam(analysis, 'threshold_spoofing', config.defaultThresholdSpoofing), passes: 'below' };
    case 'BIOMETRY': {
      // threshold_min / threshold_max bound an OPERATOR_REQUIRED band; without them one threshold decides.
      const value = numberParam(analysis, 'threshold', config.biometryThreshold);
      const high = numberParam(analysis, 'threshold_max', Math.max(value, config.biometryOperatorBand[1] ?? value));
      const low = numberParam(analysis, 'threshold_min', Math.min(value, config.biometryOperatorBand[0] ?? value));
      return { name: 'threshold', value: high, passes: 'at_or_above', base: value, ...(low < high ? { band: [low, high] as [number, number] } : {}) };
    }
    case 'COLLECTION':
      return { name: 'decision_threshold', value: numberParam(analysis, 'decision_threshold', config.biometryThreshold), passes: 'at_or_above' };
    case 'DOCUMENTS':
      return null;
  }
}
