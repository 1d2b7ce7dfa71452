// How other local commands (`npm run retention`) find a running `npm start`: the runtime writes the
// emulator endpoints and resource names it gave its functions to <data dir>/runtime.json (removed
// on stop), so they reach the same DynamoDB Local, S3 and SQS emulators from their own process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../stack';

/** What a function needs to reach the runtime's storage; nothing secret (no admin password). */
const KEYS = ['OZ_TABLE_NAME', 'OZ_BUCKET_NAME', 'OZ_QUEUE_URL', 'OZ_DYNAMODB_ENDPOINT', 'OZ_S3_ENDPOINT', 'OZ_SQS_ENDPOINT', 'OZ_SFN_ENDPOINT', 'AWS_REGION', 'OZ_RETENTION_DAYS', 'OZ_RETENTION_MAX_FOLDERS'];

export interface Discovery {
  pid: number;
  url: string;
  env: Record<string, string>;
}

/** OZ_RUNTIME_FILE, else runtime.json in the data folder (OZ_DATA_DIR, default .oz-data). */
export function discoveryFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.OZ_RUNTIME_FILE ?? path.join(env.OZ_DATA_DIR ?? path.join(REPO_ROOT, '.oz-data'), 'runtime.json'));
}

export function writeDiscovery(file: string, url: string, env: NodeJS.ProcessEnv = process.env): void {
  const picked = Object.fromEntries(KEYS.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, url, env: picked } satisfies Discovery, null, 2));
}

export function removeDiscovery(file: string): void {
  fs.rmSync(file, { force: true });
}

/** The running runtime's discovery, or a message that says what to do. */
export function readDiscovery(file: string): Discovery {
  if (!fs.existsSync(file)) throw new Error(`No running local runtime found (${file} is absent): start it with \`npm start\` first.`);
  const found = JSON.parse(fs.readFileSync(file, 'utf8')) as Discovery;
  try {
    process.kill(found.pid, 0); // signal 0: only asks whether the process exists
  } catch {
    throw new Error(`The local runtime that wrote ${file} (pid ${found.pid}) is no longer running: start it with \`npm start\`.`);
  }
  return found;
}
