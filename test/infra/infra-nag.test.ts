// cdk-nag's AwsSolutions checks on the synthesized stack: no finding without a one-line reason in
// infra/nag.ts. The checks run as a CDK validation plugin, so a finding fails the synth itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OzStack } from '../../infra/stack';
import { bucketDeploymentNagAcknowledgements, CONSOLE_DISTRIBUTION_NAG_ACKNOWLEDGEMENTS, nagAcknowledgements, TRACING_NAG_ACKNOWLEDGEMENTS } from '../../infra/nag';

function synthWithNag(build: (app: App) => void) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-nag-'));
  try {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
    build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
      return { ok: true as const, violations: [] as string[] };
    } catch (err) {
      const report = path.join(outdir, 'validation-report.json');
      const parsed = fs.existsSync(report) ? (JSON.parse(fs.readFileSync(report, 'utf8')) as { pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[] }) : null;
      const violations = parsed ? parsed.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`))) : [String(err)];
      return { ok: false as const, violations };
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

test('the checks run: an unencrypted queue that allows plain HTTP is reported', () => {
  const result = synthWithNag((app) => new Queue(new Stack(app, 'Bad'), 'Plain'));
  assert.equal(result.ok, false);
  assert.ok(result.violations.some((v) => v.startsWith('AwsSolutions-SQS4')), result.violations.join('\n'));
});

test('the stack passes AwsSolutions with every acknowledged finding justified', () => {
  for (const retainData of [true, false]) {
    const result = synthWithNag((app) => new OzStack(app, `Nag${retainData ? 'Retained' : 'Disposable'}`, { retainData }));
    assert.deepEqual(result.violations, [], `unacknowledged findings:\n${result.violations.join('\n')}`);
  }
  // With a concrete region (what `cdk synth` gets from CDK_DEFAULT_REGION) the asset bucket's ARN names it.
  const regional = synthWithNag((app) => new OzStack(app, 'NagRegional', { env: { region: 'us-east-1' } }));
  assert.deepEqual(regional.violations, [], `unacknowledged findings:\n${regional.violations.join('\n')}`);
  const all = [...nagAcknowledgements({ table: 'T', bucket: 'B', webhookFunction: 'W' }), ...TRACING_NAG_ACKNOWLEDGEMENTS];
  const scoped = [CONSOLE_DISTRIBUTION_NAG_ACKNOWLEDGEMENTS, bucketDeploymentNagAcknowledgements({ region: 'eu-west-1', consoleBucket: 'C' })];
  for (const a of all) {
    assert.match(a.id, /^AwsSolutions-[A-Z]+\d+/);
    assert.ok(a.reason.length >= 40 && !a.reason.includes('\n'), `one-line reason for ${a.id}`);
  }
  assert.equal(new Set(all.map((a) => a.id)).size, all.length, 'no duplicate acknowledgement');
  for (const a of scoped.flat()) assert.ok(/^AwsSolutions-[A-Z]+\d+/.test(a.id) && a.reason.length >= 40 && !a.reason.includes('\n'), `one-line reason for ${a.id}`);
});
