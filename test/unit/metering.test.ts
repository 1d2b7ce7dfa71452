// Metering's pure parts: the price table, exact money, month ranges, usage events, rate syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { formatMicros, monthOf, monthRange, parsePriceTable, usageEventOf } from '../../layers/core/metering';
import { classify, parseRates, tooMany } from '../../functions/api/throttle';

test('the price table: decimals held exactly in millionths, currency, types checked, unset = null', () => {
  assert.equal(parsePriceTable(undefined), null);
  assert.equal(parsePriceTable('  '), null);
  const t = parsePriceTable('{"currency":"EUR","QUALITY":0.01,"biometry":"0.025","COLLECTION":1.000001}')!;
  assert.equal(t.currency, 'EUR');
  assert.deepEqual(t.micros, { QUALITY: 10_000n, BIOMETRY: 25_000n, COLLECTION: 1_000_001n });
  assert.equal(parsePriceTable('{"QUALITY":2}')!.currency, 'USD');
  for (const bad of ['[1]', '{"QUALITY":-1}', '{"QUALITY":0.0000001}', '{"QUALITY":"1e3"}', '{"LIVENESS":1}', '{"currency":"dollars"}', 'not json']) {
    assert.throws(() => parsePriceTable(bad), /OZ_PRICE_TABLE/, bad);
  }
});

test('amounts: 0.1 + 0.2 is 0.30, large counts stay exact', () => {
  const t = parsePriceTable('{"QUALITY":0.1,"BIOMETRY":0.2}')!;
  assert.equal(formatMicros(t.micros.QUALITY! + t.micros.BIOMETRY!), '0.30');
  assert.equal(formatMicros(t.micros.QUALITY! * 123_456_789n), '12345678.90');
  assert.equal(formatMicros(1_000_001n * 3n), '3.000003');
  assert.equal(formatMicros(0n), '0.00');
});

test('months: UTC, ranges inclusive across years, bounded, bad input is a 400', () => {
  assert.equal(monthOf(Date.UTC(2025, 0, 31, 23, 59, 59) / 1000), '2025-01');
  assert.equal(monthOf(Date.UTC(2025, 1, 1) / 1000), '2025-02');
  assert.deepEqual(monthRange('2024-11', '2025-02'), ['2024-11', '2024-12', '2025-01', '2025-02']);
  assert.deepEqual(monthRange('2025-03', '2025-03'), ['2025-03']);
  assert.throws(() => monthRange('2025-3', '2025-03'), (e: { status?: number }) => e.status === 400);
  assert.throws(() => monthRange('2025-04', '2025-03'), (e: { status?: number }) => e.status === 400);
  assert.throws(() => monthRange('2020-01', '2025-01'), (e: { status?: number }) => e.status === 400);
});

test('usage events: keyed by the analysis, month of the final time, FINISHED billable, PROCESSING refused', () => {
  const base = { analysis_id: 'a1', company_id: 'c1', type: 'QUALITY' as const, time_task_finished: Date.UTC(2025, 4, 31, 23, 0) / 1000, time_updated: 1 };
  assert.deepEqual(usageEventOf({ ...base, state: 'FINISHED' }), { event_id: 'a1', company_id: 'c1', analysis_id: 'a1', type: 'QUALITY', state: 'FINISHED', billable: true, month: '2025-05', time: base.time_task_finished });
  assert.equal(usageEventOf({ ...base, state: 'FAILED' }).billable, false);
  assert.equal(usageEventOf({ ...base, state: 'FAILED', time_task_finished: null, time_updated: Date.UTC(2024, 0, 2) / 1000 }).month, '2024-01');
  assert.equal(usageEventOf({ ...base, state: 'FINISHED', company_id: '' }).company_id, 'anonymous');
  assert.throws(() => usageEventOf({ ...base, state: 'PROCESSING' }));
});

test('OZ_THROTTLING_RATES: the documented syntax, windows with multipliers, errors name the part', () => {
  assert.equal(parseRates(undefined), null);
  assert.equal(parseRates(''), null);
  assert.deepEqual(parseRates('auth=10/min, rest_unauthorized=60/min,rps_with_token=20/s'), {
    auth: { limit: 10, windowSeconds: 60 },
    rest_unauthorized: { limit: 60, windowSeconds: 60 },
    rps_with_token: { limit: 20, windowSeconds: 1 },
  });
  assert.deepEqual(parseRates('auth=100/10min,rps_with_token=5000/day'), { auth: { limit: 100, windowSeconds: 600 }, rps_with_token: { limit: 5000, windowSeconds: 86400 } });
  for (const bad of ['auth=10', 'login=10/min', 'auth=10/fortnight', 'auth=-1/s', 'auth=10/0s']) assert.throws(() => parseRates(bad), /OZ_THROTTLING_RATES/, bad);
});

test('which limit a request falls under', () => {
  const event = (method: string, rawPath: string, headers: Record<string, string> = {}) =>
    ({ rawPath, headers, requestContext: { http: { method, sourceIp: '203.0.113.9' } } }) as unknown as APIGatewayProxyEventV2;
  assert.deepEqual(classify(event('POST', '/api/authorize/auth/')), { name: 'auth', subject: '203.0.113.9' });
  assert.deepEqual(classify(event('GET', '/api/folders')), { name: 'rest_unauthorized', subject: '203.0.113.9' });
  const withToken = classify(event('GET', '/api/folders', { 'X-Forensic-Access-Token': 'secret-token' }));
  assert.equal(withToken.name, 'rps_with_token');
  assert.match(withToken.subject, /^[0-9a-f]{64}$/, 'the token is never a key in clear');
  const res = tooMany('auth', { limit: 10, windowSeconds: 60 }, 17) as { statusCode: number; headers: Record<string, string>; body: string };
  assert.equal(res.statusCode, 429);
  assert.equal(res.headers['retry-after'], '17');
  assert.deepEqual(Object.keys(JSON.parse(res.body)), ['error_code', 'error_message', 'details']);
  assert.equal(JSON.parse(res.body).error_code, 1429);
});
