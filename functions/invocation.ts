// The deadline of the Lambda invocation in progress, for code far from the handler (the single
// request's analyses). AsyncLocalStorage keeps concurrent invocations apart, as they are in the
// local runtime where HTTP handlers share one process.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<{ deadline: number }>();

type Handler<E, R> = (event: E, context?: unknown) => Promise<R>;

/** Runs the handler with the invocation's deadline (epoch ms) known, when the context gives one. */
export function withInvocationDeadline<E, R>(handler: Handler<E, R>): Handler<E, R> {
  return (event, context) => {
    const remaining = (context as { getRemainingTimeInMillis?: () => number } | undefined)?.getRemainingTimeInMillis;
    if (typeof remaining !== 'function') return handler(event, context);
    return current.run({ deadline: Date.now() + remaining() }, () => handler(event, context));
  };
}

/** When the function will be stopped (epoch ms), or undefined outside an invocation with a deadline. */
export const invocationDeadline = (): number | undefined => current.getStore()?.deadline;
