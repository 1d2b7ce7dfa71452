/**
 * The first `npm start` gets the strong liveness model (MiniFASNetV2) by itself: when it is not
 * in OZ_MODEL_DIR (default .models/, git-ignored) it is fetched from its pinned address and its
 * sha256 checked (scripts/fetch-models.ts), giving up quickly when there is no network. Either
 * way the model in use is announced; the fallback to fr_liveness comes with a loud warning, which
 * /api/healthcheck repeats in its details (OZ_LIVENESS_IN_USE / OZ_LIVENESS_WARNING).
 *
 * Environment: OZ_MODEL_FETCH=off skips the download (present files are still used);
 * OZ_START_FETCH_TIMEOUT_MS (default 4000) is how long start-up waits for the server to answer;
 * OZ_MODEL_BASE_URL / OZ_MODEL_URL_<NAME> as for `npm run models:fetch`.
 */
import * as path from 'node:path';
import { fetchModels } from '../../scripts/fetch-models';
import { REPO_ROOT } from '../stack';

export const STRONG_LIVENESS_MODEL = 'MiniFASNetV2';
export const START_FETCH_TIMEOUT_MS = 4000;

export interface LivenessModelStatus {
  /** the passive liveness model the runtime will use */
  model: string;
  /** folder the models are read from (OZ_MODEL_DIR) */
  dir: string;
  /** 'present' | 'downloaded' | 'failed' | 'skipped' */
  fetch: string;
  /** set when the runtime falls back to the weaker model */
  warning?: string;
}

/** Makes sure MiniFASNetV2 is in OZ_MODEL_DIR when it can be; sets OZ_MODEL_DIR and the two status variables in `env`. */
export async function ensureLivenessModel(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): Promise<LivenessModelStatus> {
  const dir = path.resolve(env.OZ_MODEL_DIR ?? path.join(REPO_ROOT, '.models'));
  env.OZ_MODEL_DIR = dir;
  if ((env.OZ_LIVENESS_MODEL ?? '').trim().toLowerCase() === 'fr_liveness') return announce(env, { model: 'fr_liveness', dir, fetch: 'skipped' });
  const offline = (env.OZ_MODEL_FETCH ?? '').toLowerCase() === 'off';
  const waitMs = Number(env.OZ_START_FETCH_TIMEOUT_MS) > 0 ? Number(env.OZ_START_FETCH_TIMEOUT_MS) : START_FETCH_TIMEOUT_MS;
  const [result] = await fetchModels({
    dir,
    names: [STRONG_LIVENESS_MODEL],
    env: { ...env, OZ_FETCH_CONNECT_TIMEOUT_MS: String(waitMs) },
    log: (line) => log(`  models: ${line}`),
    fetchMissing: !offline,
  });
  if (result && result.status !== 'failed' && result.status !== 'missing') return announce(env, { model: STRONG_LIVENESS_MODEL, dir, fetch: result.status });
  const why = result?.status === 'missing' ? 'it is not in the model folder and OZ_MODEL_FETCH=off' : `it could not be fetched (${result?.error ?? 'unknown error'})`;
  const warning =
    `passive liveness falls back to fr_liveness: ${STRONG_LIVENESS_MODEL} is missing from ${dir} because ${why}. ` +
    'fr_liveness rejects most real people from an unseen camera (see the README accuracy table); ' +
    'run `npm run models:fetch` with network access, or set OZ_MODEL_DIR to a folder holding the model, and restart';
  return announce(env, { model: 'fr_liveness', dir, fetch: result?.status ?? 'failed', warning });
}

function announce(env: NodeJS.ProcessEnv, status: LivenessModelStatus): LivenessModelStatus {
  env.OZ_LIVENESS_IN_USE = status.model;
  if (status.warning) env.OZ_LIVENESS_WARNING = status.warning;
  else delete env.OZ_LIVENESS_WARNING;
  return status;
}
