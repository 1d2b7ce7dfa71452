// Alarms and the dashboard: what an operator watches. Every alarm notifies one SNS topic (the stack's
// alarmTopic: subscribe an address or a pager to it). The custom metrics come from the functions as
// EMF log lines (Powertools, functions/observability.ts; the contract in functions/metrics.ts), namespace OzOpen.
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, SingleValueWidget, TextWidget, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_DIMENSION, type MetricName } from '../functions/metrics';

/** A function's error rate above this share of its invocations over five minutes alarms. */
export const ERROR_RATE_THRESHOLD = 0.05;
/** The API's integration latency p99 above this alarms. */
export const API_P99_THRESHOLD_MS = 3000;
const PERIOD = Duration.minutes(5);

export interface ObservabilityProps {
  functions: Record<string, LambdaFunction>;
  deadLetterQueues: Record<string, Queue>;
  analysisQueue: Queue;
  httpApi: HttpApi;
  webhookStateMachine: StateMachine;
}

// Every custom metric carries the service dimension Powertools adds (functions/metrics.ts).
const custom = (name: MetricName, statistic: string, dimensionsMap: Record<string, string> = {}) =>
  new Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic, period: PERIOD, dimensionsMap: { ...SERVICE_DIMENSION, ...dimensionsMap } });

export class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    // CloudWatch may publish only to a topic whose key lets it: a customer key, not aws/sns.
    const key = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the alarm topic' });
    key.addToResourcePolicy(
      new PolicyStatement({ principals: [new ServicePrincipal('cloudwatch.amazonaws.com')], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'] }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'oz-open alarms', masterKey: key, enforceSSL: true });
    const action = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const a = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    // Any message in a dead-letter queue is work that failed for good.
    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      alarm(`${name}NotEmpty`, dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }), 0, `The ${name} dead-letter queue holds messages`);
    }
    // Errors per invocation, per function: a share, so a busy function is not judged by a count.
    // Metric ids are per function: one graph shows every function's expression.
    const errorRate = (name: string, fn: LambdaFunction) => {
      const [errors, invocations] = [`errors_${name.toLowerCase()}`, `invocations_${name.toLowerCase()}`];
      return new MathExpression({
        expression: `IF(${invocations} > 0, ${errors} / ${invocations}, 0)`,
        usingMetrics: { [errors]: fn.metricErrors({ statistic: 'Sum', period: PERIOD }), [invocations]: fn.metricInvocations({ statistic: 'Sum', period: PERIOD }) },
        period: PERIOD,
        label: `${name} error rate`,
      });
    };
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}ErrorRate`, errorRate(name, fn), ERROR_RATE_THRESHOLD, `More than ${ERROR_RATE_THRESHOLD * 100}% of the ${name} function's invocations failed over 5 minutes`);
    }
    const apiLatency = props.httpApi.metricIntegrationLatency({ statistic: 'p99', period: PERIOD });
    alarm('ApiLatencyP99', apiLatency, API_P99_THRESHOLD_MS, `The API's integration latency p99 is above ${API_P99_THRESHOLD_MS / 1000} s`);
    // The sweeper's count of analyses it found still PROCESSING past OZ_STUCK_AFTER_SECONDS.
    alarm('StuckAnalyses', custom('StuckAnalyses', 'Maximum'), 0, 'Analyses were stuck in PROCESSING (the sweeper ended them FAILED)');

    const sqs = (q: Queue) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD, label: q.node.id });
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${Stack.of(this).stackName}-oz-open` });
    this.dashboard.addWidgets(new TextWidget({ markdown: '# oz-open\nAPI, analyses, worker, dead-letter queues and webhooks. Alarms notify the stack\'s alarm topic.', width: 24, height: 2 }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [props.httpApi.metricCount({ period: PERIOD }), props.httpApi.metricClientError({ period: PERIOD }), props.httpApi.metricServerError({ period: PERIOD })],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [props.httpApi.metricIntegrationLatency({ statistic: 'p50', period: PERIOD }), apiLatency, props.httpApi.metricLatency({ statistic: 'p99', period: PERIOD })],
        leftAnnotations: [{ value: API_P99_THRESHOLD_MS, label: 'p99 alarm' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Analyses by type and resolution',
        left: [new MathExpression({ expression: `SEARCH('{${METRICS_NAMESPACE},resolution,service,type} MetricName="Analyses"', 'Sum', 300)`, label: '', period: PERIOD })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Analysis time (ms)',
        left: [custom('ProcessingMs', 'p50'), custom('ProcessingMs', 'p99'), custom('ModelMs', 'p50'), custom('ModelMs', 'p99')],
        width: 8,
      }),
      new SingleValueWidget({ title: 'Stuck analyses, errors', metrics: [custom('StuckAnalyses', 'Maximum'), custom('Errors', 'Sum')], width: 4 }),
    );
    const worker = props.functions['worker'];
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Worker',
        left: worker ? [worker.metricInvocations({ period: PERIOD }), worker.metricErrors({ period: PERIOD }), worker.metricThrottles({ period: PERIOD })] : [],
        right: worker ? [worker.metricDuration({ statistic: 'p99', period: PERIOD })] : [],
        width: 8,
      }),
      new GraphWidget({
        title: 'Analysis queue',
        left: [sqs(props.analysisQueue)],
        right: [props.analysisQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: PERIOD })],
        width: 8,
      }),
      new GraphWidget({ title: 'Dead-letter queues (messages)', left: Object.values(props.deadLetterQueues).map(sqs), width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Webhooks',
        left: [custom('WebhookAttempts', 'Sum'), props.webhookStateMachine.metricSucceeded({ period: PERIOD }), props.webhookStateMachine.metricFailed({ period: PERIOD })],
        width: 12,
      }),
      new GraphWidget({ title: 'Function error rates', left: Object.entries(props.functions).map(([name, fn]) => errorRate(name, fn)), width: 12 }),
    );
  }
}
