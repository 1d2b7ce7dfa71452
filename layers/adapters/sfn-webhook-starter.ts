// Starts the webhook delivery workflow. The execution is named after the delivery, so starting the
// same delivery twice does not deliver twice (Step Functions rejects a second execution of a name).
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WebhookDeliveryInput, WebhookStarter } from '../core/ports';

export class SfnWebhookStarter implements WebhookStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    /** the log correlation id of the invocation in progress: it travels in the execution input */
    private readonly correlationId: () => string | undefined = () => undefined,
  ) {}

  async start(input: WebhookDeliveryInput): Promise<void> {
    const correlation = this.correlationId();
    const delivery = correlation ? { ...input, correlation_id: correlation } : input;
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: delivery.delivery_id.slice(0, 80), input: JSON.stringify({ delivery }) }));
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists) return;
      throw err;
    }
  }
}
