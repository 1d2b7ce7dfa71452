// A real Chromium for the console's browser tests: the Debian `chromium` package (or
// OZ_CHROMIUM), driven by playwright-core. Locally the tests skip, saying why, when there is no
// browser; under CI (CI=true) a missing browser fails them instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../infra/stack';

const CANDIDATES = [process.env.OZ_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

export const CHROMIUM = CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
export const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts', 'console');

/** false when the browser tests can run; otherwise the reason they skip. Throws under CI. */
export function browserSkip(): string | false {
  if (CHROMIUM) return false;
  const why = `no Chromium found (tried ${CANDIDATES.join(', ')}): apt-get install chromium, or set OZ_CHROMIUM`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  return why;
}

/** A fresh profile each time (--user-data-dir, which Playwright takes as a persistent context). */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM!,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Collects what the page logs as an error and every answer of 400 or more ("http 404 GET /api/..."),
 * for "no console errors". Chromium's own "Failed to load resource" line for such an answer is
 * left out: the http entry names the request instead.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
