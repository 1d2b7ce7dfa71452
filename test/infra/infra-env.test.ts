// Each function gets only its own environment from the template, in AWS and in the local runtime
// (infra/local/runtime.ts). This checks, per function, that the deployment variables its code reads
// are in its own template environment: a read of a variable the stack gives other functions but not
// this one would work locally with merged environments and fail in AWS. The reads are found in the
// code the entry really runs: esbuild bundles it (tree-shaken, comments dropped, packages left out)
// and a regex collects the variable names in it, however the code reads them. The configuration
// schema (functions/config.ts) names every variable and parses them all at cold start, unset ones
// included; what a function needs is what the rest of its code reads from the parsed configuration
// (`config.OZ_X`, `required(config, 'OZ_X')`), so the scan replaces that module by a stand-in with
// the same exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { build } from 'esbuild';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OzStack, ENTRY_METADATA_KEY, REPO_ROOT } from '../../infra/stack';

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
const template = Template.fromStack(new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'EnvStack')).toJSON() as { Resources: Record<string, Resource> };
const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.[ENTRY_METADATA_KEY] === 'string');
const ownVariables = (r: Resource) => new Set(Object.keys((r.Properties['Environment'] as { Variables?: object } | undefined)?.Variables ?? {}));
/** What the stack gives some function: a read of one of these names is a read of deployment wiring. */
const deploymentNames = new Set(functions.flatMap(([, r]) => [...ownVariables(r)]));

const CONFIG_MODULE = path.join(REPO_ROOT, 'functions', 'config.ts');
let configStandIn: string | undefined;
/** functions/config.ts without its schema: every export a function that does nothing. */
async function configWithoutSchema(): Promise<string> {
  configStandIn ??= Object.keys(await import(CONFIG_MODULE)).map((name) => `export const ${name} = () => ({});`).join('\n');
  return configStandIn;
}

/** The environment variable names in the code an entry ("file#export") runs. */
async function namesReadBy(entry: string): Promise<Set<string>> {
  const [file, exportName] = entry.split('#');
  const standIn = await configWithoutSchema();
  const out = await build({
    plugins: [
      {
        name: 'config-without-schema',
        setup(b) {
          b.onLoad({ filter: /functions[\\/]config\.ts$/ }, (args) => (path.resolve(args.path) === CONFIG_MODULE ? { contents: standIn, loader: 'ts' } : undefined));
        },
      },
    ],
    stdin: { contents: `export { ${exportName ?? 'handler'} } from ${JSON.stringify(path.join(REPO_ROOT, file!))};`, resolveDir: REPO_ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    packages: 'external',
    logLevel: 'silent',
  });
  return new Set([...out.outputFiles[0]!.text.matchAll(/\b(OZ_[A-Z0-9_]+|NODE_OPTIONS)\b/g)].map((m) => m[1]!));
}

/** The deployment variables read but not in a function's own environment. */
const missingFrom = (reads: Set<string>, own: Set<string>) => [...reads].filter((name) => deploymentNames.has(name) && !own.has(name));

test('every function reads only the deployment variables its own template environment has', async () => {
  assert.ok(functions.length >= 8, functions.map(([id]) => id).join(', '));
  const problems: string[] = [];
  const reads: Record<string, Set<string>> = {};
  for (const [id, r] of functions) {
    const entry = String(r.Metadata![ENTRY_METADATA_KEY]);
    reads[id] = await namesReadBy(entry);
    const missing = missingFrom(reads[id]!, ownVariables(r));
    if (missing.length) problems.push(`${id} (${entry}) reads ${missing.join(', ')}, which its template environment lacks`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
  // The scan sees reads at all: every function reaches the table, the worker starts webhooks.
  for (const [id] of functions) assert.ok(reads[id]!.has('OZ_TABLE_NAME'), `${id}: no read of OZ_TABLE_NAME found`);
  const worker = functions.find(([id]) => id.startsWith('WorkerFunction'))!;
  assert.ok(reads[worker[0]]!.has('OZ_WEBHOOK_STATE_MACHINE_ARN'));
});

test('the check fails for a function whose template lacks a variable its code reads', async () => {
  // The retention function reads OZ_RETENTION_DAYS, which only its template has: the API's does not.
  const api = functions.find(([id]) => id.startsWith('ApiFunction'))!;
  const retentionReads = await namesReadBy('functions/retention/handler.ts#handler');
  assert.deepEqual(missingFrom(retentionReads, ownVariables(api[1])), ['OZ_RETENTION_DAYS', 'OZ_RETENTION_MAX_FOLDERS'].filter((n) => retentionReads.has(n)));
  assert.ok(missingFrom(retentionReads, ownVariables(api[1])).includes('OZ_RETENTION_DAYS'));
});
