// The first `npm start` fetches MiniFASNetV2 (sha256 checked) or falls back loudly to fr_liveness.
// A local HTTP server stands in for the pinned upstream address: it serves the copies in
// ../shared/models, wrong bytes, nothing (a closed port) or never answers.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureLivenessModel } from '../../infra/local/liveness-model';
import { healthcheck } from '../../functions/api/handler';
import { sha256File } from '../../models/manifest';

const SHARED_MODELS = path.resolve(__dirname, '../../../shared/models');
const V2 = path.join(SHARED_MODELS, 'MiniFASNetV2.onnx');
const skip = existsSync(V2) ? false : `the model copies in ${SHARED_MODELS} are absent`;

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'oz-models-'));
const quiet = () => undefined;

describe('liveness model on start-up', () => {
  it('downloads MiniFASNetV2 into the model folder, checks its sha256 and uses it', { skip }, async () => {
    const base = await serve((req, res) => (req.url === '/MiniFASNetV2.onnx' ? res.end(readFileSync(V2)) : res.writeHead(404).end()));
    const dir = tmp();
    const env: NodeJS.ProcessEnv = { OZ_MODEL_DIR: dir, OZ_MODEL_BASE_URL: base };
    const status = await ensureLivenessModel(env, quiet);
    assert.deepEqual([status.model, status.fetch, status.warning], ['MiniFASNetV2', 'downloaded', undefined]);
    assert.equal(sha256File(path.join(dir, 'MiniFASNetV2.onnx')), sha256File(V2));
    assert.deepEqual(healthcheck(env), { status: 'ok', details: { liveness_model: 'MiniFASNetV2' } });
    // the second start finds it and does not download again
    const again = await ensureLivenessModel({ OZ_MODEL_DIR: dir, OZ_MODEL_BASE_URL: await closedPort() }, quiet);
    assert.deepEqual([again.model, again.fetch], ['MiniFASNetV2', 'present']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a download with the wrong sha256, keeps nothing, and falls back with a warning', async () => {
    const base = await serve((_req, res) => res.end(Buffer.alloc(1743561, 7)));
    const dir = tmp();
    const env: NodeJS.ProcessEnv = { OZ_MODEL_DIR: dir, OZ_MODEL_BASE_URL: base };
    const status = await ensureLivenessModel(env, quiet);
    assert.equal(status.model, 'fr_liveness');
    assert.match(status.warning!, /sha256 mismatch/);
    assert.equal(existsSync(path.join(dir, 'MiniFASNetV2.onnx')), false);
    assert.equal(existsSync(path.join(dir, 'MiniFASNetV2.onnx.part')), false);
    const health = healthcheck(env);
    assert.equal(health.details?.liveness_model, 'fr_liveness');
    assert.match(health.details!.warning!, /falls back to fr_liveness/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('offline (nothing listens): falls back at once with a warning', async () => {
    const dir = tmp();
    const status = await ensureLivenessModel({ OZ_MODEL_DIR: dir, OZ_MODEL_BASE_URL: await closedPort() }, quiet);
    assert.equal(status.model, 'fr_liveness');
    assert.match(status.warning!, /could not be fetched/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a server that never answers is given up after OZ_START_FETCH_TIMEOUT_MS', async () => {
    const base = await serve(() => undefined);
    const dir = tmp();
    const status = await ensureLivenessModel({ OZ_MODEL_DIR: dir, OZ_MODEL_BASE_URL: base, OZ_START_FETCH_TIMEOUT_MS: '300' }, quiet);
    assert.equal(status.model, 'fr_liveness');
    assert.match(status.warning!, /no answer from .* within 300 ms/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('OZ_MODEL_DIR already holding the model (the tests, container images) is used as is', { skip }, async () => {
    const env: NodeJS.ProcessEnv = { OZ_MODEL_DIR: SHARED_MODELS, OZ_MODEL_FETCH: 'off' };
    const status = await ensureLivenessModel(env, quiet);
    assert.deepEqual([status.model, status.fetch, env.OZ_MODEL_DIR], ['MiniFASNetV2', 'present', SHARED_MODELS]);
  });

  it('OZ_MODEL_FETCH=off with no model: the fallback is announced', async () => {
    const dir = tmp();
    const env: NodeJS.ProcessEnv = { OZ_MODEL_DIR: dir, OZ_MODEL_FETCH: 'off' };
    const status = await ensureLivenessModel(env, quiet);
    assert.equal(status.model, 'fr_liveness');
    assert.match(env.OZ_LIVENESS_WARNING!, /OZ_MODEL_FETCH=off/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('healthcheck keeps its plain shape when nothing was announced', () => {
    assert.deepEqual(healthcheck({}), { status: 'ok' });
  });
});
