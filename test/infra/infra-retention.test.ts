// The retention job in the synthesized template: a function on a daily EventBridge schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_RETENTION_SCHEDULE, ENTRY_METADATA_KEY, OzStack, RETENTION_TIMEOUT } from '../../infra/stack';

const synth = (context: Record<string, unknown> = {}) => Template.fromStack(new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), 'RetentionStack'));

test('a retention function with its configuration, run daily by an EventBridge rule', () => {
  const template = synth();
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> }>;
  const [fnId, fn] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY] === 'functions/retention/handler.ts#handler')!;
  assert.equal(fn.Properties['Timeout'], RETENTION_TIMEOUT.toSeconds());
  assert.equal(fn.Properties['Environment'].Variables.OZ_RETENTION_DAYS, process.env.OZ_RETENTION_DAYS ?? '0');
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: DEFAULT_RETENTION_SCHEDULE,
    State: 'ENABLED',
    Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })]),
  });
  template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] } });
});

test('days, budget and schedule come from the context; a bad value fails the synth', () => {
  const template = synth({ retentionDays: 90, retentionMaxFolders: 200, retentionSchedule: 'rate(12 hours)' });
  template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)' });
  template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ OZ_RETENTION_DAYS: '90', OZ_RETENTION_MAX_FOLDERS: '200' }) } });
  assert.throws(() => synth({ retentionDays: 'soon' }), /OZ_RETENTION_DAYS/);
});
