// The layer rules of .dependency-cruiser.cjs over the whole code base. dependency-cruiser's CLI
// refuses Node 20 (the Lambda runtime this project targets); its API runs fine, so the rules are
// checked here, in every test run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('the layer rules hold: core pure, libraries apart, adapters the only bridge, nothing deployed imports infra, web separate', async () => {
  const { cruise } = await import('dependency-cruiser');
  // A subpath export, which this project's module resolution does not type: its one function is declared here.
  const extractTsConfigModule = 'dependency-cruiser/config-utl/extract-ts-config';
  const { default: extractTSConfig } = (await import(extractTsConfigModule)) as { default: (fileName: string) => Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(ROOT, '.dependency-cruiser.cjs'));
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const result = await cruise(['functions', 'layers', 'infra', 'web/src', 'scripts'], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true }, undefined, { tsConfig: extractTSConfig('tsconfig.json') });
    const output = result.output as Exclude<typeof result.output, string>;
    const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    assert.deepEqual(violations, []);
    // Not vacuous: the core was read and its own imports resolved (a rule never sees an unresolved path).
    const core = output.modules.filter((m) => m.source.startsWith('layers/core/'));
    assert.ok(core.length > 30, `${core.length} core modules cruised`);
    const unresolved = output.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source} -> ${d.module}`));
    assert.deepEqual(unresolved, []);
    assert.ok(output.modules.find((m) => m.source === 'layers/core/deps.ts')!.dependencies.some((d) => d.resolved === 'layers/core/ports/folders.ts'));
  } finally {
    process.chdir(cwd);
  }
});
