// Tracing, access logs, alarms and the dashboard in the synthesized template (infra/observability.ts),
// and the EMF the functions write for the custom metrics (Powertools; contract in functions/metrics.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OzStack, ENTRY_METADATA_KEY } from '../../infra/stack';
import { API_P99_THRESHOLD_MS, ERROR_RATE_THRESHOLD } from '../../infra/observability';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE, SERVICE } from '../../functions/metrics';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };
const stack = new OzStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'ObservedStack');
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const ourFunctions = ofType('AWS::Lambda::Function').filter(([, r]) => typeof r.Metadata?.[ENTRY_METADATA_KEY] === 'string');
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
const topicId = Stack.of(stack).getLogicalId(stack.alarmTopic.node.defaultChild as never);

test('X-Ray active tracing on every function of ours and on the webhook state machine', () => {
  assert.equal(ourFunctions.length, 8);
  for (const [id, r] of ourFunctions) assert.deepEqual(r.Properties['TracingConfig'], { Mode: 'Active' }, id);
  for (const [id, r] of ofType('AWS::StepFunctions::StateMachine')) assert.deepEqual(r.Properties['TracingConfiguration'], { Enabled: true }, id);
});

test('API access logs: JSON lines to a log group with a retention', () => {
  const [, stage] = ofType('AWS::ApiGatewayV2::Stage')[0]!;
  const settings = stage.Properties['AccessLogSettings'];
  assert.ok(JSON.parse(settings.Format).requestId, settings.Format);
  const groupId = settings.DestinationArn['Fn::GetAtt'][0];
  assert.equal(resources[groupId]!.Type, 'AWS::Logs::LogGroup');
  assert.ok(resources[groupId]!.Properties['RetentionInDays'] > 0);
});

test('every alarm notifies the alarm topic, an encrypted topic the stack exposes', () => {
  assert.ok(alarms.length >= 12, String(alarms.length));
  for (const a of alarms) assert.deepEqual(a['AlarmActions'], [{ Ref: topicId }], a['AlarmDescription']);
  const topic = resources[topicId]!;
  assert.equal(topic.Type, 'AWS::SNS::Topic');
  assert.ok(topic.Properties['KmsMasterKeyId'], 'the topic is encrypted with a key CloudWatch may use');
});

test('alarms: any dead-letter message, error rate per function, API p99 latency, stuck analyses', () => {
  const dlqAlarms = alarms.filter((a) => a['MetricName'] === 'ApproximateNumberOfMessagesVisible');
  const dlqIds = ofType('AWS::SQS::Queue')
    .filter(([id]) => /DeadLetter/.test(id))
    .map(([id]) => id);
  assert.equal(dlqIds.length, 2);
  assert.deepEqual(dlqAlarms.map((a) => a['Dimensions'][0].Value['Fn::GetAtt'][0]).sort(), dlqIds.sort());
  for (const a of dlqAlarms) assert.deepEqual([a['Threshold'], a['ComparisonOperator'], a['Statistic']], [0, 'GreaterThanThreshold', 'Maximum']);

  const rateAlarms = alarms.filter((a) => a['Metrics']?.some((m: any) => /IF\(invocations_\w+ > 0, errors_\w+ \/ invocations_\w+, 0\)/.test(m.Expression ?? '')));
  assert.equal(rateAlarms.length, ourFunctions.length);
  const ratedFunctions = rateAlarms.map((a) => a['Metrics'].find((m: any) => m.MetricStat?.Metric.MetricName === 'Errors').MetricStat.Metric.Dimensions[0].Value.Ref).sort();
  assert.deepEqual(ratedFunctions, ourFunctions.map(([id]) => id).sort());
  for (const a of rateAlarms) {
    assert.equal(a['Threshold'], ERROR_RATE_THRESHOLD);
    for (const m of a['Metrics'].filter((x: any) => x.MetricStat)) assert.equal(m.MetricStat.Period, 300);
  }

  const latency = alarms.find((a) => a['MetricName'] === 'IntegrationLatency')!;
  assert.deepEqual([latency['Namespace'], latency['ExtendedStatistic'], latency['Threshold'], latency['Period']], ['AWS/ApiGateway', 'p99', API_P99_THRESHOLD_MS, 300]);
  assert.equal(API_P99_THRESHOLD_MS, 3000);

  const stuck = alarms.find((a) => a['MetricName'] === 'StuckAnalyses')!;
  assert.deepEqual([stuck['Namespace'], stuck['Threshold'], stuck['ComparisonOperator']], ['OzOpen', 0, 'GreaterThanThreshold']);
});

test('a dashboard with the API, analyses, worker, dead-letter and webhook widgets', () => {
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  assert.equal(dashboards.length, 1);
  const body = JSON.stringify(dashboards[0]![1].Properties['DashboardBody']);
  for (const title of ['API requests and errors', 'API latency (ms)', 'Analyses by type and resolution', 'Analysis time (ms)', 'Worker', 'Analysis queue', 'Dead-letter queues (messages)', 'Webhooks']) {
    assert.ok(body.includes(title), `no "${title}" widget`);
  }
  for (const metric of ['Analyses', 'ProcessingMs', 'ModelMs', 'Errors', 'WebhookAttempts', 'StuckAnalyses']) assert.ok(body.includes(metric), metric);
});

test('the metrics the functions write (Powertools EMF) carry the dimensions the alarms name', () => {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
  metrics.addMetric(METRIC.stuckAnalyses, MetricUnit.Count, 0);
  const emf = metrics.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }; service: string };
  assert.deepEqual(emf._aws.CloudWatchMetrics[0]!.Dimensions, [['service']]);
  assert.equal(emf._aws.CloudWatchMetrics[0]!.Namespace, 'OzOpen');
  assert.equal(emf.service, 'oz-open');
  const stuck = alarms.find((a) => a['MetricName'] === 'StuckAnalyses');
  assert.ok(stuck, 'a StuckAnalyses alarm');
  assert.deepEqual(stuck['Dimensions'], [{ Name: 'service', Value: 'oz-open' }]);
  assert.equal(stuck['Namespace'], 'OzOpen');
});
