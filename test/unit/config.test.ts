// The configuration schema: parsed values, bad values naming their variable, and the README's
// generated table in step with the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coreConfigOf, loadConfig, visionSettingsOf } from '../../functions/config';
import { withTable } from '../../scripts/config-table';

test('defaults without any variable, typed values when set', () => {
  const config = loadConfig({});
  assert.equal(config.OZ_SESSION_TTL, 900);
  assert.equal(config.OZ_INTEGER_TIMESTAMPS, false);
  assert.equal(config.OZ_THROTTLING_RATES, null);
  assert.equal(config.OZ_STUCK_AFTER_SECONDS, 3600);
  const set = loadConfig({ OZ_SESSION_TTL: '60', OZ_INTEGER_TIMESTAMPS: 'true', OZ_THROTTLING_RATES: 'auth=3/h', OZ_BIOMETRY_OPERATOR_BAND: '0.7,0.9', OZ_LIVENESS_FRAMES: '4' });
  assert.equal(coreConfigOf(set).sessionTtlSeconds, 60);
  assert.equal(set.OZ_INTEGER_TIMESTAMPS, true);
  assert.deepEqual(set.OZ_THROTTLING_RATES, { auth: { limit: 3, windowSeconds: 3600 } });
  assert.deepEqual(coreConfigOf(set).biometryOperatorBand, [0.7, 0.9]);
  assert.equal(visionSettingsOf(set).livenessFrames, 4);
});

test('a bad value fails with a message naming the variable', () => {
  assert.throws(() => loadConfig({ OZ_SESSION_TTL: 'soon' }), /OZ_SESSION_TTL/);
  assert.throws(() => loadConfig({ OZ_WEBHOOK_ALLOW_PRIVATE: 'maybe' }), /OZ_WEBHOOK_ALLOW_PRIVATE: must be true or false/);
  assert.throws(() => loadConfig({ OZ_THROTTLING_RATES: 'auth=ten/min' }), /OZ_THROTTLING_RATES/);
  assert.throws(() => loadConfig({ OZ_LIVENESS_FRAMES: '100' }), /OZ_LIVENESS_FRAMES: must be a whole number at least 1 and at most 64/);
  assert.throws(() => loadConfig({ OZ_LOG_LEVEL: 'LOUD' }), /OZ_LOG_LEVEL/);
});

test('the README configuration table is the one generated from the schema (npm run config:doc)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  assert.equal(withTable(readme), readme, 'README.md configuration table drifted: run npm run config:doc');
});
