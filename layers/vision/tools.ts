/**
 * ffmpeg / ffprobe: where the binaries are, making sure they can run, running them with a timeout,
 * and the temporary file they read.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants as fsc, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { visionSettings } from './settings';

type Tool = 'ffmpeg' | 'ffprobe';

/** Checked binaries, keyed by tool and the override in force when they were checked. */
const resolved = new Map<string, string>();

function packagePath(tool: Tool): string {
  const pkg = tool === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  try {
    // These packages have no type declarations; both export { path, version, url }.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(pkg) as { path?: unknown };
    if (typeof mod.path === 'string') return mod.path;
  } catch (e) {
    throw new Error(`${tool} not found: set OZ_${tool.toUpperCase()}_PATH or install ${pkg} (${String(e)})`);
  }
  throw new Error(`${tool} not found: ${pkg} did not give a path; set OZ_${tool.toUpperCase()}_PATH`);
}

/** Makes sure the file is executable by this process; chmods it 0755 when it is not and we may. */
function ensureExecutable(file: string, tool: Tool): void {
  if (!existsSync(file)) throw new Error(`${tool} binary ${file} does not exist`);
  try {
    accessSync(file, fsc.X_OK);
    return;
  } catch {
    // fall through: try to fix the mode (npm tarballs may ship it 0644)
  }
  try {
    accessSync(file, fsc.W_OK);
    chmodSync(file, 0o755);
    accessSync(file, fsc.X_OK);
  } catch (e) {
    const mode = (statSync(file).mode & 0o777).toString(8);
    throw new Error(
      `${tool} binary ${file} is not executable (mode ${mode}) and could not be chmod-ed: ${String(e)}; ` +
        `run "chmod 755 ${file}" when building the image or set OZ_${tool.toUpperCase()}_PATH`,
    );
  }
}

/** Absolute path of a runnable ffmpeg/ffprobe (the ffmpegPath / ffprobePath settings first). */
export function toolPath(tool: Tool): string {
  const env = (tool === 'ffmpeg' ? visionSettings().ffmpegPath : visionSettings().ffprobePath) ?? '';
  const key = `${tool}\0${env}`;
  const cached = resolved.get(key);
  if (cached) return cached;
  const file = env.length > 0 ? env : packagePath(tool);
  ensureExecutable(file, tool);
  resolved.set(key, file);
  return file;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** stdout passed maxStdout and the process was killed */
  overflow: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  /** kill the process when stdout grows beyond this many bytes */
  maxStdout?: number;
  stdin?: Buffer;
  /** receive stdout as it arrives instead of collecting it (RunResult.stdout is then empty) */
  onStdout?: (chunk: Buffer) => void;
}

const MAX_STDERR = 64 * 1024;

/** Runs a tool; never rejects for a non-zero exit (the caller reads `code`); rejects if it cannot start. */
export function runTool(tool: Tool, args: string[], opts: RunOptions): Promise<RunResult> {
  const bin = toolPath(tool);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const { stdout, stderr: errStream } = child;
    if (!stdout || !errStream) {
      child.kill('SIGKILL');
      reject(new Error(`could not open pipes to ${tool}`));
      return;
    }
    const chunks: Buffer[] = [];
    let outLen = 0;
    let stderr = '';
    let timedOut = false;
    let overflow = false;
    const maxOut = opts.maxStdout ?? 256 * 1024 * 1024;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    stdout.on('data', (c: Buffer) => {
      outLen += c.length;
      if (outLen > maxOut) {
        if (!overflow) {
          overflow = true;
          child.kill('SIGKILL');
        }
        return;
      }
      if (opts.onStdout) opts.onStdout(c);
      else chunks.push(c);
    });
    errStream.setEncoding('utf8');
    errStream.on('data', (s: string) => {
      if (stderr.length < MAX_STDERR) stderr += s;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${tool} (${bin}): ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(chunks), stderr, timedOut, overflow });
    });
    if (opts.stdin && child.stdin) {
      child.stdin.on('error', () => {
        // the tool may exit before reading everything (EPIPE): its exit status tells the story
      });
      child.stdin.end(opts.stdin);
    }
  });
}

/** Writes the bytes to a fresh private temp directory, runs fn on the file, always removes it. */
export async function withTempFile<T>(bytes: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-vision-'));
  try {
    const file = path.join(dir, 'input');
    await writeFile(file, bytes, { mode: 0o600 });
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

