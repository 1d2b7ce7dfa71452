// Assertions on the synthesized template: what `cdk deploy` would create.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OzStack, MAX_RECEIVE_COUNT, ENTRY_METADATA_KEY } from '../../infra/stack';
import { ROUTES } from '../../functions/api/route-table';

// Bundling is skipped (the handlers compile in the typecheck step); everything else is real.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new OzStack(app, 'TestStack');
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

test('an HTTP API with every route of the route table, each with a trailing-slash twin, plus $default', () => {
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  const keys = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties['RouteKey']);
  for (const route of ROUTES) {
    assert.ok(keys.includes(`${route.method} ${route.path}`), `missing ${route.method} ${route.path}`);
    assert.ok(keys.includes(`${route.method} ${route.path}/{proxy+}`), `missing twin of ${route.path}`);
  }
  assert.ok(keys.includes('$default'));
});

test('uploads go to the container-image function, JSON routes to the zip function', () => {
  const fnOf = (routeKey: string) => {
    const route = Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties['RouteKey'] === routeKey)!;
    const integrationId = JSON.stringify(route.Properties['Target']).match(/"Ref":"([^"]+)"/)![1]!;
    const fnId = (resources[integrationId]!.Properties['IntegrationUri'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    return resources[fnId]!;
  };
  assert.equal(fnOf('POST /api/folders').Properties['PackageType'], 'Image');
  assert.equal(fnOf('POST /api/folders/{folder_id}/media').Properties['PackageType'], 'Image');
  assert.equal(fnOf('GET /api/analyses/{analysis_id}').Properties['Runtime'], 'nodejs22.x');
  assert.equal(fnOf('GET /api/analyses/{analysis_id}').Metadata?.[ENTRY_METADATA_KEY], 'functions/api/handler.ts#handler');
});

test('the analysis queue redrives to a DLQ after the documented 3 attempts, and feeds the worker with partial batch failures', () => {
  template.resourceCountIs('AWS::SQS::Queue', 4); // the analysis queue and the usage event queue, each with its DLQ
  template.hasResourceProperties('AWS::SQS::Queue', {
    RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: MAX_RECEIVE_COUNT },
    VisibilityTimeout: 720,
  });
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  const worker = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY] === 'functions/worker/handler.ts#handler')!;
  assert.equal(worker.Properties['PackageType'], 'Image');
  assert.deepEqual((worker.Properties['ImageConfig'] as { Command: string[] }).Command, ['worker.handler']);
});

test('data at rest: one table with TTL, PITR and the listing indexes; a private encrypted bucket', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', {
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'list' }), Match.objectLike({ IndexName: 'all' })]),
  });
  template.hasResourceProperties('AWS::S3::Bucket', {
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    BucketEncryption: Match.objectLike({}),
  });
  template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
});

test('least privilege: the zip API reads the bucket, writes only presigned uploads, deletes nothing', () => {
  const api = Object.entries(resources).find(([, r]) => r.Metadata?.[ENTRY_METADATA_KEY] === 'functions/api/handler.ts#handler')![0];
  const roleId = JSON.stringify(resources[api]!.Properties['Role']).match(/"([A-Za-z0-9]+)","Arn"/)![1]!;
  const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties['Roles']).includes(roleId));
  const actions = JSON.stringify(policies.map((p) => p.Properties['PolicyDocument']));
  assert.ok(actions.includes('s3:GetObject'));
  const statements = policies.flatMap((p) => (p.Properties['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
  const puts = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:PutObject')));
  assert.ok(puts.length > 0 && puts.every((st) => JSON.stringify(st.Resource).includes('/uploads/*')), 'PutObject only under uploads/');
  assert.ok(!actions.includes('s3:DeleteObject'));
  assert.ok(actions.includes('sqs:SendMessage'));
  assert.ok(!actions.includes('sqs:ReceiveMessage'));
});

test('webhooks: a Step Functions workflow with bounded, jittered exponential retries, a Catch that records the failure, timeouts everywhere', () => {
  const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
  const definitionJson = JSON.stringify(machine.Properties['DefinitionString']);
  // The definition is an Fn::Join around function ARNs; check its literal parts.
  const literal = (machine.Properties['DefinitionString'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
  const definition = JSON.parse(literal) as { TimeoutSeconds: number; States: Record<string, any> };
  assert.ok(definition.TimeoutSeconds > 0 && definition.TimeoutSeconds <= 3600);
  const deliver = definition.States['Deliver'];
  assert.equal(deliver.Type, 'Task');
  assert.ok(deliver.TimeoutSeconds > 0);
  const retry = deliver.Retry[0];
  assert.ok(retry.ErrorEquals.includes('WebhookRetryableError'));
  assert.ok(!retry.ErrorEquals.includes('WebhookRefusedError'), 'refused destinations are not retried');
  assert.equal(retry.MaxAttempts, 4);
  assert.equal(retry.BackoffRate, 2);
  assert.equal(retry.JitterStrategy, 'FULL');
  assert.ok(retry.MaxDelaySeconds > 0);
  assert.deepEqual(deliver.Catch[0].ErrorEquals, ['States.ALL']);
  assert.equal(definition.States[deliver.Catch[0].Next].Type, 'Task');
  assert.ok(definitionJson.includes('WebhookFunction'));
  // Only what ends analyses starts deliveries: the worker, the single-request media function, the
  // dead-letter consumer and the sweeper.
  const starters = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties['PolicyDocument']).includes('states:StartExecution'));
  const roles = JSON.stringify(starters.map((p) => p.Properties['Roles']));
  assert.equal(starters.length, 4);
  for (const fn of ['WorkerFunction', 'MediaFunction', 'DeadLetterFunction', 'SweeperFunction']) assert.ok(roles.includes(fn), fn);
  assert.ok(!roles.includes('ApiFunction'));
});

test('invoke permissions stay few (one per integration), whatever the number of routes', () => {
  const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
  assert.ok(permissions.length <= 8, `${permissions.length} Lambda permissions`);
});

/** The IAM statements of a function's role. */
function statementsOf(entry: string) {
  const fn = Object.entries(resources).find(([, r]) => r.Metadata?.[ENTRY_METADATA_KEY] === entry)![0];
  const roleId = JSON.stringify(resources[fn]!.Properties['Role']).match(/"([A-Za-z0-9]+)","Arn"/)![1]!;
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties['Roles']).includes(roleId))
    .flatMap((p) => (p.Properties['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] }).Statement);
}

test('no analysis left behind: a dead-letter consumer with partial failures, and a sweeper every 5 minutes', () => {
  const dlqId = Object.keys(resources).find((id) => id.startsWith('AnalysisDeadLetterQueue') && resources[id]!.Type === 'AWS::SQS::Queue')!;
  const mapping = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties['EventSourceArn']).includes(dlqId))!;
  assert.ok(JSON.stringify(mapping.Properties['FunctionName']).includes('DeadLetterFunction'));
  assert.deepEqual(mapping.Properties['FunctionResponseTypes'], ['ReportBatchItemFailures']);
  const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties['ScheduleExpression'] === 'rate(5 minutes)')!;
  assert.ok(JSON.stringify(rule.Properties['Targets']).includes('SweeperFunction'));
  for (const entry of ['functions/dead-letter/handler.ts#handler', 'functions/sweeper/handler.ts#handler']) {
    const fn = Object.values(resources).find((r) => r.Metadata?.[ENTRY_METADATA_KEY] === entry)!;
    assert.equal(fn.Properties['Runtime'], 'nodejs22.x', entry);
  }
});

