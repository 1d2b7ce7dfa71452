// The zip functions are bundled by esbuild at synth (NodejsFunction). A zip function that imports
// something pulling in a native module (onnxruntime-node, sharp) cannot be bundled, and
// `cdk synth` fails; the other unit tests skip bundling, so this bundles each zip entry here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { build } from 'esbuild';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OzStack, ENTRY_METADATA_KEY, REPO_ROOT } from '../../infra/stack';

const template = Template.fromStack(new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'BundleStack')).toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
};
const zipEntries = Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties['Runtime'] && typeof r.Metadata?.[ENTRY_METADATA_KEY] === 'string')
  .map((r) => String(r.Metadata![ENTRY_METADATA_KEY]).split('#')[0]!);

test('every zip function bundles on its own, with no native module in it', async () => {
  assert.ok(zipEntries.length >= 5, zipEntries.join(', '));
  for (const entry of zipEntries) {
    const out = await build({ entryPoints: [path.join(REPO_ROOT, entry)], bundle: true, platform: 'node', target: 'node22', format: 'cjs', write: false, metafile: true, external: ['@aws-sdk/*'], logLevel: 'silent' });
    const inputs = Object.keys(out.metafile.inputs);
    assert.ok(!inputs.some((i) => /onnxruntime-node|node_modules\/sharp\//.test(i)), `${entry} pulls a native module`);
  }
});
