import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute, type LocalRoute } from '../../infra/local/http-server';
import { ROUTES, TRAILING_SLASH_SUFFIX, routeKeyOf } from '../../functions/api/route-table';

const routes: LocalRoute[] = [
  ...ROUTES.flatMap((r) =>
    ['', TRAILING_SLASH_SUFFIX].map((suffix) => ({ method: r.method, segments: (r.path + suffix).split('/').slice(1), routeKey: `${r.method} ${r.path}${suffix}`, functionLogicalId: r.fn, entry: r.fn })),
  ),
  { method: 'ANY', segments: [], routeKey: '$default', functionLogicalId: 'api', entry: 'api' },
];

test('every path works with and without the trailing slash, as API Gateway would route it', () => {
  assert.equal(matchRoute(routes, 'POST', '/api/folders')!.route.routeKey, 'POST /api/folders');
  const slash = matchRoute(routes, 'POST', '/api/folders/')!;
  assert.equal(slash.route.routeKey, 'POST /api/folders/{proxy+}');
  assert.equal(slash.params['proxy'], '');
  assert.equal(matchRoute(routes, 'GET', '/api/folders/abc/')!.route.routeKey, 'GET /api/folders/{folder_id}/{proxy+}');
  assert.equal(matchRoute(routes, 'POST', '/api/folders/abc/analyses/')!.route.routeKey, 'POST /api/folders/{folder_id}/analyses/{proxy+}');
});

test('literal segments beat variables; unknown paths fall to $default', () => {
  const m = matchRoute(routes, 'GET', '/api/folders/abc/analyses')!;
  assert.equal(m.route.routeKey, 'GET /api/folders/{folder_id}/analyses');
  assert.equal(m.params['folder_id'], 'abc');
  assert.equal(matchRoute(routes, 'GET', '/nope')!.route.routeKey, '$default');
  assert.equal(matchRoute(routes, 'DELETE', '/api/folders')!.route.routeKey, '$default');
});

test('the route table has no duplicates', () => {
  const keys = ROUTES.map(routeKeyOf);
  assert.equal(new Set(keys).size, keys.length);
});