test('queues: every queue enforces SSL, and the usage queue has its own DLQ', () => {
  const queues = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue').map(([id]) => id);
  const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy');
  for (const q of queues) {
    const policy = policies.find((p) => JSON.stringify(p.Properties['Queues']).includes(q));
    assert.ok(policy, `${q} has a queue policy`);
    assert.match(JSON.stringify(policy!.Properties['PolicyDocument']), /"aws:SecureTransport":"false"/, `${q} denies non-TLS access`);
  }
  const usage = Object.entries(resources).find(([id, r]) => id.startsWith('UsageEventQueue') && r.Type === 'AWS::SQS::Queue')![1];
  assert.match(JSON.stringify(usage.Properties['RedrivePolicy']), /UsageEventDeadLetterQueue/);
});

test('least privilege: the webhook function gets item operations on the table and object reads only; API Lite may count requests', () => {
  const webhook = statementsOf('functions/webhook/handler.ts#handler');
  const actions = webhook.flatMap((st) => [st.Action].flat());
  for (const a of ['dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:BatchWriteItem', 's3:ListBucket', 's3:PutObject', 's3:DeleteObject']) assert.ok(!actions.includes(a), `webhook has ${a}`);
  for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 's3:GetObject']) assert.ok(actions.includes(a), `webhook lacks ${a}`);
  assert.ok(!webhook.some((st) => JSON.stringify(st.Resource).includes('/index/')), 'no index access');
  const lite = statementsOf('functions/lite/handler.ts#handler').flatMap((st) => [st.Action].flat());
  assert.ok(lite.includes('dynamodb:UpdateItem'), 'API Lite can update its throttling counters');
  assert.ok(!lite.includes('dynamodb:Scan') && !lite.some((a) => a.startsWith('s3:')));
});

test('/tmp is sized for parallel inspections; retainData=false lets CloudFormation empty and delete the bucket', () => {
  const image = (cmd: string) => Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties['ImageConfig'] ?? {}).includes(cmd))!;
  assert.equal((image('media.handler').Properties['EphemeralStorage'] as { Size: number }).Size, 4096);
  assert.ok((image('worker.handler').Properties['EphemeralStorage'] as { Size: number }).Size >= 2048);
  // The console's bucket holds only the built app and is always emptied on delete; the data bucket only with retainData=false.
  const autoDeleted = (res: Record<string, { Type: string; Properties: Record<string, unknown> }>) =>
    Object.values(res).filter((r) => r.Type === 'Custom::S3AutoDeleteObjects').map((r) => JSON.stringify(r.Properties['BucketName']));
  const dataBucket = (res: Record<string, { Type: string }>) => Object.keys(res).find((id) => res[id]!.Type === 'AWS::S3::Bucket' && !id.startsWith('Console'))!;
  assert.ok(!autoDeleted(resources).some((b) => b.includes(dataBucket(resources))), 'retained data: no auto-delete');
  const disposable = Template.fromStack(new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Disposable', { retainData: false }));
  const disposableResources = disposable.toJSON()['Resources'];
  assert.ok(autoDeleted(disposableResources).some((b) => b.includes(dataBucket(disposableResources))), 'disposable data: auto-delete');
  disposable.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
});
