// Webhook delivery as a Step Functions workflow: one Lambda task per attempt, retried with
// exponential backoff and full jitter up to a bounded number of attempts and total time; a Catch
// records the final failure. The local runtime runs this very definition (from the template).
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, Fail, JitterType, JsonPath, StateMachine, StateMachineType, Succeed, TaskInput, Timeout } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** The deployed retry policy: 1 attempt + 4 retries, 2 s doubling to at most 60 s, full jitter. */
export const WEBHOOK_RETRY = { maxAttempts: 4, intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 60 } as const;
export const WEBHOOK_TASK_TIMEOUT = Duration.seconds(30);
export const WEBHOOK_TOTAL_TIMEOUT = Duration.minutes(10);

export class WebhookDelivery extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: { deliveryFunction: IFunction }) {
    super(scope, id);
    const deliver = new LambdaInvoke(this, 'Deliver', {
      lambdaFunction: props.deliveryFunction,
      payload: TaskInput.fromObject({ action: 'deliver', delivery: JsonPath.objectAt('$.delivery') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false, // one retry policy, below, covers Lambda's own errors too
      resultPath: '$.result',
      taskTimeout: Timeout.duration(WEBHOOK_TASK_TIMEOUT),
    });
    deliver.addRetry({
      errors: ['WebhookRetryableError', 'Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'States.Timeout'],
      interval: Duration.seconds(WEBHOOK_RETRY.intervalSeconds),
      backoffRate: WEBHOOK_RETRY.backoffRate,
      maxAttempts: WEBHOOK_RETRY.maxAttempts,
      maxDelay: Duration.seconds(WEBHOOK_RETRY.maxDelaySeconds),
      jitterStrategy: JitterType.FULL,
    });
    const recordFailure = new LambdaInvoke(this, 'RecordFailure', {
      lambdaFunction: props.deliveryFunction,
      payload: TaskInput.fromObject({ action: 'record_failure', delivery: JsonPath.objectAt('$.delivery'), error: JsonPath.objectAt('$.error') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: JsonPath.DISCARD,
      taskTimeout: Timeout.duration(WEBHOOK_TASK_TIMEOUT),
    });
    recordFailure.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 3, jitterStrategy: JitterType.FULL });
    // The execution input is {delivery}; the Catch adds the last error under $.error.
    deliver.addCatch(recordFailure.next(new Fail(this, 'DeliveryFailed', { error: 'WebhookDeliveryFailed', cause: 'every attempt failed' })), {
      errors: ['States.ALL'],
      resultPath: '$.error',
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      timeout: WEBHOOK_TOTAL_TIMEOUT,
      tracingEnabled: true, // X-Ray traces of each delivery's steps (cdk-nag AwsSolutions-SF2)
      definitionBody: DefinitionBody.fromChainable(deliver.next(new Succeed(this, 'Delivered'))),
    });
  }
}
