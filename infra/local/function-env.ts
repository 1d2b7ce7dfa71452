// What each function of the template sees as its environment locally, as in AWS: its own template
// variables and none of the other functions'. On top of that, this process's other variables (the
// emulator endpoints, what a developer or a test sets: OZ_LOG_FORMAT, OZ_SESSION_TTL, ...), read
// live, so a test's change reaches the functions as it would reach a new container.
import { runWithEnvironment } from '../../functions/config';
import type { LocalResources } from './emulators/resources';
import { localStateMachineArn } from './step-functions';
import type { CfnTemplate } from './synth';
import { ENTRY_METADATA_KEY } from '../stack';

/** The environment the template gives a function, with Refs resolved to the local resources. */
export function templateEnvironment(template: CfnTemplate, fnId: string, local: LocalResources): Record<string, string> {
  const resources = template.Resources;
  const vars = ((resources[fnId]?.Properties?.['Environment'] as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<string, unknown>;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value === 'string') env[name] = value;
    else {
      const ref = (value as { Ref?: string })?.Ref;
      if (ref && local.tables[ref]) env[name] = local.tables[ref]!;
      else if (ref && local.buckets[ref]) env[name] = local.buckets[ref]!;
      else if (ref && local.queues[ref]) env[name] = local.queues[ref]!.url; // an SQS queue's Ref is its URL
      else if (ref && resources[ref]?.Type === 'AWS::StepFunctions::StateMachine') env[name] = localStateMachineArn(ref);
      else throw new Error(`cannot resolve ${name} of ${fnId} locally: ${JSON.stringify(value)}`);
    }
  }
  return env;
}

/** Runs `call` as an invocation of the function with this logical id: whatever it reads of its configuration is its own. */
export type InFunction = <T>(fnId: string, call: () => T) => T;

export interface FunctionEnvironments {
  /** A function's environment: a live view of process.env where the template's variables are only its own. */
  of(fnId: string): NodeJS.ProcessEnv;
  inFunction: InFunction;
}

export function functionEnvironments(template: CfnTemplate, local: LocalResources): FunctionEnvironments {
  // The functions of the project (CDK's own helper functions have no entry and do not run locally).
  const fnIds = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY])
    .map(([id]) => id);
  const own = new Map(fnIds.map((id) => [id, templateEnvironment(template, id, local)]));
  const templateNames = new Set([...own.values()].flatMap((env) => Object.keys(env)));
  // One object per function, so its configuration is parsed once and cached (functions/config.ts).
  const views = new Map(fnIds.map((id) => [id, liveView(own.get(id)!, templateNames)]));
  const of = (fnId: string) => {
    const view = views.get(fnId);
    if (!view) throw new Error(`${fnId} is no function of the template`);
    return view;
  };
  return { of, inFunction: (fnId, call) => runWithEnvironment(of(fnId), call) };
}

/** process.env, where a template variable reads as the function's own value, or unset. */
function liveView(own: Record<string, string>, templateNames: ReadonlySet<string>): NodeJS.ProcessEnv {
  const read = (name: string | symbol) => (typeof name !== 'string' ? undefined : templateNames.has(name) ? own[name] : process.env[name]);
  const names = () => [...new Set([...Object.keys(process.env), ...Object.keys(own)])].filter((name) => read(name) !== undefined);
  return new Proxy({} as NodeJS.ProcessEnv, {
    get: (_, name) => read(name),
    has: (_, name) => read(name) !== undefined,
    ownKeys: () => names(),
    getOwnPropertyDescriptor: (_, name) => {
      const value = read(name);
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
    set: () => false, // a function's environment is read-only here
  });
}
