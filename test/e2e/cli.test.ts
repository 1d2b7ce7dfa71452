// The `oz` command as a user runs it (node_modules/.bin/oz, linked by `npm ci` from the workspace
// package clients/node) against the real local runtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADMIN, OzClient, sharedFile, startRuntime } from '../support/local';
import { REPO_ROOT } from '../../infra/stack';
import type { LocalRuntime } from '../../infra/local/runtime';

const VIDEO = 'faces/face_recognition/examples/short_hamilton_clip.mp4';
const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA2 = 'faces/face_recognition/examples/obama2.jpg';
const missing = [VIDEO, OBAMA, OBAMA2].filter((f) => !sharedFile(f));
const skip = missing.length ? `../shared/data is absent (${missing[0]})` : false;
const BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'oz');
const USER = { email: 'cli@cli.test', password: 'cli-password-1' };

let runtime: LocalRuntime;
let tmp: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function oz(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: tmp,
      // Only what the test gives: no OZ_* variables of the machine running the tests.
      env: { PATH: process.env.PATH ?? '', HOME: tmp, OZ_API_URL: runtime?.url ?? 'http://127.0.0.1:1', OZ_CONFIG: path.join(tmp, 'session.json'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-cli-'));
  if (skip) return;
  runtime = await startRuntime();
  const admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'CLI Co' } })).body.company_id;
  const created = await admin.request('POST', '/api/users', { json: { credentials: USER, profile: { company_id: company, user_type: 'CLIENT_ADMIN' } } });
  assert.equal(created.status, 201, created.text);
});
after(async () => {
  await runtime?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the linked bin answers --help, and usage errors exit 2', async () => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: npm ci links it from clients/node`);
  const help = await oz(['--help']);
  assert.equal(help.code, 0);
  for (const word of ['login', 'liveness', 'compare', 'collection create', 'collection add', 'collection search', 'report', 'OZ_TOKEN']) assert.ok(help.stdout.includes(word), word);
  const unknown = await oz(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command "frobnicate"/);
  const absent = await oz(['liveness', 'nowhere.mp4']);
  assert.equal(absent.code, 2);
  assert.match(absent.stderr, /Cannot read nowhere\.mp4: no such file/);
});

test('login saves a session (owner-only file); liveness on a video shows upload and analysis progress', { skip }, async () => {
  const notLoggedIn = await oz(['liveness', sharedFile(VIDEO)!]);
  assert.equal(notLoggedIn.code, 2);
  assert.match(notLoggedIn.stderr, /Not logged in/);
  const wrong = await oz(['login', '--email', USER.email, '--password', 'nope-123']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /answered 401, error_code 7/);

  const login = await oz(['login', '--email', USER.email, '--password', USER.password]);
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Logged in to .* as cli@cli\.test \(CLIENT_ADMIN\)/);
  const file = path.join(tmp, 'session.json');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.match(JSON.parse(fs.readFileSync(file, 'utf8')).access_token, /^[0-9a-f]+$/);

  const run = await oz(['liveness', sharedFile(VIDEO)!]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Uploading short_hamilton_clip\.mp4: 0%/);
  assert.match(run.stderr, /Uploading short_hamilton_clip\.mp4: 100% \(0\.6 MB of 0\.6 MB\)/);
  assert.match(run.stderr, /Started QUALITY analysis [0-9a-f-]{36}/);
  assert.match(run.stderr, /QUALITY [0-9a-f-]{36}: FINISHED \((SUCCESS|DECLINED)\)/);
  assert.match(run.stdout, /^Liveness: (SUCCESS|DECLINED)/);
  assert.match(run.stdout, /confidence_spoofing 0\.\d{4} \(0 = live, 1 = attack; threshold 0\.5/);
});

test('compare with --json and OZ_EMAIL / OZ_PASSWORD: machine-readable, progress stays on stderr', { skip }, async () => {
  const run = await oz(['compare', sharedFile(OBAMA)!, sharedFile(OBAMA2)!, '--json'], { OZ_EMAIL: USER.email, OZ_PASSWORD: USER.password });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.analyses[0].type, 'BIOMETRY');
  assert.equal(out.analyses[0].resolution_status, 'SUCCESS');
  assert.ok(out.analyses[0].results_data.min_confidence >= 0.85);
  assert.match(run.stderr, /Uploading/);
  const quiet = await oz(['compare', sharedFile(OBAMA)!, sharedFile(OBAMA2)!, '--quiet'], { OZ_EMAIL: USER.email, OZ_PASSWORD: USER.password });
  assert.equal(quiet.stderr, '');
  assert.match(quiet.stdout, /^Match: SUCCESS \(same person\)\n {2}score 0\.\d{4}/);
});

