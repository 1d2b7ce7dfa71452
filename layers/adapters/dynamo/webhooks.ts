// WebhookStore on the table: delivery records in their folder's partition ("WEBHOOK#<id>"), the
// company's signing secret beside the company record.
import type { WebhookDelivery } from '../../core/entities';
import type { WebhookStore } from '../../core/ports/webhooks';
import { folderPk } from './keys';
import { conditionally, isConditionFailure, type DynamoTable } from './table';

const secretKey = (companyId: string) => ({ pk: `COMPANY#${companyId}`, sk: 'WEBHOOK_SECRET' });

export class DynamoWebhookStore implements WebhookStore {
  constructor(private readonly table: DynamoTable) {}

  createWebhookDelivery(delivery: WebhookDelivery): Promise<boolean> {
    return conditionally(() =>
      this.table.putItem({ Item: { pk: folderPk(delivery.company_id, delivery.folder_id), sk: `WEBHOOK#${delivery.delivery_id}`, data: delivery }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async getWebhookDelivery(companyId: string, folderId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    return (await this.table.get<{ data: WebhookDelivery }>(folderPk(companyId, folderId), `WEBHOOK#${deliveryId}`))?.data ?? null;
  }

  async updateWebhookDelivery(companyId: string, folderId: string, deliveryId: string, patch: Partial<WebhookDelivery>, countAttempt: boolean): Promise<void> {
    const names: Record<string, string> = { '#d': 'data' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(patch).forEach(([key, value], i) => {
      names[`#f${i}`] = key;
      values[`:v${i}`] = value;
      sets.push(`#d.#f${i} = :v${i}`);
    });
    if (countAttempt) {
      names['#attempts'] = 'attempts';
      values[':one'] = 1;
      sets.push('#d.#attempts = #d.#attempts + :one');
    }
    if (sets.length === 0) return;
    await this.table.update({
      Key: { pk: folderPk(companyId, folderId), sk: `WEBHOOK#${deliveryId}` },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async listWebhookDeliveries(companyId: string, folderId: string): Promise<WebhookDelivery[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :p AND begins_with(sk, :w)', ExpressionAttributeValues: { ':p': folderPk(companyId, folderId), ':w': 'WEBHOOK#' }, ConsistentRead: true });
    return items.map((i) => i['data'] as WebhookDelivery).sort((a, b) => a.time_created - b.time_created);
  }

  async webhookSecret(companyId: string, create: () => string): Promise<string> {
    const key = secretKey(companyId);
    const existing = await this.table.get<{ secret: string }>(key.pk, key.sk);
    if (existing) return existing.secret;
    const secret = create();
    try {
      await this.table.putItem({ Item: { ...key, secret }, ConditionExpression: 'attribute_not_exists(pk)' });
      return secret;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return (await this.table.get<{ secret: string }>(key.pk, key.sk))!.secret; // created concurrently: use theirs
    }
  }

  async rotateWebhookSecret(companyId: string, secret: string): Promise<void> {
    await this.table.putItem({ Item: { ...secretKey(companyId), secret } });
  }
}
