/**
 * npm run models:fetch
 *
 * Downloads the optional models (MiniFASNetV2 and MiniFASNetV1SE, Apache-2.0: not on any package
 * registry) from their pinned upstream addresses in models/manifest.ts into OZ_MODEL_DIR (default
 * .models/ in the repository, which git ignores), checks each file's sha256 and size against the
 * manifest, and deletes a download that does not match. A file already there with the right
 * sha256 is kept. The product uses MiniFASNetV2 automatically once the file is in OZ_MODEL_DIR.
 *
 * Environment:
 *   OZ_MODEL_DIR               where to put the files (default <repo>/.models)
 *   OZ_MODEL_BASE_URL          fetch <base>/<file name> instead of the upstream address (a mirror,
 *                              or a local server in tests)
 *   OZ_MODEL_URL_<NAME>        one model's address, e.g. OZ_MODEL_URL_MINIFASNETV2
 *   OZ_FETCH_TIMEOUT_MS        per file (default 120000)
 *   OZ_FETCH_CONNECT_TIMEOUT_MS until the server answers (default: OZ_FETCH_TIMEOUT_MS); offline,
 *                              `npm start` gives up after this long
 * Exit status 1 when any model could not be fetched or verified.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { MODEL_MANIFEST, sha256File, type ModelSpec } from '../models/manifest';

const REPO = path.resolve(__dirname, '..');

export interface FetchOptions {
  /** destination folder (default OZ_MODEL_DIR or <repo>/.models) */
  dir?: string;
  /** environment to read the overrides from (default process.env) */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** models to fetch (default: every optional model with a URL) */
  names?: string[];
  /** false: only check what is there; a missing model is reported as 'missing' (default true) */
  fetchMissing?: boolean;
}

export interface FetchResult {
  name: string;
  file: string;
  url: string;
  status: 'present' | 'downloaded' | 'failed' | 'missing';
  error?: string;
}

export function modelUrl(spec: ModelSpec, env: NodeJS.ProcessEnv = process.env): string {
  const own = env[`OZ_MODEL_URL_${spec.name.toUpperCase()}`];
  if (own) return own;
  const base = env.OZ_MODEL_BASE_URL;
  if (base) return `${base.replace(/\/+$/, '')}/${spec.file}`;
  if (!spec.source.url) throw new Error(`model ${spec.name} has no download address`);
  return spec.source.url;
}

function human(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} kB`;
}

async function download(spec: ModelSpec, url: string, dest: string, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<void> {
  const part = `${dest}.part`;
  rmSync(part, { force: true });
  const timeout = Number(env.OZ_FETCH_TIMEOUT_MS) > 0 ? Number(env.OZ_FETCH_TIMEOUT_MS) : 120_000;
  const connectTimeout = Number(env.OZ_FETCH_CONNECT_TIMEOUT_MS) > 0 ? Math.min(timeout, Number(env.OZ_FETCH_CONNECT_TIMEOUT_MS)) : timeout;
  // an unreachable or silent server fails after connectTimeout; a slow download may take `timeout`
  const noAnswer = new AbortController();
  const timer = setTimeout(() => noAnswer.abort(new Error(`no answer from ${url} within ${connectTimeout} ms`)), connectTimeout);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(timeout), noAnswer.signal]), redirect: 'follow' });
  } catch (e) {
    throw noAnswer.signal.aborted ? (noAnswer.signal.reason as Error) : e;
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText} from ${url}`);
  const total = Number(res.headers.get('content-length')) || spec.bytes;
  const hash = createHash('sha256');
  const out = createWriteStream(part);
  let got = 0;
  let shown = -1;
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.length;
      if (got > spec.bytes * 2 + 1024 * 1024) throw new Error(`${url} sends more than ${human(spec.bytes * 2)}: not the expected file`);
      hash.update(value);
      if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
      const tenth = Math.floor((got / total) * 10);
      if (tenth !== shown && tenth <= 10) {
        shown = tenth;
        log(`  ${spec.file}: ${human(got)} of ${human(total)} (${Math.min(100, Math.round((got / total) * 100))} %)`);
      }
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  } catch (e) {
    out.destroy();
    rmSync(part, { force: true });
    throw e;
  }
  const digest = hash.digest('hex');
  if (digest !== spec.sha256 || got !== spec.bytes) {
    rmSync(part, { force: true });
    throw new Error(`sha256 mismatch for ${spec.file} from ${url}: got ${digest} (${got} bytes), expected ${spec.sha256} (${spec.bytes} bytes); the download was deleted`);
  }
  renameSync(part, dest);
}

/** Fetches and verifies the optional models. Never leaves an unverified file behind. */
export async function fetchModels(opts: FetchOptions = {}): Promise<FetchResult[]> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((s: string) => console.log(s));
  const dir = path.resolve(opts.dir ?? env.OZ_MODEL_DIR ?? path.join(REPO, '.models'));
  mkdirSync(dir, { recursive: true });
  const specs = MODEL_MANIFEST.filter((m) => m.optional && m.source.kind === 'url' && (!opts.names || opts.names.includes(m.name)));
  log(`fetching ${specs.length} model(s) into ${dir}`);
  const results: FetchResult[] = [];
  for (const spec of specs) {
    const dest = path.join(dir, spec.file);
    let url = '';
    try {
      url = modelUrl(spec, env);
      if (existsSync(dest)) {
        if (statSync(dest).size === spec.bytes && sha256File(dest) === spec.sha256) {
          log(`${spec.name}: already present and verified (${dest})`);
          results.push({ name: spec.name, file: dest, url, status: 'present' });
          continue;
        }
        log(`${spec.name}: ${dest} does not match the manifest's sha256; deleting it and downloading again`);
        rmSync(dest, { force: true });
      }
      if (opts.fetchMissing === false) {
        results.push({ name: spec.name, file: dest, url, status: 'missing' });
        continue;
      }
      log(`${spec.name}: downloading ${url}`);
      await download(spec, url, dest, env, log);
      log(`${spec.name}: verified sha256 ${spec.sha256.slice(0, 16)}... -> ${dest}`);
      results.push({ name: spec.name, file: dest, url, status: 'downloaded' });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log(`${spec.name}: FAILED: ${msg}`);
      results.push({ name: spec.name, file: dest, url, status: 'failed', error: msg });
    }
  }
  return results;
}

if (require.main === module) {
  fetchModels()
    .then((r) => {
      const failed = r.filter((x) => x.status === 'failed' || x.status === 'missing');
      if (failed.length) {
        console.error(`${failed.length} model(s) could not be fetched: ${failed.map((f) => f.name).join(', ')}`);
        process.exitCode = 1;
      } else {
        console.log('all models present and verified');
      }
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
