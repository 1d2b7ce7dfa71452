// The console's API client (web/src/api.ts) against the real local runtime: sign-in, the session
// kept in storage, renewal before it runs out, the Oz error shape, and an ended session reported
// as expired.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError, SESSION_KEY, type SessionStorage } from '../../web/src/api';
import { ADMIN, OzClient, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import { ensureConsoleBuilt } from '../../infra/local/console';

let runtime: LocalRuntime;

class MemoryStorage implements SessionStorage {
  readonly map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

before(async () => {
  assert.ok(await ensureConsoleBuilt(), 'the console builds');
  runtime = await startRuntime();
});

test('the local runtime serves the console at / beside the API, and nothing else of web/', async () => {
  const index = await fetch(runtime.url + '/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type')!, /^text\/html/);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  const html = await index.text();
  assert.match(html, /<div id="app">/);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), assets.join());
  for (const asset of assets) {
    const res = await fetch(runtime.url + asset);
    assert.equal(res.status, 200, asset);
    assert.match(res.headers.get('cache-control')!, /immutable/);
    assert.ok((await res.arrayBuffer()).byteLength > 1000, asset);
  }
  for (const path of ['/assets/missing.js', '/assets/..%2F..%2Fpackage.json', '/src/main.tsx', '/vite.config.ts', '/index.htm']) {
    const res = await fetch(runtime.url + path);
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }
  // The API beside it is untouched.
  assert.equal((await fetch(runtime.url + '/api/healthcheck')).status, 200);
});
after(async () => {
  await runtime?.stop();
});

test('signs in, keeps the session in storage, and a new client picks it up', async () => {
  const storage = new MemoryStorage();
  const client = new ApiClient({ baseUrl: runtime.url, storage });
  const events: string[] = [];
  client.onChange((e) => events.push(e));
  const user = await client.signIn(ADMIN.email, ADMIN.password);
  assert.equal(user.user_type, 'ADMIN');
  assert.deepEqual(events, ['signed-in']);
  assert.ok(storage.map.has(SESSION_KEY));
  const again = new ApiClient({ baseUrl: runtime.url, storage });
  assert.equal(again.user?.email, ADMIN.email);
  const config = await again.get<{ api_version: string }>('/api/config');
  assert.match(config.api_version, /^\d+\.\d+\.\d+$/);
  await again.signOut();
  assert.equal(storage.map.has(SESSION_KEY), false);
  // The session really ended on the server.
  await assert.rejects(client.get('/api/config'), (e: ApiError) => e.status === 401);
});

test('a stored session past its expiry is dropped at start', () => {
  const storage = new MemoryStorage();
  storage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'x', expire_token: 'y', expire_date: 1000, session_id: 's', user: {} }));
  const client = new ApiClient({ baseUrl: runtime.url, storage, now: () => 2000 });
  assert.equal(client.session, null);
  assert.equal(storage.map.has(SESSION_KEY), false);
  storage.setItem(SESSION_KEY, '{not json');
  assert.equal(new ApiClient({ storage }).session, null);
});

test('renews the token pair shortly before the session runs out; the new pair works', async () => {
  let now = Date.now() / 1000;
  const client = new ApiClient({ baseUrl: runtime.url, now: () => now });
  await client.signIn(ADMIN.email, ADMIN.password);
  const first = client.session!;
  // Not yet: plenty of time left.
  await client.get('/api/config');
  assert.equal(client.session!.access_token, first.access_token);
  // Within the renewal margin: the next request renews first.
  now = first.expire_date - 60;
  const events: string[] = [];
  client.onChange((e) => events.push(e));
  await client.get('/api/config');
  assert.deepEqual(events, ['renewed']);
  assert.notEqual(client.session!.access_token, first.access_token);
  assert.equal(client.session!.user.user_id, first.user.user_id);
  // The old pair is retired once the new one is used.
  const old = new OzClient(runtime.url);
  old.token = first.access_token;
  assert.equal((await old.request('GET', '/api/config')).status, 401);
});

test('errors carry the Oz error_code and message; a session ended elsewhere is reported as expired', async () => {
  const client = new ApiClient({ baseUrl: runtime.url });
  await assert.rejects(client.signIn(ADMIN.email, 'wrong-password'), (e: ApiError) => e instanceof ApiError && e.status === 401 && typeof e.code === 'number' && e.message.length > 0);
  assert.equal(client.session, null);
  await client.signIn(ADMIN.email, ADMIN.password);
  await assert.rejects(client.get('/api/folders/not-a-folder'), (e: ApiError) => e.status === 404 && e.code === 10 && client.session !== null);
  const events: string[] = [];
  client.onChange((e) => events.push(e));
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const ended = await admin.request('DELETE', `/api/users/${client.user!.user_id}/sessions/${client.session!.session_id}`);
  assert.equal(ended.status, 204);
  await assert.rejects(client.get('/api/config'), (e: ApiError) => e.status === 401);
  assert.deepEqual(events, ['expired']);
  assert.equal(client.session, null);
});
