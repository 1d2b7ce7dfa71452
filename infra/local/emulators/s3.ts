/**
 * S3 emulation: s3rver in-process (Koa on node:http), objects on disk under `dataDir`
 * (a fresh temp dir, deleted on stop, when no dataDir is given).
 * SDK v3 clients must use `forcePathStyle: true`; s3rver does not check signatures.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type S3rverClass from 's3rver';
import type { EmulatorHandle } from './dynamodb';

export interface S3Options {
  /** Where objects are stored; undefined = a temp dir removed on stop(). */
  dataDir?: string;
  /** TCP port; undefined or 0 = a free one. */
  port?: number;
}

const load = createRequire(__filename);

/**
 * Loads s3rver. Under tsx (which this project runs with), `require('generator-function')` (a
 * dependency of koa's is-generator-function) resolves to its "module-sync" ESM entry, which only
 * re-exports the function under the export name 'module.exports'; tsx hands back the namespace
 * object instead of the function and koa then throws "getGeneratorFunction is not a function" at
 * `new S3rver()`. Plain Node unwraps it. Put the function itself in the require cache first.
 */
function loadS3rver(): typeof S3rverClass {
  try {
    const koaDir = dirname(load.resolve('koa/package.json', { paths: [dirname(load.resolve('s3rver'))] }));
    const igfDir = dirname(load.resolve('is-generator-function/package.json', { paths: [koaDir] }));
    const gfPath = load.resolve('generator-function', { paths: [igfDir] });
    const gf = load(gfPath) as unknown;
    const cached = load.cache[gfPath];
    if (typeof gf !== 'function' && cached && gf !== null && typeof gf === 'object') {
      const ns = gf as Record<string, unknown>;
      const fn = ns['module.exports'] ?? ns.default;
      if (typeof fn === 'function') cached.exports = fn;
    }
  } catch {
    // layout differs (a newer koa without this dependency): nothing to fix
  }
  const S3rver = load('s3rver') as typeof S3rverClass;
  acceptAnyAccessKey(dirname(load.resolve('s3rver')));
  return S3rver;
}

/**
 * s3rver answers 403 InvalidAccessKeyId unless the access key id is `S3RVER` (it does not check
 * SigV4 signatures at all). Like DynamoDB Local with -sharedDb and fauxqs, let it take any key, so
 * clients built from whatever credentials the environment has work locally.
 */
function acceptAnyAccessKey(s3rverLibDir: string): void {
  try {
    const AWSAccount = load(join(s3rverLibDir, 'models', 'account.js')) as {
      registry: Map<string, unknown> & { __ozAnyKey?: boolean };
      DUMMY_ACCOUNT: unknown;
    };
    const { registry, DUMMY_ACCOUNT } = AWSAccount;
    if (registry.__ozAnyKey) return;
    const get = registry.get.bind(registry);
    registry.get = (key: string) => get(key) ?? DUMMY_ACCOUNT;
    registry.__ozAnyKey = true;
  } catch {
    // different s3rver layout: clients must then use the access key id S3RVER (LOCAL_CREDENTIALS)
  }
}

export async function startS3(options: S3Options = {}): Promise<EmulatorHandle> {
  const tempDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'oz-s3-')) : undefined;
  const directory = tempDir ?? resolve(options.dataDir as string);
  mkdirSync(directory, { recursive: true });
  const S3rver = loadS3rver();
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    resetOnClose: false,
  });
  let address;
  try {
    address = await server.run();
  } catch (err) {
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const http = server.httpServer;
      const closed = server.close();
      http?.closeIdleConnections();
      // Requests still running after a grace period are cut.
      const timer = setTimeout(() => http?.closeAllConnections(), 2_000);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
        if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };
  return { endpoint, stop };
}
