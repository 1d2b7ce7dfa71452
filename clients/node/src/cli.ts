// `oz`: the Oz API from a terminal. Progress goes to stderr, results to stdout (text, or --json).
// Exit codes: 0 done, 1 the API refused or the analysis FAILED, 2 bad usage or unreadable file,
// 3 timed out waiting.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_URL, OzClient, type MediaInput } from './client';
import { OzApiError, OzTimeoutError } from './errors';
import type { FlowEvent, FlowResult } from './flow';
import type { AnalysisRequest, Json, JsonObject } from './types';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, TIMEOUT: 3 } as const;

const HELP = `oz: a command-line client of the Oz API (oz-open)

Usage: oz [options] <command> [arguments]

Commands:
  login [--email E --password P]         authenticate and save the session (or use the env below)
  logout                                 forget the saved session
  liveness <video|photo> [--tags a,b]    liveness (QUALITY) analysis of one selfie video or photo
  compare <a> <b>                        face match (BIOMETRY) of two photos or videos
  collection create <alias>              create a blacklist collection
  collection list                        list the collections you can read
  collection add <collection_id> <photo> [--meta key=value ...]
                                         enrol a person with a photo
  collection search <collection_id> <photo> [--count N]
                                         search a face in a collection (COLLECTION analysis)
  report <folder_id> [--template ID] [--out FILE]
                                         generate the folder's PDF report and save it (default:
                                         the file name the API gives, in the current folder)

Options:
  --url URL          API address (env OZ_API_URL; default ${DEFAULT_BASE_URL}, what \`npm start\` serves)
  --json             print results as JSON on stdout
  --quiet            no progress on stderr
  --timeout SECONDS  how long to wait for analyses (default 300)
  -h, --help         this help

Authentication, first match wins: OZ_TOKEN (an access or service token); OZ_EMAIL and
OZ_PASSWORD (a login on each run); the session saved by \`oz login\` in OZ_CONFIG
(default ~/.config/oz/session.json).

Exit codes: 0 done (whatever the verdict), 1 the API answered an error or the analysis FAILED,
2 bad usage or an unreadable file, 3 timed out waiting.
`;

class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  errIsTty: boolean;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): Io => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTty: Boolean(process.stderr.isTTY),
  env: process.env,
});

interface SavedSession {
  url: string;
  email?: string;
  access_token: string;
  expire_token?: string | null;
  expire_date?: number | null;
}

const configPath = (env: NodeJS.ProcessEnv) =>
  env['OZ_CONFIG'] ?? path.join(env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config'), 'oz', 'session.json');

function readSession(env: NodeJS.ProcessEnv): SavedSession | null {
  try {
    return JSON.parse(fs.readFileSync(configPath(env), 'utf8')) as SavedSession;
  } catch {
    return null;
  }
}

function writeSession(env: NodeJS.ProcessEnv, session: SavedSession) {
  const file = configPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Tokens are secrets: the file is readable by its owner only.
  fs.writeFileSync(file, JSON.stringify(session, null, 2) + '\n', { mode: 0o600 });
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const fmt = (n: unknown) => (typeof n === 'number' ? n.toFixed(4) : String(n));

/** What kind of media a file is, from its first bytes, to choose the documented tags. */
function isVideo(file: string): boolean {
  const head = Buffer.alloc(12);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 12, 0);
  } finally {
    fs.closeSync(fd);
  }
  const image = head[0] === 0xff && head[1] === 0xd8 ? true : head.subarray(0, 4).toString('hex') === '89504e47' || head.subarray(0, 4).toString() === 'RIFF' || head.subarray(0, 3).toString() === 'GIF' || head.subarray(0, 2).toString() === 'BM';
  return !image;
}

