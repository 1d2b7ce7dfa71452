// The operator console in the synthesized template: S3 + CloudFront with the API paths routed to
// the HTTP API on the same origin; `-c console=false` leaves it out, and so does the local runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OzStack } from '../../infra/stack';
import { API_PATH_PATTERNS } from '../../infra/console-site';
import { synthTemplate } from '../../infra/local/synth';

const synth = (context: Record<string, unknown> = {}) => Template.fromStack(new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), 'ConsoleStack'));

test('CloudFront serves the console from a private bucket and sends /api/*, /v1/* and /version to the HTTP API', () => {
  const template = synth();
  template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  template.resourceCountIs('Custom::CDKBucketDeployment', 1);
  const dist = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
  assert.equal(dist.DefaultRootObject, 'index.html');
  const patterns = dist.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern).sort();
  assert.deepEqual(patterns, [...API_PATH_PATTERNS].sort());
  const apiOrigin = dist.Origins.find((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
  assert.match(JSON.stringify(apiOrigin.DomainName), /HttpApi/, 'the API origin is the HTTP API');
  assert.equal(apiOrigin.CustomOriginConfig.OriginProtocolPolicy, 'https-only');
  for (const b of dist.CacheBehaviors) {
    assert.equal(b.TargetOriginId, apiOrigin.Id);
    assert.deepEqual([...b.AllowedMethods].sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  }
  template.hasResourceProperties('AWS::S3::Bucket', {
    PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
  });
  template.hasOutput('*', { Description: Match.stringLikeRegexp('operator console') });
});

test('-c console=false leaves the console out; the local runtime serves it itself', () => {
  synth({ console: 'false' }).resourceCountIs('AWS::CloudFront::Distribution', 0);
  const local = synthTemplate();
  assert.ok(!Object.values(local.Resources).some((r) => r.Type === 'AWS::CloudFront::Distribution'));
});
