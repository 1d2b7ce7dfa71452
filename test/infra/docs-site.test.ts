// The API reference as a static site (npm run docs:build) and its opt-in CDK deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OzStack } from '../../infra/stack';
import { buildDocsSite, DOCS_ASSETS, OPENAPI_FILE, SWAGGER_UI_VERSION } from '../../infra/docs/page';

const ROOT = path.resolve(__dirname, '..', '..');

test('docs:build writes a self-contained folder: the page, pinned Swagger UI files, the document with the given API', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-docs-test-'));
  try {
    const files = buildDocsSite(out, { apiUrl: 'https://api.example.com/' });
    assert.deepEqual(files.sort(), ['index.html', 'openapi.json', ...Object.keys(DOCS_ASSETS)].sort());
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    // Every script and stylesheet is local: nothing is fetched from a CDN.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length >= 3);
    for (const ref of refs) assert.ok(ref.startsWith('./') && fs.existsSync(path.join(out, ref)), ref);
    assert.match(html, /data-spec-url="\.\/openapi\.json"/);
    const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies['swagger-ui-dist'];
    assert.equal(pinned, SWAGGER_UI_VERSION);
    assert.ok(fs.statSync(path.join(out, 'swagger-ui-bundle.js')).size > 500_000);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'openapi.json'), 'utf8'));
    const source = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));
    assert.deepEqual(doc.servers, [{ url: 'https://api.example.com', description: 'The API' }]);
    assert.deepEqual(Object.keys(doc.paths), Object.keys(source.paths));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('the CDK app deploys the site only with -c docs=true: private bucket, CloudFront with origin access control, the document naming the API', () => {
  // The operator console (its own distribution, test/infra/infra-console.test.ts) is left out here.
  const synth = (context: Record<string, unknown>) => Template.fromStack(new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [], console: 'false', ...context } }), 'DocsStack'));
  const plain = synth({});
  plain.resourceCountIs('AWS::CloudFront::Distribution', 0);
  plain.resourceCountIs('Custom::CDKBucketDeployment', 0);

  const withDocs = synth({ docs: 'true' });
  withDocs.resourceCountIs('AWS::CloudFront::Distribution', 1);
  withDocs.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  withDocs.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { DefaultRootObject: 'index.html' } });
  const buckets = Object.values(withDocs.findResources('AWS::S3::Bucket')) as { Properties: Record<string, any> }[];
  assert.ok(buckets.every((b) => b.Properties['PublicAccessBlockConfiguration']?.BlockPublicAcls === true), 'every bucket blocks public access');
  const deployments = Object.values(withDocs.findResources('Custom::CDKBucketDeployment')) as { Properties: Record<string, any> }[];
  assert.equal(deployments.length, 1);
  // Two sources: the built folder, and openapi.json whose server is the HTTP API's endpoint.
  assert.equal(deployments[0]!.Properties['SourceBucketNames'].length, 2);
  assert.match(JSON.stringify(deployments[0]!.Properties['SourceMarkers'][1]), /"Fn::GetAtt":\["HttpApi[0-9A-F]+","ApiEndpoint"\]/);
});
