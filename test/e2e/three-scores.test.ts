// The pre-5.0.0 QUALITY answer behind its switch (changelog 5.0.0): with OZ_QUALITY_THREE_SCORES=true
// results_data carries confidence_replay, confidence_liveness and confidence_spoofing, and confs the
// thresholds of all three.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ADMIN, OzClient, createLoggedInUser, sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';

const FACE = 'faces/face_recognition/examples/obama.jpg';
let runtime: LocalRuntime;
const saved = process.env.OZ_QUALITY_THREE_SCORES;

before(async () => {
  process.env.OZ_QUALITY_THREE_SCORES = 'true'; // the function processes inherit it
  runtime = await startRuntime();
});
after(async () => {
  await runtime?.stop();
  if (saved === undefined) delete process.env.OZ_QUALITY_THREE_SCORES;
  else process.env.OZ_QUALITY_THREE_SCORES = saved;
});

test('QUALITY answers the three scores and their thresholds; each threshold decides', async (t) => {
  const photo = sharedFile(FACE);
  if (!photo) return t.skip(`../shared/data/${FACE} is absent`);
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Three Scores Co' } })).body.company_id;
  const { client } = await createLoggedInUser(runtime.url, admin, { email: 'three@scores.test', password: 'three-pass-1' }, { company_id: company, user_type: 'CLIENT' });
  const folderId = (await client.upload('/api/folders', [{ field: 'selfie', name: 'selfie.jpg', bytes: fs.readFileSync(photo) }], { 'media:tags': { selfie: ['photo_selfie'] } })).body.folder_id;
  const started = await client.request('POST', `/api/folders/${folderId}/analyses`, {
    json: { analyses: [{ type: 'quality', params: { extract_best_shot: false } }, { type: 'quality', params: { threshold_replay: 0, extract_best_shot: false } }] },
  });
  assert.equal(started.status, 201, started.text);
  assert.deepEqual(started.body[0].confs, { threshold_spoofing: 0.5, threshold_replay: 0.5, threshold_liveness: 0.5, extract_best_shot: false, extract_action_shots: false });
  const [plain, strict] = await Promise.all(started.body.map((a: { analysis_id: string }) => client.waitForAnalysis(a.analysis_id)));
  const data = plain.results_media[0].results_data;
  assert.deepEqual(Object.keys(data).sort(), ['confidence_liveness', 'confidence_replay', 'confidence_spoofing']);
  for (const v of Object.values(data) as number[]) assert.ok(v >= 0 && v <= 1);
  // threshold_replay 0: every score is at or above it, so the analysis declines.
  assert.equal(strict.resolution, 'DECLINED');
  assert.equal(plain.resolution, data.confidence_spoofing >= 0.5 ? 'DECLINED' : 'SUCCESS');
});
