// Every Lambda entry is a middy chain built here once per configuration (at cold start): the
// configuration is parsed (functions/config.ts), the logs and the vision layer set from it, and
// each invocation runs in its own context (functions/invocation.ts).
import type { Context } from 'aws-lambda';
import type middyCore from '@middy/core';
import { configureVision } from '../layers/vision/settings';
import { appConfig, visionSettingsOf, type Config } from './config';
import { runInvocation } from './invocation';
import { configureLogs } from './observability';

export type Middy = typeof middyCore;
type Invoke<E, R> = (event: E, context: Context) => Promise<R>;

// @middy/core 7 publishes an ES module under the "import" condition only: import() loads it both
// under tsx (tests, the local runtime) and in the esbuild bundle of the CDK app.
let loading: Promise<Middy> | undefined;
const loadMiddy = (): Promise<Middy> => (loading ??= import('@middy/core').then((m) => m.default));

/**
 * A Lambda handler from a chain builder: `lambdaEntry((middy, config) => middy(handler).use(...))`.
 * A bad configuration fails the invocation with the message naming the variable, or, where
 * `onBadConfig` is given (the HTTP functions), answers what it returns.
 */
export function lambdaEntry<E, R>(build: (middy: Middy, config: Config) => Invoke<E, R>, onBadConfig?: (err: unknown) => R) {
  let built: { config: Config; chain: Invoke<E, R> } | undefined;
  return async (event: E, context?: Partial<Context>): Promise<R> => {
    let config: Config;
    try {
      config = appConfig();
    } catch (err) {
      if (onBadConfig) return runInvocation(context, async () => onBadConfig(err));
      throw err;
    }
    // A new configuration (the local runtime and tests reset it after changing the environment) rebuilds the chain.
    if (built?.config !== config) {
      configureLogs(config);
      configureVision(visionSettingsOf(config));
      built = { config, chain: build(await loadMiddy(), config) };
    }
    const chain = built.chain;
    return runInvocation(context, () => chain(event, (context ?? {}) as Context));
  };
}
