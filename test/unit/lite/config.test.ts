import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, liteConfigOf, roundScore } from '../../../functions/lite/config';
import { coreConfigOf, loadConfig } from '../../../functions/config';

test('decision: approved at or above 0.85, declined below; no operator band by default', () => {
  const config = liteConfigOf(coreConfigOf(loadConfig({})));
  assert.deepEqual(config, { biometryThreshold: 0.85, operatorBand: [], thresholdSpoofing: 0.5 });
  assert.equal(decide(0.85, config), 'approved');
  assert.equal(decide(1, config), 'approved');
  assert.equal(decide(0.849999, config), 'declined');
  assert.equal(decide(0, config), 'declined');
});

test('decision: OZ_BIOMETRY_OPERATOR_BAND gives operator_required inside [low, high)', () => {
  const config = liteConfigOf(coreConfigOf(loadConfig({ OZ_BIOMETRY_OPERATOR_BAND: '0.7,0.9' })));
  assert.equal(decide(0.95, config), 'approved');
  assert.equal(decide(0.9, config), 'approved');
  assert.equal(decide(0.86, config), 'operator_required');
  assert.equal(decide(0.7, config), 'operator_required');
  assert.equal(decide(0.69, config), 'declined');
  const threshold = liteConfigOf(coreConfigOf(loadConfig({ OZ_BIOMETRY_THRESHOLD: '0.9', OZ_THRESHOLD_SPOOFING: '0.3' })));
  assert.equal(decide(0.89, threshold), 'declined');
  assert.equal(threshold.thresholdSpoofing, 0.3);
});

test('scores: clamped to 0..1 and rounded (6 decimals for biometry, 9 for liveness)', () => {
  assert.equal(roundScore(0.99999997), 1);
  assert.equal(roundScore(0.1234567), 0.123457);
  assert.equal(roundScore(0.9994840623, 9), 0.999484062);
  assert.equal(roundScore(-0.2), 0);
  assert.equal(roundScore(1.5), 1);
  assert.equal(roundScore(Number.NaN), 0);
});
