// Large videos through presigned uploads: the direct upload is refused with directions, the
// presigned one is stored as media like any other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ADMIN, OzClient, startRuntime } from '../support/local';
import { toolPath } from '../../layers/vision/tools';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
let client: OzClient;
let big: Buffer;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-upload-'));
  const file = path.join(dir, 'big.mp4');
  // About 6 MB: over what one Lambda invocation can carry.
  await promisify(execFile)(toolPath('ffmpeg'), ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-t', '6', '-vf', 'noise=alls=20:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '8M', '-pix_fmt', 'yuv420p', file]);
  big = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true, force: true });
  runtime = await startRuntime();
  client = new OzClient(runtime.url);
  await client.login(ADMIN.email, ADMIN.password);
});
after(async () => {
  await runtime?.stop();
});

test('an oversized direct upload is a 413 that says how to upload; the presigned way stores the video', async () => {
  assert.ok(big.length > 4.6 * 1024 * 1024, `${big.length} bytes`);
  const direct = await client.upload('/api/folders', [{ field: 'video1', name: 'big.mp4', bytes: big }]);
  assert.equal(direct.status, 413);
  assert.match(direct.body.error_message, /POST \/api\/uploads/);

  const upload = await client.request('POST', '/api/uploads', { json: { content_type: 'video/mp4' } });
  assert.equal(upload.status, 201, upload.text);
  assert.equal(upload.body.method, 'POST');
  assert.equal(upload.body.max_size, 200 * 1024 * 1024);
  // The size cap is part of the signed POST policy, which S3 enforces.
  const policy = JSON.parse(Buffer.from(upload.body.fields.Policy, 'base64').toString('utf8'));
  assert.ok(policy.conditions.some((c: unknown) => JSON.stringify(c) === `["content-length-range",1,${200 * 1024 * 1024}]`));
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([big], { type: 'video/mp4' }), 'big.mp4');
  const posted = await fetch(upload.body.upload_url, { method: 'POST', body: form });
  assert.ok(posted.status >= 200 && posted.status < 300, `${posted.status} ${await posted.text()}`);
  const folder = await client.request('POST', '/api/folders/', { json: { 'media:uploads': { video1: upload.body.upload_id }, 'media:tags': { video1: ['video_selfie', 'video_selfie_blank'] } } });
  assert.equal(folder.status, 201, folder.text);
  const media = folder.body.media[0];
  assert.equal(media.media_type, 'VIDEO_FOLDER');
  assert.equal(media.info.video.size, big.length);
  assert.deepEqual(media.tags, ['video_selfie', 'video_selfie_blank']);
  // The upload was claimed: naming it again finds nothing.
  const again = await client.request('POST', '/api/folders/', { json: { 'media:uploads': { video1: upload.body.upload_id } } });
  assert.equal(again.status, 400);
  assert.match(again.body.error_message, /not found/);
});
