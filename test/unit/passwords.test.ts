// The password policy and its setting, without a runtime (the e2e tests cover the HTTP answers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordPolicy, passwordProblem } from '../../layers/core/passwords';
import { coreConfigOf, loadConfig } from '../../functions/config';

const configFromEnv = (env: Record<string, string>) => coreConfigOf(loadConfig(env));

test('passwordProblem names the first rule broken, in order', () => {
  const policy = passwordPolicy(10);
  assert.equal(passwordProblem('abc123', policy)?.rule, 'min_length');
  assert.equal(passwordProblem('a1'.repeat(200), policy)?.rule, 'max_length');
  assert.equal(passwordProblem('abcdefghijk', policy)?.rule, 'require_digit');
  assert.equal(passwordProblem('12345678901', policy)?.rule, 'require_letter');
  assert.equal(passwordProblem('Mail1@x.test', policy, 'mail1@X.test')?.rule, 'differs_from_email');
  assert.equal(passwordProblem('Mail1@x.test', policy, 'other@x.test'), null);
  assert.equal(passwordProblem('пароль12345', policy), null); // letters of any script
});

test('OZ_PASSWORD_MIN_LENGTH sets the minimum (default 8) and refuses nonsense', () => {
  assert.equal(configFromEnv({}).passwordMinLength, 8);
  assert.equal(configFromEnv({ OZ_PASSWORD_MIN_LENGTH: '12' }).passwordMinLength, 12);
  assert.throws(() => configFromEnv({ OZ_PASSWORD_MIN_LENGTH: 'short' }), /OZ_PASSWORD_MIN_LENGTH/);
  assert.throws(() => configFromEnv({ OZ_PASSWORD_MIN_LENGTH: '0' }), /OZ_PASSWORD_MIN_LENGTH/);
});
