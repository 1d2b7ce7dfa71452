// `npm start`: the whole system locally, no AWS account.
import * as path from 'node:path';
import { startLocalRuntime } from './runtime';
import { REPO_ROOT } from '../stack';
import { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD } from './defaults';
import { discoveryFile, removeDiscovery, writeDiscovery } from './discovery';
import { ensureConsoleBuilt } from './console';
import { ensureLivenessModel } from './liveness-model';


async function main() {
  // The strong liveness model, fetched into .models/ on the first start when the network allows.
  const liveness = await ensureLivenessModel(process.env, (line) => console.log(line));
  if (liveness.warning) console.warn(`\n${'!'.repeat(100)}\nWARNING: ${liveness.warning}\n${'!'.repeat(100)}\n`);
  // The functions' structured logs as readable lines in a terminal (functions/observability.ts); JSON when piped.
  if (!process.env.OZ_LOG_FORMAT && process.stdout.isTTY) process.env.OZ_LOG_FORMAT = 'pretty';
  const inMemory = process.argv.includes('--in-memory') || process.env.OZ_IN_MEMORY === 'true';
  const dataDir = inMemory ? undefined : path.resolve(process.env.OZ_DATA_DIR ?? path.join(REPO_ROOT, '.oz-data'));
  const adminEmail = process.env.OZ_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL;
  const adminPassword = process.env.OZ_ADMIN_PASSWORD ?? DEFAULT_ADMIN_PASSWORD;
  const port = Number(process.env.PORT ?? 8080);
  const verbose = process.env.OZ_LOG !== 'quiet';
  console.log(`Starting the local runtime (${dataDir ? `data in ${dataDir}` : 'in memory'})...`);
  const started = Date.now();
  const consoleBuilt = await ensureConsoleBuilt((line) => console.log(line));
  const runtime = await startLocalRuntime({
    port,
    host: process.env.OZ_HOST ?? '127.0.0.1',
    dataDir,
    adminEmail,
    adminPassword,
    workerConcurrency: Number(process.env.OZ_WORKER_CONCURRENCY ?? 2),
    log: verbose ? (line) => console.log(line) : undefined,
  });
  // Lets `npm run retention` (and other by-hand runs of functions) reach these emulators.
  const discovery = discoveryFile();
  writeDiscovery(discovery, runtime.url);
  console.log(`\nOz API ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${runtime.url}`);
  console.log(`  console: ${runtime.url}/${consoleBuilt ? '' : ' (not built: see the message above)'}`);
  console.log(`  health:  curl ${runtime.url}/api/healthcheck`);
  console.log(`  admin:   ${adminEmail} / ${process.env.OZ_ADMIN_PASSWORD ? '(OZ_ADMIN_PASSWORD)' : adminPassword}`);
  console.log(`  liveness model: ${liveness.model}${liveness.warning ? ' (FALLBACK: see the warning above)' : ` (${liveness.fetch} in ${liveness.dir})`}`);
  console.log('Press Ctrl-C to stop.\n');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    removeDiscovery(discovery);
    await runtime.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(`\nThe local runtime could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
