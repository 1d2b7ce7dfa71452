// Synthesizes the CDK stack in-process: the local runtime takes its routes, tables, queues,
// event source settings and handlers from this template, so local and cloud cannot drift.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { OzStack } from '../stack';

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> };

export function synthTemplate(): CfnTemplate {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-synth-'));
  try {
    const app = new App({
      outdir,
      // Nothing to bundle or stage locally: the handlers run from source.
      // The console is served by the local runtime itself (infra/local/console.ts), not CloudFront.
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true, console: 'false' },
    });
    const stack = new OzStack(app, 'OzLocal', { retainData: false });
    const assembly = app.synth();
    return assembly.getStackByName(stack.stackName).template as CfnTemplate;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
