// Local "Lambda containers" for a handler: child processes, one invocation at a time each, like
// Lambda execution environments. A process that dies fails its invocation (the SQS message then
// comes back after its visibility timeout) and is replaced on the next invocation. With a timeout,
// an invocation that runs past it fails as Lambda's do ("Task timed out after N seconds") and its
// process is killed, so nothing of it runs on; the handler's context has getRemainingTimeInMillis.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../stack';

interface Slot {
  child: ChildProcess | null;
  ready: Promise<void> | null;
  busy: boolean;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
}

export interface FunctionPool {
  invoke(event: unknown): Promise<unknown>;
  /** Invocations ended by the timeout so far. */
  readonly timedOut: number;
  /** SIGKILLs the processes now running an invocation (fault injection); returns how many. */
  killBusy(): number;
  stop(): Promise<void>;
}

export class FunctionTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

/**
 * timeoutSeconds: the function's timeout (from the template); undefined = none. env: the function's
 * environment, read when a process starts (default: this process's).
 */
export function startFunctionPool(
  entry: string,
  size: number,
  log: (line: string) => void = () => {},
  timeoutSeconds?: number,
  env: () => NodeJS.ProcessEnv = () => process.env,
): FunctionPool {
  const slots: Slot[] = Array.from({ length: Math.max(1, size) }, () => ({ child: null, ready: null, busy: false, pending: new Map() }));
  const waiters: (() => void)[] = [];
  let nextId = 1;
  let stopped = false;
  let timedOut = 0;

  function spawn(slot: Slot) {
    const child = fork(path.join(__dirname, 'function-child.ts'), [REPO_ROOT, entry], {
      execArgv: ['--import', 'tsx'],
      env: env(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    // This process's own invocations: its exit fails them, not those of the process replacing it.
    const pending: Slot['pending'] = new Map();
    slot.pending = pending;
    slot.ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`${entry} exited during start (${code})`)));
    });
    slot.ready.catch(() => {});
    child.on('message', (m: { id?: number; result?: unknown; error?: { name: string; message: string } }) => {
      if (m.id === undefined) return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      else p?.resolve(m.result);
    });
    child.on('exit', (code, signal) => {
      if (slot.child === child) {
        slot.child = null;
        slot.ready = null;
      }
      for (const p of pending.values()) p.reject(new Error(`the ${entry} process died (${signal ?? code}) during the invocation`));
      pending.clear();
      if (!stopped) log(`${entry} process ${child.pid} exited (${signal ?? code}); a new one starts on the next invocation`);
    });
  }

  async function acquire(): Promise<Slot> {
    for (;;) {
      const free = slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  return {
    get timedOut() {
      return timedOut;
    },
    async invoke(event) {
      const slot = await acquire();
      try {
        if (!slot.child) spawn(slot);
        await slot.ready;
        const id = nextId++;
        const child = slot.child!;
        let timer: NodeJS.Timeout | undefined;
        try {
          return await new Promise((resolve, reject) => {
            slot.pending.set(id, { resolve, reject });
            const deadline = timeoutSeconds ? Date.now() + timeoutSeconds * 1000 : undefined;
            child.send({ id, event, deadline });
            if (timeoutSeconds) {
              timer = setTimeout(() => {
                // Lambda ends the invocation and restarts the runtime: nothing of it goes on.
                timedOut++;
                slot.pending.delete(id);
                if (slot.child === child) {
                  slot.child = null;
                  slot.ready = null;
                }
                reject(new FunctionTimeoutError(timeoutSeconds));
                log(`${entry}: invocation ${id} timed out after ${timeoutSeconds} s; its process is stopped`);
                child.kill('SIGKILL');
              }, timeoutSeconds * 1000);
            }
          });
        } finally {
          clearTimeout(timer);
        }
      } finally {
        slot.busy = false;
        waiters.shift()?.();
      }
    },
    killBusy() {
      const busy = slots.filter((s) => s.busy && s.child);
      for (const s of busy) s.child!.kill('SIGKILL');
      return busy.length;
    },
    async stop() {
      stopped = true;
      await Promise.all(
        slots.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (!s.child || s.child.exitCode !== null) return resolve();
              s.child.once('exit', () => resolve());
              s.child.kill('SIGTERM');
              setTimeout(() => s.child?.kill('SIGKILL'), 3000).unref();
            }),
        ),
      );
    },
  };
}
