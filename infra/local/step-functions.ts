// A local Step Functions endpoint for the SDK (awsJson1_0: StartExecution, DescribeExecution) that
// runs the state machines of the synthesized template with aws-local-stepfunctions. Task states
// that invoke a function of the template run its handler module in this process, in the
// function's own environment (infra/local/function-env.ts).
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ENTRY_METADATA_KEY, REPO_ROOT } from '../stack';
import type { CfnTemplate } from './synth';
import type { InFunction } from './function-env';

// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks.
const P = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
P.withResolvers ??= <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
export const localFunctionArn = (logicalId: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
export const localStateMachineArn = (logicalId: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${logicalId}`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Resolves a DefinitionString (a string or an Fn::Join of strings, GetAtt and Ref) to ASL JSON. */
export function resolveDefinition(value: unknown): Record<string, Json> {
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const o = p as Record<string, unknown>;
    if (Array.isArray(o['Fn::GetAtt'])) return localFunctionArn(String((o['Fn::GetAtt'] as string[])[0]));
    if (typeof o['Ref'] === 'string') return o['Ref'] === 'AWS::Partition' ? 'aws' : o['Ref'] === 'AWS::Region' ? REGION : o['Ref'] === 'AWS::AccountId' ? ACCOUNT : (o['Ref'] as string);
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(part).join(sep);
    }
    throw new Error(`cannot resolve ${JSON.stringify(p)} in a state machine definition`);
  };
  return JSON.parse(part(value)) as Record<string, Json>;
}

interface Execution {
  arn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  done: Promise<void>;
  abort: () => void;
}

export interface LocalStepFunctions {
  endpoint: string;
  arnOf(logicalId: string): string;
  /** Resolves when no execution is running (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalStepFunctionsOptions {
  /** Shortens every Retry wait to this many ms (tests); the retry policy itself is unchanged. */
  retryIntervalMs?: number;
  log?: (line: string) => void;
  /** Runs a task's handler as an invocation of its function (the local runtime: in its own environment). */
  inFunction?: InFunction;
}

export async function startLocalStepFunctions(template: CfnTemplate, options: LocalStepFunctionsOptions = {}): Promise<LocalStepFunctions> {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const log = options.log ?? (() => {});
  const inFunction: InFunction = options.inFunction ?? ((_fnId, call) => call());
  const resources = template.Resources;
  const machines = new Map<string, { definition: Record<string, Json>; handlers: Record<string, (input: Json) => Promise<Json>>; retryable: string[] }>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const definition = resolveDefinition(resource.Properties?.['DefinitionString']);
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    const retryable: string[] = [];
    for (const [stateName, state] of Object.entries(definition['States'] as Record<string, Record<string, Json>>)) {
      if (state['Retry']) retryable.push(stateName);
      if (state['Type'] !== 'Task') continue;
      const fnId = /:function:([^:]+)$/.exec(String(state['Resource']))?.[1];
      const entry = fnId ? resources[fnId]?.Metadata?.[ENTRY_METADATA_KEY] : undefined;
      if (!fnId || typeof entry !== 'string') throw new Error(`state ${stateName} of ${id}: its Resource is not a function of the template`);
      const [file, exportName] = entry.split('#');
      handlers[stateName] = async (input: Json) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const handler = (require(path.join(REPO_ROOT, file!)) as Record<string, (e: Json, c: unknown) => Promise<Json>>)[exportName ?? 'handler']!;
        return (await inFunction(fnId, () => handler(input, { awsRequestId: randomUUID(), functionName: fnId }))) ?? null;
      };
    }
    machines.set(localStateMachineArn(id), { definition, handlers, retryable });
  }

  const executions = new Map<string, Execution>();
  const byName = new Map<string, Execution>();

  function start(machineArn: string, name: string, input: string): Execution {
    const machine = machines.get(machineArn);
    if (!machine) throw Object.assign(new Error(`State machine does not exist: ${machineArn}`), { type: 'StateMachineDoesNotExist' });
    const existing = byName.get(`${machineArn}:${name}`);
    if (existing) {
      if (existing.input === input) return existing; // idempotent, as in Step Functions
      throw Object.assign(new Error(`Execution already exists: ${name}`), { type: 'ExecutionAlreadyExists' });
    }
    const sm = new StateMachine(machine.definition as never, { validationOptions: { checkArn: false } });
    const retryIntervalOverrides = options.retryIntervalMs === undefined ? undefined : Object.fromEntries(machine.retryable.map((s) => [s, options.retryIntervalMs!]));
    const run = sm.run(JSON.parse(input), { overrides: { taskResourceLocalHandlers: machine.handlers as never, retryIntervalOverrides }, noThrowOnAbort: true });
    const arn = `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const execution: Execution = { arn, name, input, status: 'RUNNING', startDate: Date.now() / 1000, abort: run.abort, done: Promise.resolve() };
    execution.done = run.result.then(
      (output) => {
        if (execution.status === 'RUNNING') Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output), stopDate: Date.now() / 1000 });
      },
      (err: { name?: string; message?: string; cause?: { name?: string; message?: string } }) => {
        Object.assign(execution, { status: 'FAILED', error: err.cause?.name ?? err.name, cause: err.cause?.message ?? err.message, stopDate: Date.now() / 1000 });
        log(`execution ${name} failed: ${execution.error}`);
      },
    );
    executions.set(arn, execution);
    byName.set(`${machineArn}:${name}`, execution);
    return execution;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      try {
        const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string>;
        if (target === 'StartExecution') {
          const e = start(body['stateMachineArn']!, body['name'] ?? randomUUID(), body['input'] ?? '{}');
          return reply(200, { executionArn: e.arn, startDate: e.startDate });
        }
        if (target === 'DescribeExecution') {
          const e = executions.get(body['executionArn']!);
          if (!e) return reply(400, { __type: 'ExecutionDoesNotExist', message: 'Execution does not exist' });
          return reply(200, { executionArn: e.arn, name: e.name, status: e.status, startDate: e.startDate, stopDate: e.stopDate, input: e.input, output: e.output, error: e.error, cause: e.cause, stateMachineArn: e.arn.replace(/:execution:(.*):[^:]+$/, ':stateMachine:$1') });
        }
        return reply(400, { __type: 'UnknownOperationException', message: `${target} is not emulated locally` });
      } catch (err) {
        const e = err as { type?: string; message?: string };
        reply(400, { __type: e.type ?? 'InvalidParameterValue', message: e.message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const idle = async () => {
    for (;;) {
      const running = [...executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.done));
    }
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arnOf: localStateMachineArn,
    idle,
    stop: async () => {
      for (const e of executions.values()) if (e.status === 'RUNNING') {
        e.status = 'ABORTED';
        e.abort();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
