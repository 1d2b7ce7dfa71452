// What belongs to the Lambda invocation in progress, for code far from the handler: its deadline
// (the single request's analyses) and the keys its log lines carry (correlation id, analysis_id,
// ...). AsyncLocalStorage keeps concurrent invocations apart, as they are in the local runtime where
// the HTTP handlers share one process.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Invocation {
  /** when the function will be stopped (epoch ms), when the context says */
  deadline?: number;
  /** added to every log line of the invocation (functions/observability.ts) */
  logKeys: Record<string, unknown>;
}

const current = new AsyncLocalStorage<Invocation>();

/** Runs fn as one invocation, its deadline taken from the context when it has one. */
export function runInvocation<R>(context: unknown, fn: () => Promise<R>): Promise<R> {
  const remaining = (context as { getRemainingTimeInMillis?: () => number } | undefined)?.getRemainingTimeInMillis;
  const invocation: Invocation = { logKeys: {}, ...(typeof remaining === 'function' ? { deadline: Date.now() + remaining() } : {}) };
  return current.run(invocation, fn);
}

/** When the function will be stopped (epoch ms), or undefined outside an invocation with a deadline. */
export const invocationDeadline = (): number | undefined => current.getStore()?.deadline;

export const currentInvocation = (): Invocation | undefined => current.getStore();
