// GET /api/statistics: per-day counts by type and resolution, rates and processing-time
// percentiles, from the analyses the store keeps, within the caller's scope.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import sharp from 'sharp';
import { ADMIN, OzClient, createLoggedInUser, sharedFile, startRuntime } from '../support/local';
import { percentile } from '../../layers/core/statistics';
import type { LocalRuntime } from '../../infra/local/runtime';

const FACE = 'faces/face_recognition/examples/obama.jpg';
let runtime: LocalRuntime;
let admin: OzClient;

before(async () => {
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
});
after(async () => {
  await runtime?.stop();
});

test('nearest-rank percentiles', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([4], 99), 4);
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(ten, 50), 5);
  assert.equal(percentile(ten, 90), 9);
  assert.equal(percentile(ten, 99), 10);
});

test('counts per day, type and resolution in the caller\'s scope, with rates and percentiles', async () => {
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Stats Co' } })).body.company_id;
  const other = (await admin.request('POST', '/api/companies', { json: { name: 'Other Co' } })).body.company_id;
  const mk = (email: string, company_id: string, user_type = 'CLIENT') => createLoggedInUser(runtime.url, admin, { email, password: 'stats-password-1' }, { company_id, user_type });
  const a = await mk('a@stats.test', company);
  const b = await mk('b@stats.test', company);
  const boss = await mk('boss@stats.test', company, 'CLIENT_ADMIN');
  const outsider = await mk('x@other.test', other, 'CLIENT_ADMIN');
  const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
  const run = async (who: OzClient, bytes: Buffer, type = 'quality') => {
    const folder = (await who.upload('/api/folders/', [{ field: 'photo1', name: 'p.jpg', bytes, type: 'image/jpeg' }])).body;
    const [started] = (await who.request('POST', `/api/folders/${folder.folder_id}/analyses`, { json: { analyses: [{ type }] } })).body;
    return who.waitForAnalysis(started.analysis_id, 60_000);
  };
  // No face in a flat picture: FAILED.
  assert.equal((await run(a.client, blank)).state, 'FAILED');
  assert.equal((await run(a.client, blank)).state, 'FAILED');
  assert.equal((await run(b.client, blank)).state, 'FAILED');
  const face = sharedFile(FACE);
  const succeeded = face ? await run(b.client, fs.readFileSync(face)) : null;

  const today = new Date().toISOString().slice(0, 10);
  const stats = (await boss.client.request('GET', '/api/statistics?days=7')).body;
  assert.equal(stats.company_id, company);
  assert.equal(stats.days, 7);
  assert.equal(stats.to, today);
  assert.equal(stats.truncated, false);
  const quality = stats.by_type.find((t: any) => t.type === 'QUALITY');
  assert.equal(quality.FAILED, 3);
  assert.equal(quality.total, face ? 4 : 3);
  const row = stats.series.find((r: any) => r.day === today && r.type === 'QUALITY');
  assert.equal(row.FAILED, 3);
  if (succeeded) {
    assert.equal(quality[succeeded.resolution_status], 1);
    assert.equal(quality.pass_rate, succeeded.resolution_status === 'SUCCESS' ? 1 : 0);
    assert.equal(quality.processing_seconds.count, 1);
    assert.ok(quality.processing_seconds.p50 > 0 && quality.processing_seconds.p50 === quality.processing_seconds.p99);
  } else {
    assert.equal(quality.pass_rate, null, 'no decided analysis, no rate');
  }
  // A CLIENT sees their own analyses only.
  const own = (await a.client.request('GET', '/api/statistics')).body;
  assert.equal(own.days, 30);
  assert.equal(own.by_type.find((t: any) => t.type === 'QUALITY').total, 2);
  // Another company sees nothing of these, and may not ask for them.
  const theirs = (await outsider.client.request('GET', '/api/statistics')).body;
  assert.deepEqual(theirs.by_type, []);
  const refused = await outsider.client.request('GET', `/api/statistics?company_id=${company}`);
  assert.equal(refused.status, 403);
  assert.ok(!refused.text.includes(company), refused.text);
  // ADMIN: everything, or one company.
  const one = (await admin.request('GET', `/api/statistics?company_id=${company}`)).body;
  assert.equal(one.by_type.find((t: any) => t.type === 'QUALITY').total, quality.total);
  // Bad input: a documented 400.
  for (const days of ['0', '91', 'x', '1.5']) {
    const bad = await admin.request('GET', `/api/statistics?days=${days}`);
    assert.equal(bad.status, 400, `days=${days}: ${bad.text}`);
    assert.equal(typeof bad.body.error_code, 'number');
  }
});
