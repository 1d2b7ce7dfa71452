// WebhookStore in memory: one delivery record per group, the company's secret created once.
import type { WebhookDelivery } from '../../core/entities';
import type { WebhookStore } from '../../core/ports/webhooks';
import { ConditionFailedError, copy, type MemoryTables } from './tables';

export class MemoryWebhookStore implements WebhookStore {
  constructor(private readonly t: MemoryTables) {}

  async createWebhookDelivery(delivery: WebhookDelivery): Promise<boolean> {
    const webhooks = this.t.folderPartition(delivery.company_id, delivery.folder_id).webhooks;
    if (webhooks.has(delivery.delivery_id)) return false;
    webhooks.set(delivery.delivery_id, copy(delivery));
    return true;
  }

  async getWebhookDelivery(companyId: string, folderId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    return copy(this.t.folder(companyId, folderId)?.webhooks.get(deliveryId) ?? null);
  }

  async updateWebhookDelivery(companyId: string, folderId: string, deliveryId: string, patch: Partial<WebhookDelivery>, countAttempt: boolean): Promise<void> {
    if (Object.keys(patch).length === 0 && !countAttempt) return;
    const stored = this.t.folder(companyId, folderId)?.webhooks.get(deliveryId);
    if (!stored) throw new ConditionFailedError('webhook delivery absent');
    Object.assign(stored, copy(patch));
    if (countAttempt) stored.attempts += 1;
  }

  async listWebhookDeliveries(companyId: string, folderId: string): Promise<WebhookDelivery[]> {
    return copy([...(this.t.folder(companyId, folderId)?.webhooks.values() ?? [])].sort((a, b) => a.time_created - b.time_created));
  }

  async webhookSecret(companyId: string, create: () => string): Promise<string> {
    const existing = this.t.webhookSecrets.get(companyId);
    if (existing) return existing;
    const secret = create();
    this.t.webhookSecrets.set(companyId, secret);
    return secret;
  }

  async rotateWebhookSecret(companyId: string, secret: string): Promise<void> {
    this.t.webhookSecrets.set(companyId, secret);
  }
}
