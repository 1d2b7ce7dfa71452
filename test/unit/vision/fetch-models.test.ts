/**
 * npm run models:fetch against a local HTTP server (this machine has no internet): the files are
 * served from ../shared/models when present, and a wrong file must be deleted, never kept.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getModelSpec, sha256File } from '../../../models/manifest';
import { fetchModels, modelUrl } from '../../../scripts/fetch-models';
import { REPO_ROOT, SHARED_MODELS } from './helpers';

const FILES = ['MiniFASNetV2.onnx', 'MiniFASNetV1SE.onnx'];
const haveModels = FILES.every((f) => existsSync(path.join(SHARED_MODELS, f)));

describe('models:fetch (scripts/fetch-models.ts)', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  let dir: string;

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const name = path.basename(req.url ?? '');
      if (req.url?.startsWith('/good/') && FILES.includes(name) && haveModels) {
        const body = readFileSync(path.join(SHARED_MODELS, name));
        res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
        res.end(body);
      } else if (req.url?.startsWith('/bad/')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(1000, 7));
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const fresh = (): string => (dir = mkdtempSync(path.join(os.tmpdir(), 'oz-fetch-test-')));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });

  it('pins the upstream addresses; the env overrides them', () => {
    const spec = getModelSpec('MiniFASNetV2');
    assert.equal(modelUrl(spec, {}), spec.source.url);
    assert.match(modelUrl(spec, {}), /^https:\/\/raw\.githubusercontent\.com\/yakhyo\/face-anti-spoofing\/c175efef505bc275f7835cc9aa2aecab305ac184\/weights\/MiniFASNetV2\.onnx$/);
    assert.equal(modelUrl(spec, { OZ_MODEL_BASE_URL: 'http://x/y/' }), 'http://x/y/MiniFASNetV2.onnx');
    assert.equal(modelUrl(spec, { OZ_MODEL_BASE_URL: 'http://x/y', OZ_MODEL_URL_MINIFASNETV2: 'http://z/v2' }), 'http://z/v2');
  });

  it('downloads, verifies the sha256 and keeps verified files', { skip: haveModels ? false : `needs ${SHARED_MODELS}/MiniFASNet*.onnx to serve` }, async () => {
    fresh();
    try {
      const lines: string[] = [];
      const r = await fetchModels({ dir, env: { OZ_MODEL_BASE_URL: `${base}/good` }, log: (s) => lines.push(s) });
      assert.deepEqual(r.map((x) => x.status), ['downloaded', 'downloaded']);
      for (const f of FILES) assert.equal(sha256File(path.join(dir, f)), getModelSpec(f.replace('.onnx', '')).sha256);
      assert.ok(lines.some((l) => /\(100 %\)/.test(l)), 'progress is printed');
      assert.deepEqual(readdirSync(dir).sort(), [...FILES].sort());
      // a second run finds them present and downloads nothing
      const n = requests.length;
      const again = await fetchModels({ dir, env: { OZ_MODEL_BASE_URL: `${base}/good` }, log: () => undefined });
      assert.deepEqual(again.map((x) => x.status), ['present', 'present']);
      assert.equal(requests.length, n);
    } finally {
      cleanup();
    }
  });

  it('deletes a download whose sha256 does not match, and a stale wrong file', async () => {
    fresh();
    try {
      writeFileSync(path.join(dir, 'MiniFASNetV2.onnx'), 'a stale, wrong file');
      const r = await fetchModels({ dir, env: { OZ_MODEL_BASE_URL: `${base}/bad` }, log: () => undefined });
      assert.deepEqual(r.map((x) => x.status), ['failed', 'failed']);
      assert.match(r[0]!.error!, /sha256 mismatch/);
      assert.deepEqual(readdirSync(dir), []);
      const missing = await fetchModels({ dir, env: { OZ_MODEL_BASE_URL: `${base}/nothing` }, log: () => undefined });
      assert.match(missing[0]!.error!, /HTTP 404/);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      cleanup();
    }
  });

  it('the npm script exits 1 when a model cannot be verified', async () => {
    fresh();
    try {
      const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/fetch-models.ts')],
          { cwd: REPO_ROOT, env: { ...process.env, OZ_MODEL_DIR: dir, OZ_MODEL_BASE_URL: `${base}/bad` }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
      assert.equal(res.code, 1, res.out);
      assert.match(res.out, /FAILED: sha256 mismatch/);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      cleanup();
    }
  });
});
