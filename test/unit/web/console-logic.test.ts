// The console's own logic (web/src): formatting, role gating against the access matrix, the hash
// router and the API client's query strings (its types come from the client package, checked by test/unit/openapi.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayToEpoch, defaultTags, fileKind, formatBytes, formatDuration, formatPercent, formatScore, formatTime, metaFilter, similarityVerdict, spoofingVerdict, statusTone } from '../../../web/src/format';
import { PAGES, assignableRoles, mayIssueServiceToken, mayManageUser, mayOpen, pagesFor, roleLabel, type Role, type Who } from '../../../web/src/access';
import { hrefOf, parseHash } from '../../../web/src/routes';
import { queryString } from '../../../web/src/api';
import { ACCESS_MATRIX } from '../../../layers/core/permissions';

const who = (user_type: Role, company_id = 'c1', user_id = 'u1'): Who => ({ user_type, company_id, user_id });

test('times, sizes, durations, percentages and scores', () => {
  assert.equal(formatTime(Date.UTC(2026, 11, 3, 9, 5) / 1000, true), '2026-12-03 09:05');
  assert.equal(formatTime(null), '—');
  assert.equal(formatTime(Number.NaN), '—');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MB');
  assert.equal(formatDuration(0.0421), '42 ms');
  assert.equal(formatDuration(3.25), '3.3 s');
  assert.equal(formatDuration(125), '2 min 5 s');
  assert.equal(formatPercent(0.9123), '91.2 %');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatScore(0.123456), '0.123');
});

test('scores against thresholds: spoofing passes below, similarity at or above', () => {
  assert.deepEqual(spoofingVerdict(0.49, 0.5), { score: 0.49, threshold: 0.5, passes: true, label: 'live' });
  assert.equal(spoofingVerdict(0.5, 0.5).passes, false, 'at the threshold is an attack');
  assert.equal(similarityVerdict(0.85, 0.85).passes, true, 'at the threshold is a match');
  assert.equal(similarityVerdict(0.8499).label, 'no match');
  assert.equal(statusTone('OPERATOR_REQUIRED'), 'warn');
  assert.equal(statusTone('declined'), 'bad');
  assert.equal(statusTone(undefined), 'neutral');
});

test('filters: meta_data as key==value, dates as local day bounds', () => {
  assert.equal(metaFilter('transaction_id=42'), 'transaction_id==42');
  assert.equal(metaFilter(' a.b==c '), 'a.b==c');
  assert.equal(metaFilter('   '), undefined);
  assert.equal(metaFilter('no-equals'), undefined);
  const start = dayToEpoch('2026-03-01')!;
  const end = dayToEpoch('2026-03-01', true)!;
  assert.equal(end - start, 86399);
  assert.equal(new Date(start * 1000).getDate(), 1);
  assert.equal(dayToEpoch('01/03/2026'), undefined);
});

test('dropped files: kind from type or name, documented default tags', () => {
  assert.equal(fileKind({ name: 'a.JPG', type: '' }), 'photo');
  assert.equal(fileKind({ name: 'clip', type: 'video/mp4' }), 'video');
  assert.equal(fileKind({ name: 'shots.zip', type: '' }), 'shots');
  assert.equal(fileKind({ name: 'notes.txt', type: 'text/plain' }), null);
  assert.deepEqual(defaultTags('video'), ['video_selfie', 'video_selfie_blank']);
  assert.deepEqual(defaultTags('photo'), ['photo_selfie']);
});

test('pages follow the access matrix for every role', () => {
  const ids = (r: Role) => pagesFor(who(r)).map((p) => p.id);
  assert.deepEqual(ids('ADMIN'), ['folders', 'new', 'blacklist', 'users', 'companies', 'stats', 'settings', 'account']);
  assert.deepEqual(ids('OPERATOR'), ['folders', 'new', 'review', 'blacklist', 'users', 'companies', 'stats', 'account']);
  assert.deepEqual(ids('CLIENT'), ['folders', 'new', 'blacklist', 'account']);
  assert.deepEqual(ids('CLIENT_ADMIN'), ['folders', 'new', 'review', 'blacklist', 'users', 'stats', 'settings', 'account']);
  assert.deepEqual(ids('CLIENT_OPERATOR'), ['folders', 'new', 'review', 'blacklist', 'users', 'stats', 'account']);
  assert.deepEqual(ids('CLIENT_SERVICE'), ['folders', 'new', 'blacklist', 'users', 'stats', 'account']);
  // The review queue is exactly the roles that may resolve an analysis.
  for (const role of Object.keys(ACCESS_MATRIX) as Role[]) assert.equal(mayOpen(who(role), 'review'), !!ACCESS_MATRIX[role].ANALYSIS.resolve, role);
  assert.equal(mayOpen(null, 'folders'), false);
  assert.equal(PAGES.length, new Set(PAGES.map((p) => p.path)).size);
});

test('user management: company roles only for a CLIENT ADMIN, never yourself, service tokens for service accounts', () => {
  assert.deepEqual(assignableRoles(who('CLIENT_ADMIN')).sort(), ['CLIENT', 'CLIENT_ADMIN', 'CLIENT_OPERATOR', 'CLIENT_SERVICE']);
  assert.equal(assignableRoles(who('ADMIN')).length, 6);
  assert.deepEqual(assignableRoles(who('CLIENT_OPERATOR')), []);
  assert.equal(mayManageUser(who('CLIENT_ADMIN'), who('CLIENT', 'c1', 'u2')), true);
  assert.equal(mayManageUser(who('CLIENT_ADMIN'), who('CLIENT', 'c2', 'u2')), false, 'another company');
  assert.equal(mayManageUser(who('CLIENT_ADMIN'), who('OPERATOR', 'c1', 'u2')), false, 'a global role');
  assert.equal(mayManageUser(who('ADMIN'), who('ADMIN')), false, 'yourself');
  assert.equal(mayManageUser(who('CLIENT_OPERATOR'), who('CLIENT', 'c1', 'u2')), false);
  assert.equal(mayIssueServiceToken(who('CLIENT_ADMIN'), who('CLIENT_SERVICE', 'c1', 'u2')), true);
  assert.equal(mayIssueServiceToken(who('CLIENT_ADMIN'), who('CLIENT', 'c1', 'u2')), false);
  assert.equal(roleLabel('CLIENT_ADMIN'), 'Client Admin');
});

test('hash routes and query strings', () => {
  const r = parseHash('#/folders/abc%2Fd?status=DECLINED&offset=20');
  assert.equal(r.page, 'folders');
  assert.equal(r.id, 'abc/d');
  assert.equal(r.query.get('status'), 'DECLINED');
  assert.equal(parseHash('').page, '');
  assert.equal(hrefOf('folders', undefined, { status: 'SUCCESS', type: '', offset: undefined }), '#/folders?status=SUCCESS');
  assert.equal(hrefOf('blacklist', 'c 1'), '#/blacklist/c%201');
  assert.equal(queryString({ a: 1, b: '', c: null, d: undefined, e: true, 'analyse.type': 'QUALITY' }), '?a=1&e=true&analyse.type=QUALITY');
  assert.equal(queryString({}), '');
});