test('report: the folder\'s PDF saved under the name the API gives (folder_id in it), or --out', { skip }, async () => {
  const env = { OZ_EMAIL: USER.email, OZ_PASSWORD: USER.password };
  const compared = await oz(['compare', sharedFile(OBAMA)!, sharedFile(OBAMA2)!, '--json', '--quiet'], env);
  const folderId = JSON.parse(compared.stdout).folder_id;
  const run = await oz(['report', folderId], env);
  assert.equal(run.code, 0, run.stderr);
  const saved = new RegExp(`^Saved (report_${folderId}_\\d{8}T\\d{6}Z\\.pdf) \\((\\d+) bytes\\), report [0-9a-f-]{36}, content SHA-256 [0-9a-f]{64}`).exec(run.stdout);
  assert.ok(saved, run.stdout);
  const bytes = fs.readFileSync(path.join(tmp, saved[1]!));
  assert.equal(bytes.length, Number(saved[2]));
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const out = await oz(['report', folderId, '--template', '00000000-0000-4000-8000-000000000002', '--out', 'kz.pdf', '--json'], env);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).report_template_id, '00000000-0000-4000-8000-000000000002');
  assert.ok(fs.statSync(path.join(tmp, 'kz.pdf')).size > 1000);
  const missingFolder = await oz(['report'], env);
  assert.equal(missingFolder.code, 2);
  const unknown = await oz(['report', '00000000-0000-0000-0000-00000000abcd'], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /the API answered 404, error_code 10/);
});

test('collection create, add with --meta, search finds the person', { skip }, async () => {
  const env = { OZ_EMAIL: USER.email, OZ_PASSWORD: USER.password };
  const created = await oz(['collection', 'create', 'cli-list', '--json'], env);
  assert.equal(created.code, 0, created.stderr);
  const collectionId = JSON.parse(created.stdout).collection_id;
  const added = await oz(['collection', 'add', collectionId, sharedFile(OBAMA)!, '--meta', 'name=Barack', '--meta', 'case=42'], env);
  assert.equal(added.code, 0, added.stderr);
  const personId = /Enrolled person ([0-9a-f-]{36})/.exec(added.stdout)?.[1];
  assert.ok(personId, added.stdout);
  assert.match(added.stdout, /"name":"Barack","case":"42"/);
  const listed = await oz(['collection', 'list'], env);
  assert.match(listed.stdout, new RegExp(`${collectionId} {2}cli-list`));
  const search = await oz(['collection', 'search', collectionId, sharedFile(OBAMA2)!], env);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, /^Found: 1 match\(es\) in cli-list/);
  assert.match(search.stdout, new RegExp(`person ${personId} {2}confidence 0\\.\\d{4}`));
  const badMeta = await oz(['collection', 'add', collectionId, sharedFile(OBAMA)!, '--meta', 'oops'], env);
  assert.equal(badMeta.code, 2);
  assert.match(badMeta.stderr, /--meta takes key=value/);
  const foreign = await oz(['collection', 'search', '00000000-0000-0000-0000-00000000abcd', sharedFile(OBAMA2)!], env);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /the API answered 4\d\d, error_code \d+/);
});

test('a file that is no media: the API refusal is printed and the exit code is 1; a stopped API says so', { skip }, async () => {
  const text = path.join(tmp, 'notes.txt');
  fs.writeFileSync(text, 'this is not a video');
  const run = await oz(['liveness', text], { OZ_EMAIL: USER.email, OZ_PASSWORD: USER.password });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /oz: the API answered 400, error_code \d+: .+/);
  assert.equal(run.stdout, '');
  // A port nothing listens on any more.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const down = await oz(['collection', 'list', '--url', `http://127.0.0.1:${port}`], { OZ_TOKEN: 'deadbeef' });
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`cannot connect to http://127\\.0\\.0\\.1:${port}: is the API running\\?`));
});
