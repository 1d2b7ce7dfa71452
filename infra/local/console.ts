// The operator console (web/) in the local runtime: built with Vite into web/dist when it is
// missing or older than its sources, then served at / on the API's own origin.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Not imported from ../stack: the stack imports this file (through infra/console-site.ts).
const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const WEB_DIR = path.join(REPO_ROOT, 'web');
export const CONSOLE_DIST = path.join(WEB_DIR, 'dist');
const INDEX = path.join(CONSOLE_DIST, 'index.html');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** Whether web/dist is missing or older than a file of web/ (its sources, index.html, config). */
export function consoleNeedsBuild(): boolean {
  if (!fs.existsSync(WEB_DIR)) return false;
  if (!fs.existsSync(INDEX)) return true;
  return newestSource(WEB_DIR) > fs.statSync(INDEX).mtimeMs;
}

/** Runs `vite build` (the same as `npm run web:build`); resolves with its output, rejects on failure. */
export function buildConsole(): Promise<string> {
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(WEB_DIR, 'vite.config.ts')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`vite build exited with ${code}:\n${out}`))));
  });
}

/** Builds the console when needed. Never throws: the API runs without it, and / says how to build it. */
export async function ensureConsoleBuilt(log: (line: string) => void = () => {}): Promise<boolean> {
  if (!consoleNeedsBuild()) return fs.existsSync(INDEX);
  log('Building the operator console (web/)...');
  try {
    const out = await buildConsole();
    const size = /console bundle.*$/m.exec(out)?.[0];
    if (size) log(size);
    return true;
  } catch (err) {
    log(`The console could not be built (the API runs without it): ${(err as Error).message}`);
    return false;
  }
}

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>oz-open</title><p>The operator console is not built. Run <code>npm run web:build</code> (or restart <code>npm start</code>).</p><p><a href="/docs">API reference</a></p>';

/** The console's files for GET / HEAD of /, /index.html, /favicon.svg and /assets/*; null for any other path. */
export function consoleResponse(pathname: string): StaticResponse | null {
  let file: string;
  if (pathname === '/' || pathname === '/index.html') file = INDEX;
  else if (/^\/assets\/[\w.-]+$/.test(pathname) || /^\/[\w-]+\.(svg|png|ico)$/.test(pathname)) file = path.join(CONSOLE_DIST, pathname.slice(1));
  else return null;
  const security = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
  if (!fs.existsSync(file)) {
    if (file !== INDEX) return null;
    return { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...security }, body: Buffer.from(NOT_BUILT) };
  }
  const hashed = pathname.startsWith('/assets/');
  return {
    status: 200,
    headers: {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      // Vite names assets by content hash: they never change; index.html always revalidates.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...security,
    },
    body: fs.readFileSync(file),
  };
}