function checkFile(file: string | undefined, what: string): string {
  if (!file) throw new UsageError(`Missing ${what}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`Cannot read ${file}: no such file`);
  }
  if (!stat.isFile()) throw new UsageError(`Cannot read ${file}: not a file`);
  if (stat.size === 0) throw new UsageError(`${file} is empty`);
  return file;
}

const selfie = (file: string, field: string, tags?: string[]): MediaInput => ({
  path: file,
  field,
  tags: tags ?? (isVideo(file) ? ['video_selfie', 'video_selfie_blank'] : ['photo_selfie']),
});

function parseMeta(pairs: string[]): JsonObject {
  const meta: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta takes key=value, not "${pair}"`);
    meta[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return meta;
}

/** Progress lines on stderr: one updating line on a terminal, a few plain lines otherwise. */
function progressPrinter(io: Io, quiet: boolean, label: string) {
  let lastStep = -1;
  let waitingSince = 0;
  let ticker: NodeJS.Timeout | undefined;
  const line = (text: string, final = true) => {
    if (quiet) return;
    if (io.errIsTty) io.err(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else if (final) io.err(`${text}\n`);
  };
  const stop = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };
  return {
    stop,
    event(e: FlowEvent) {
      switch (e.type) {
        case 'upload': {
          const pct = e.total ? Math.floor((e.loaded / e.total) * 100) : 100;
          const text = `Uploading ${label}: ${pct}% (${mb(e.loaded)} of ${mb(e.total)})`;
          if (io.errIsTty) line(text, false);
          else if (Math.floor(pct / 25) > lastStep) {
            lastStep = Math.floor(pct / 25);
            line(text);
          }
          break;
        }
        case 'upload-complete':
          line(`Uploaded ${e.media.length} media (${mb(e.bytes)}) to folder ${e.folder_id}`);
          break;
        case 'analysis-started':
          for (const a of e.analyses) line(`Started ${a.type} analysis ${a.analysis_id}`);
          waitingSince = Date.now();
          if (io.errIsTty && !quiet) ticker = setInterval(() => line(`Waiting for the analysis... ${((Date.now() - waitingSince) / 1000).toFixed(0)} s`, false), 500);
          break;
        case 'state':
          line(`${e.analysis_type} ${e.analysis_id}: ${e.state}${e.state === 'PROCESSING' ? '' : ` (${e.resolution_status})`} after ${((Date.now() - waitingSince) / 1000).toFixed(1)} s`);
          break;
        case 'done':
          stop();
          break;
      }
    },
  };
}

interface Context {
  io: Io;
  json: boolean;
  quiet: boolean;
  timeoutMs: number;
  url: string;
  client(): Promise<OzClient>;
}

/** Clients running on the saved session: a refresh during the command is written back. */
const savedSessions = new WeakMap<OzClient, SavedSession>();

function persistRefreshed(env: NodeJS.ProcessEnv, client: OzClient) {
  const saved = savedSessions.get(client);
  const now = client.session;
  if (saved && now.access_token && now.access_token !== saved.access_token) writeSession(env, { ...saved, ...now, access_token: now.access_token });
}

async function authenticatedClient(io: Io, url: string): Promise<OzClient> {
  const env = io.env;
  if (env['OZ_TOKEN']) return new OzClient({ baseUrl: url, token: env['OZ_TOKEN'] });
  const client = new OzClient({ baseUrl: url });
  if (env['OZ_EMAIL'] && env['OZ_PASSWORD']) {
    await client.login(env['OZ_EMAIL'], env['OZ_PASSWORD']);
    return client;
  }
  const saved = readSession(env);
  if (saved && saved.url.replace(/\/+$/, '') === url) {
    client.useToken(saved.access_token, saved);
    savedSessions.set(client, saved);
    return client;
  }
  throw new UsageError(`Not logged in to ${url}: run \`oz login --email E --password P\`, or set OZ_TOKEN, or OZ_EMAIL and OZ_PASSWORD`);
}

async function flow(ctx: Context, label: string, media: MediaInput[], analyses: AnalysisRequest[]): Promise<FlowResult> {
  const client = await ctx.client();
  const progress = progressPrinter(ctx.io, ctx.quiet, label);
  try {
    return await client.runFolderFlow({ media, analyses, timeoutMs: ctx.timeoutMs, onProgress: (e) => progress.event(e) });
  } finally {
    progress.stop();
  }
}

/** The shape --json prints for analysis commands, and the exit code the verdict gives. */
function report(ctx: Context, result: FlowResult, text: string[]): number {
  const failed = result.analyses.find((a) => a.state === 'FAILED');
  if (ctx.json) ctx.io.out(JSON.stringify({ folder_id: result.folder.folder_id, resolution: result.resolution, analyses: result.analyses }, null, 2) + '\n');
  else if (failed) ctx.io.err(`The ${failed.type} analysis FAILED: ${failed.error_message ?? 'no reason given'} (error_code ${failed.error_code})\n`);
  else ctx.io.out(text.join('\n') + '\n');
  return failed ? EXIT.FAILED : EXIT.OK;
}

async function liveness(ctx: Context, args: string[], tags: string[] | undefined): Promise<number> {
  const file = checkFile(args[0], 'the video or photo: oz liveness <video.mp4>');
  const result = await flow(ctx, path.basename(file), [selfie(file, 'media1', tags)], [{ type: 'quality' }]);
  const a = result.analyses[0]!;
  const lines = [`Liveness: ${a.resolution_status}${a.resolution_status === 'SUCCESS' ? ' (live person)' : a.resolution_status === 'DECLINED' ? ' (attack suspected)' : ''}`];
  for (const r of a.results_media) {
    const data = r.results_data ?? {};
    lines.push(`  confidence_spoofing ${fmt(data['confidence_spoofing'])} (0 = live, 1 = attack; threshold ${fmt(a.confs['threshold_spoofing'] ?? 0.5)})`);
    const gesture = data['gesture'] as { tag?: string; passed?: boolean; message?: string } | undefined;
    if (gesture && typeof gesture === 'object') lines.push(`  gesture ${gesture.tag}: ${gesture.passed ? 'seen' : `not seen${gesture.message ? ` (${gesture.message})` : ''}`}`);
  }
  lines.push(`  folder ${result.folder.folder_id}, analysis ${a.analysis_id}`);
  return report(ctx, result, lines);
}

async function compare(ctx: Context, args: string[]): Promise<number> {
  const a = checkFile(args[0], 'two files: oz compare <a.jpg> <b.jpg>');
  const b = checkFile(args[1], 'the second file: oz compare <a.jpg> <b.jpg>');
  const result = await flow(ctx, `${path.basename(a)} and ${path.basename(b)}`, [selfie(a, 'media1'), selfie(b, 'media2')], [{ type: 'biometry' }]);
  const an = result.analyses[0]!;
  const data = an.results_data ?? {};
  const verdict = an.resolution_status === 'SUCCESS' ? ' (same person)' : an.resolution_status === 'DECLINED' ? ' (different people)' : '';
  return report(ctx, result, [
    `Match: ${an.resolution_status}${verdict}`,
    `  score ${fmt(data['min_confidence'])} (least similar pair; ${fmt(data['max_confidence'])} most similar; 1 = same face)`,
    `  folder ${result.folder.folder_id}, analysis ${an.analysis_id}`,
  ]);
}

async function collection(ctx: Context, args: string[], meta: string[], count: number | undefined): Promise<number> {
  const [sub, ...rest] = args;
  const print = (value: unknown, text: string) => ctx.io.out(ctx.json ? JSON.stringify(value, null, 2) + '\n' : text + '\n');
  switch (sub) {
    case 'create': {
      if (!rest[0]) throw new UsageError('Missing the alias: oz collection create <alias>');
      const created = await (await ctx.client()).createCollection(rest[0]);
      print(created, `Created collection "${created.alias}": ${created.collection_id}`);
      return EXIT.OK;
    }
    case 'list': {
      const list = await (await ctx.client()).listCollections();
      print(list, list.length ? list.map((c) => `${c.collection_id}  ${c.alias}`).join('\n') : 'No collections');
      return EXIT.OK;
    }
    case 'add': {
      if (!rest[0]) throw new UsageError('Missing the collection: oz collection add <collection_id> <photo>');
      const photo = checkFile(rest[1], 'the photo: oz collection add <collection_id> <photo>');
      const client = await ctx.client();
      const progress = progressPrinter(ctx.io, ctx.quiet, path.basename(photo));
      const person = await client.addPerson(rest[0], [{ path: photo, field: 'photo1', tags: ['photo_selfie'] }], {
        meta_data: meta.length ? parseMeta(meta) : undefined,
        onProgress: (loaded, total) => progress.event({ type: 'upload', loaded, total }),
      });
      print(person, `Enrolled person ${person.person_id} in collection ${rest[0]}${Object.keys(person.meta_data ?? {}).length ? ` (${JSON.stringify(person.meta_data)})` : ''}`);
      return EXIT.OK;
    }
    case 'search': {
      if (!rest[0]) throw new UsageError('Missing the collection: oz collection search <collection_id> <photo>');
      const photo = checkFile(rest[1], 'the photo: oz collection search <collection_id> <photo>');
      const params: JsonObject = { collection_id: rest[0] };
      if (count !== undefined) params['decision_count'] = count;
      const result = await flow(ctx, path.basename(photo), [selfie(photo, 'photo1', ['photo_selfie'])], [{ type: 'collection', params }]);
      const a = result.analyses[0]!;
      const hits = a.results_media.flatMap((r) => r.collection_persons);
      const lines = [a.resolution_status === 'SUCCESS' ? `Found: ${hits.length} match(es) in ${a.collection?.alias ?? rest[0]}` : a.resolution_status === 'DECLINED' ? `Not found in ${a.collection?.alias ?? rest[0]}` : `Search: ${a.resolution_status}`];
      for (const h of hits) lines.push(`  person ${h.person_id}  confidence ${fmt(h.confidence)}  photo ${h.media_id}`);
      lines.push(`  folder ${result.folder.folder_id}, analysis ${a.analysis_id}`);
      return report(ctx, result, lines);
    }
    default:
      throw new UsageError(sub ? `Unknown collection command "${sub}": create, list, add or search` : 'Missing the collection command: create, list, add or search');
  }
}

async function folderReport(ctx: Context, folderId: string | undefined, templateId: string | undefined, out: string | undefined): Promise<number> {
  if (!folderId) throw new UsageError('Missing the folder: oz report <folder_id> [--template ID] [--out FILE]');
  const client = await ctx.client();
  if (!ctx.quiet) ctx.io.err(`Generating the report of folder ${folderId}...\n`);
  const made = await client.createReport(folderId, templateId);
  const file = out ?? made.file_name;
  fs.writeFileSync(file, await client.downloadReport(made));
  if (ctx.json) ctx.io.out(JSON.stringify({ ...made, saved_to: path.resolve(file) }, null, 2) + '\n');
  else ctx.io.out(`Saved ${file} (${made.size} bytes), report ${made.report_id}, content SHA-256 ${made.content_sha256}\n`);
  return EXIT.OK;
}

async function login(ctx: Context, email: string | undefined, password: string | undefined): Promise<number> {
  const e = email ?? ctx.io.env['OZ_EMAIL'];
  const p = password ?? ctx.io.env['OZ_PASSWORD'];
  if (!e || !p) throw new UsageError('oz login needs --email and --password (or OZ_EMAIL and OZ_PASSWORD)');
  const client = new OzClient({ baseUrl: ctx.url });
  const auth = await client.login(e, p);
  writeSession(ctx.io.env, { url: ctx.url, email: e, access_token: auth.access_token, expire_token: auth.expire_token, expire_date: auth.expire_date });
  const who = auth.user ? `${auth.user.email} (${auth.user.user_type})` : e;
  if (ctx.json) ctx.io.out(JSON.stringify({ url: ctx.url, user: auth.user ?? null, expire_date: auth.expire_date }, null, 2) + '\n');
  else ctx.io.out(`Logged in to ${ctx.url} as ${who}; session saved in ${configPath(ctx.io.env)}\n`);
  return EXIT.OK;
}

const parse = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      email: { type: 'string' },
      password: { type: 'string' },
      tags: { type: 'string' },
      meta: { type: 'string', multiple: true },
      count: { type: 'string' },
      template: { type: 'string' },
      out: { type: 'string' },
    },
  });

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`oz: ${(err as Error).message}\nRun \`oz --help\` for usage.\n`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    io.out(HELP);
    return values.help || command === 'help' ? EXIT.OK : EXIT.USAGE;
  }
  const url = (values.url ?? io.env['OZ_API_URL'] ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  const count = values.count === undefined ? undefined : Number(values.count);
  let client: Promise<OzClient> | undefined;
  const ctx: Context = {
    io,
    json: values.json,
    quiet: values.quiet,
    timeoutMs: timeoutSeconds * 1000,
    url,
    client: () => (client ??= authenticatedClient(io, url)),
  };
  try {
    if (!(timeoutSeconds > 0)) throw new UsageError('--timeout takes a number of seconds');
    if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new UsageError('--count takes a positive whole number');
    switch (command) {
      case 'login':
        return await login(ctx, values.email, values.password);
      case 'logout':
        fs.rmSync(configPath(io.env), { force: true });
        io.out('Logged out\n');
        return EXIT.OK;
      case 'liveness':
        return await liveness(ctx, args, values.tags?.split(',').map((t) => t.trim()).filter(Boolean));
      case 'compare':
        return await compare(ctx, args);
      case 'collection':
        return await collection(ctx, args, values.meta ?? [], count);
      case 'report':
        return await folderReport(ctx, args[0], values.template, values.out);
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    return reportError(io, err, url);
  } finally {
    const resolved = await client?.catch(() => null);
    if (resolved) persistRefreshed(io.env, resolved);
  }
}

function reportError(io: Io, err: unknown, url: string): number {
  if (err instanceof UsageError) {
    io.err(`oz: ${err.message}\nRun \`oz --help\` for usage.\n`);
    return EXIT.USAGE;
  }
  if (err instanceof OzApiError) {
    io.err(`oz: the API answered ${err.status}, error_code ${err.error_code}: ${err.error_message}\n`);
    if (err.details !== null && err.details !== undefined) io.err(`  details: ${JSON.stringify(err.details as Json)}\n`);
    return EXIT.FAILED;
  }
  if (err instanceof OzTimeoutError) {
    io.err(`oz: ${err.message}; the analyses go on: ${err.pending.join(', ')}\n`);
    return EXIT.TIMEOUT;
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED' || (err as NodeJS.ErrnoException)?.code === 'ECONNREFUSED') {
    io.err(`oz: cannot connect to ${url}: is the API running? (\`npm start\`, or set --url / OZ_API_URL)\n`);
    return EXIT.FAILED;
  }
  if (cause?.message) {
    io.err(`oz: cannot reach ${url}: ${cause.code ?? cause.message}\n`);
    return EXIT.FAILED;
  }
  io.err(`oz: ${(err as Error)?.message ?? String(err)}\n`);
  return EXIT.FAILED;
}
