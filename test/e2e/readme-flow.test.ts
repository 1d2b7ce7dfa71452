// Runs the README's curl flow, as written, against the local runtime: the docs cannot drift.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import { REPO_ROOT } from '../../infra/stack';
import { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD } from '../../infra/local/defaults';

const VIDEO = 'faces/face_recognition/examples/short_hamilton_clip.mp4';
let runtime: LocalRuntime | undefined;

before(async () => {
  if (sharedFile(VIDEO)) runtime = await startRuntime({ adminEmail: DEFAULT_ADMIN_EMAIL, adminPassword: DEFAULT_ADMIN_PASSWORD });
});
after(async () => {
  await runtime?.stop();
});

test('the README curl flow ends with a confidence_spoofing and a folder resolution', async (t) => {
  const video = sharedFile(VIDEO);
  if (!video || !runtime) return t.skip(`../shared/data/${VIDEO} is absent`);
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /<!-- flow:start -->\s*```bash\n([\s\S]*?)```\s*<!-- flow:end -->/.exec(readme)?.[1];
  assert.ok(block, 'README has a flow block');
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block], {
    cwd: REPO_ROOT,
    env: { ...process.env, API: runtime.url, VIDEO: video },
    timeout: 120_000,
  });
  const lines = stdout.trim().split('\n');
  assert.match(lines.at(-2)!, /^\{"confidence_spoofing":0?\.?[0-9.e-]+\}$/);
  assert.match(lines.at(-1)!, /^(SUCCESS|DECLINED)$/);
});
