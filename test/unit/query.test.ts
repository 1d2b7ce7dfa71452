// The query-string fields of the route schemas (functions/api/schemas/query.ts): what the
// operations receive from the text clients send, and the 400 / error_code 4 of what they may not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Request } from '../../functions/api/http';
import { count, epoch, flag, MAX_EPOCH_SECONDS, seconds, wholeNumber, windowsInOrder } from '../../functions/api/schemas/query';
import { validateRequest } from '../../functions/api/schemas/validate';
import { ApiError } from '../../layers/core/errors';

const parse = (schema: z.ZodType, value: string | undefined) => schema.parse(value);
const refusal = (schema: z.ZodType, value: string) => {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, `${JSON.stringify(value)} was accepted as ${JSON.stringify(result.data)}`);
  return result.error!.issues[0]!.message;
};

test('count: a non-negative integer, its default when absent or empty, clamped to its maximum', () => {
  const limit = count('limit', 100, 1000);
  assert.equal(parse(limit, undefined), 100);
  assert.equal(parse(limit, ''), 100);
  assert.equal(parse(limit, '0'), 0);
  assert.equal(parse(limit, '25'), 25);
  assert.equal(parse(limit, ' 7 '), 7);
  assert.equal(parse(limit, '5000'), 1000);
  for (const bad of ['-1', '1.5', 'ten', 'NaN', 'Infinity', '1e400']) assert.equal(refusal(limit, bad), 'must be a non-negative integer', bad);
});

test('wholeNumber: within its range, its default when absent', () => {
  const days = wholeNumber('days', 1, 90, 30);
  assert.equal(parse(days, undefined), 30);
  assert.equal(parse(days, ''), 30);
  assert.equal(parse(days, '7'), 7);
  for (const bad of ['0', '91', 'x', '1.5']) assert.equal(refusal(days, bad), 'must be a whole number from 1 to 90', bad);
});

test('epoch: seconds as sent, milliseconds converted to seconds, out of range refused', () => {
  const time = epoch('t');
  assert.equal(parse(time, undefined), undefined);
  assert.equal(parse(time, ''), undefined);
  assert.equal(parse(time, '1700000000'), 1_700_000_000);
  assert.equal(parse(time, '1700000000123'), 1_700_000_000.123);
  assert.equal(parse(time, String(MAX_EPOCH_SECONDS)), MAX_EPOCH_SECONDS);
  assert.equal(parse(time, String(MAX_EPOCH_SECONDS * 1000)), MAX_EPOCH_SECONDS);
  for (const bad of ['-5', 'abc', '1e999']) assert.match(refusal(time, bad), /non-negative number of epoch seconds/, bad);
  // Too late as seconds and too early as milliseconds; and past the latest instant in milliseconds.
  for (const bad of ['10000000000', '1e11', '1e14', '1e300']) assert.match(refusal(time, bad), /^out of range: at most 9999999999 epoch seconds/, bad);
});

test('seconds: a non-negative number, undefined when absent or empty', () => {
  const at = seconds('t');
  assert.equal(parse(at, undefined), undefined);
  assert.equal(parse(at, ''), undefined);
  assert.equal(parse(at, '0.5'), 0.5);
  for (const bad of ['-1', 'soon']) assert.equal(refusal(at, bad), 'must be a number of seconds from 0', bad);
});

test('flag: true, 1 or yes in any case; false, 0, no, empty or absent are false; anything else refused', () => {
  const f = flag('f');
  for (const yes of ['true', 'TRUE', 'True', '1', 'yes', 'Yes']) assert.equal(parse(f, yes), true, yes);
  for (const no of [undefined, '', 'false', 'False', '0', 'no', 'NO']) assert.equal(parse(f, no), false, String(no));
  for (const bad of ['maybe', '2', 'on', 'truthy']) assert.match(refusal(f, bad), /must be true or false/, bad);
});

