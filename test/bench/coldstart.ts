/**
 * Cold start of the two functions, in fresh processes, from bundles made the way the container
 * image and the zip are built (esbuild, CommonJS, packages external):
 *  - worker: loading the handler module (what Lambda's INIT runs), then the first passive liveness
 *    check of a 5 s 720p video (models loaded on first use: their sha256 check, session creation,
 *    first inference) against the same check once warm, then the first biometric template of a
 *    photo (the models liveness did not need) against it warm; the models loaded after each;
 *  - API: loading the handler module, and the first GET /api/healthcheck.
 * Worker init = node's start + module load + what the first check costs beyond a warm one
 * (target < 1.5 s).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const REPO = path.resolve(__dirname, '../..');
export const WORKER_INIT_TARGET_MS = 1500;

// Runs in the fresh process (plain CommonJS): times the require, then the first and a warm call.
const PROBE = `
const { performance } = require('node:perf_hooks');
const fs = require('node:fs');
(async () => {
  const out = { nodeStartMs: process.uptime() * 1000 };
  let t = performance.now();
  const handler = require(process.env.PROBE_BUNDLE);
  out.moduleLoadMs = performance.now() - t;
  const twice = async (name, fn) => {
    t = performance.now();
    await fn();
    out[name + 'FirstMs'] = performance.now() - t;
    t = performance.now();
    await fn();
    out[name + 'WarmMs'] = performance.now() - t;
  };
  if (process.env.PROBE_VISION) {
    const v = require(process.env.PROBE_VISION);
    const video = fs.readFileSync(process.env.PROBE_VIDEO);
    const photo = fs.readFileSync(process.env.PROBE_PHOTO);
    await twice('liveness', () => v.analyzeMedia(video, 'video', { liveness: true, bestShot: true }));
    out.modelsAfterLiveness = v.loadedModels();
    await twice('template', () => v.analyzeMedia(photo, 'image', { template: true }));
    out.modelsAfterTemplate = v.loadedModels();
  } else {
    const event = { version: '2.0', routeKey: 'GET /api/healthcheck', rawPath: '/api/healthcheck', rawQueryString: '', headers: {}, isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/api/healthcheck', sourceIp: '127.0.0.1' }, requestId: 'cold', routeKey: 'GET /api/healthcheck' } };
    await twice('request', async () => {
      const r = await handler.handler(event);
      if (r.statusCode !== 200) throw new Error('healthcheck answered ' + r.statusCode);
    });
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

export interface ColdStart {
  worker: Record<string, unknown> & { nodeStartMs: number; moduleLoadMs: number; livenessFirstMs: number; livenessWarmMs: number; initMs: number };
  api: Record<string, unknown> & { moduleLoadMs: number; requestFirstMs: number; requestWarmMs: number };
}

export function measureColdStart(inputs: { video: string; photo: string }): ColdStart {
  // Inside the repository (test/artifacts is ignored), so that the bundles' import() of ES-module
  // packages (@middy/core) resolves from its node_modules, as NODE_PATH does only for require().
  fs.mkdirSync(path.join(REPO, 'test/artifacts'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO, 'test/artifacts', 'oz-cold-'));
  try {
    buildSync({
      entryPoints: { worker: path.join(REPO, 'functions/worker/handler.ts'), vision: path.join(REPO, 'layers/vision/index.ts'), api: path.join(REPO, 'functions/api/handler.ts') },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      outdir: dir,
      logLevel: 'error',
    });
    const run = (bundle: string, vision?: string): Record<string, unknown> => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: path.join(REPO, 'node_modules'), PROBE_BUNDLE: path.join(dir, bundle) };
      delete env.NODE_OPTIONS;
      if (vision) Object.assign(env, { PROBE_VISION: path.join(dir, vision), PROBE_VIDEO: inputs.video, PROBE_PHOTO: inputs.photo });
      const out = execFileSync(process.execPath, ['-e', PROBE], { env, cwd: dir, encoding: 'utf8', timeout: 120_000 });
      return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    };
    const w = run('worker.js', 'vision.js') as ColdStart['worker'];
    w.initMs = w.nodeStartMs + w.moduleLoadMs + (w.livenessFirstMs - w.livenessWarmMs);
    const api = run('api.js') as ColdStart['api'];
    return { worker: w, api };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printColdStart(c: ColdStart, log: (s: string) => void): void {
  const r = (x: unknown) => Math.round(Number(x));
  const w = c.worker;
  const verdict = w.initMs < WORKER_INIT_TARGET_MS ? 'met' : 'MISSED';
  log(`  cold start, fresh processes (load ${os.loadavg()[0]!.toFixed(2)}):`);
  log(`    worker: node ${r(w.nodeStartMs)} ms, handler module ${r(w.moduleLoadMs)} ms; first passive liveness check ${r(w.livenessFirstMs)} ms vs ${r(w.livenessWarmMs)} ms warm (${(w.livenessFirstMs / w.livenessWarmMs).toFixed(1)}x)`);
  log(`      models loaded: ${(w.modelsAfterLiveness as string[]).join(', ')}`);
  log(`      first template ${r(w.templateFirstMs)} ms vs ${r(w.templateWarmMs)} ms warm; then loaded: ${(w.modelsAfterTemplate as string[]).join(', ')}`);
  log(`      worker init = node start + module + first check beyond warm = ${r(w.initMs)} ms (target < ${WORKER_INIT_TARGET_MS} ms: ${verdict})`);
  log(`    API: node ${r(c.api.nodeStartMs)} ms, handler module ${r(c.api.moduleLoadMs)} ms; first GET /api/healthcheck ${r(c.api.requestFirstMs)} ms vs ${r(c.api.requestWarmMs)} ms warm`);
}
