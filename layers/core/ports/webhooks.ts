// Webhook delivery records (one per analysis group, in the folder) and each company's signing
// secret (layers/core/webhooks.ts).
import type { WebhookDelivery } from '../entities';

export interface WebhookStore {
  /** Creates the delivery record of a group; false if one exists already (exactly one notification). */
  createWebhookDelivery(delivery: WebhookDelivery): Promise<boolean>;
  getWebhookDelivery(companyId: string, folderId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  /** Sets the patch's fields (and counts an attempt); fails when the record is gone. */
  updateWebhookDelivery(companyId: string, folderId: string, deliveryId: string, patch: Partial<WebhookDelivery>, countAttempt: boolean): Promise<void>;
  /** Oldest first. */
  listWebhookDeliveries(companyId: string, folderId: string): Promise<WebhookDelivery[]>;
  /** The company's webhook signing secret, created on first use (a concurrent creation wins once). */
  webhookSecret(companyId: string, create: () => string): Promise<string>;
  rotateWebhookSecret(companyId: string, secret: string): Promise<void>;
}