test('windowsInOrder: a window with min after max is refused naming both; equal bounds or one bound pass', () => {
  const schema = z.object({ 'a.min': epoch('a'), 'a.max': epoch('a') }).superRefine(windowsInOrder('a'));
  assert.deepEqual(schema.parse({ 'a.min': '100', 'a.max': '100' }), { 'a.min': 100, 'a.max': 100 });
  assert.deepEqual(schema.parse({ 'a.min': '100' }), { 'a.min': 100 });
  // Compared in seconds: milliseconds are converted first.
  assert.deepEqual(schema.parse({ 'a.min': '1700000000', 'a.max': '1700000000500' }), { 'a.min': 1_700_000_000, 'a.max': 1_700_000_000.5 });
  const reversed = schema.safeParse({ 'a.min': '1700000001000', 'a.max': '1700000000' });
  assert.equal(reversed.success, false);
  assert.deepEqual(reversed.error!.issues.map((i) => [i.path.join(), i.message]), [['a.min', 'must not be later than a.max']]);
});

const get = (routeKey: string, query: Record<string, string>): Request => ({
  method: 'GET',
  path: '/',
  routeKey,
  params: {},
  query,
  headers: { 'x-forensic-access-token': 't' },
  body: Buffer.alloc(0),
});

test('validateRequest hands the operation the typed query: defaults filled in, seconds, booleans, unknown keys of open queries dropped', () => {
  assert.deepEqual(validateRequest('GET /api/users', get('GET /api/users', {})).query, { offset: 0, limit: 100 });
  const folders = validateRequest('GET /api/folders', get('GET /api/folders', { limit: '5000', 'time_created.min': '1700000000000', with_analyses: 'yes', 'analysis.type': 'QUALITY' })).query;
  assert.deepEqual(
    Object.fromEntries(Object.entries(folders).filter(([, v]) => v !== undefined)),
    { offset: 0, limit: 1000, 'time_created.min': 1_700_000_000, with_analyses: true, with_results_media_filter: false, 'analysis.type': 'QUALITY' },
  );
  assert.deepEqual(validateRequest('GET /api/statistics', get('GET /api/statistics', { company_id: 'c' })).query, { days: 30, company_id: 'c' });
  // A query the route does not declare: nothing reaches the operation.
  assert.deepEqual(validateRequest('GET /api/collections', get('GET /api/collections', { anything: '1' })).query, {});
  assert.deepEqual(validateRequest('GET /api/folders/{folder_id}', get('GET /api/folders/{folder_id}', { with_analyses: 'true', extra: 'x' })).query, { with_analyses: true });
});

test('validateRequest: every query problem is a 400 / error_code 4 naming the parameter', () => {
  const refused = (routeKey: string, query: Record<string, string>) => {
    try {
      validateRequest(routeKey, get(routeKey, query));
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.deepEqual([err.status, err.code], [400, 4]);
      return err.message;
    }
    assert.fail(`${routeKey} ${JSON.stringify(query)} was accepted`);
  };
  assert.equal(refused('GET /api/users', { offset: 'ten' }), 'Invalid query parameter at offset: must be a non-negative integer');
  assert.equal(
    refused('GET /api/folders', { 'time_created.min': '200', 'time_created.max': '100' }),
    'Invalid query parameter at time_created.min: must not be later than time_created.max',
  );
  assert.equal(
    refused('GET /api/event_sessions', { 'time_updated.min': '2', 'time_updated.max': '1' }),
    'Invalid query parameter at time_updated.min: must not be later than time_updated.max',
  );
  assert.match(refused('GET /api/folders', { 'analyse.time_created': '1e11' }), /^Invalid query parameter at analyse\.time_created: out of range/);
  assert.match(refused('GET /api/folders/{folder_id}', { with_analyses: 'maybe' }), /^Invalid query parameter at with_analyses: must be true or false/);
  assert.match(refused('GET /api/event_sessions', { sorting: 'name' }), /^Invalid query parameter at sorting/);
  assert.match(refused('GET /api/statistics', { days: '91' }), /days: must be a whole number from 1 to 90/);
  assert.match(refused('POST /api/media/{media_id}/snapshot', { time: '-1' }), /time: must be a number of seconds from 0/);
});
