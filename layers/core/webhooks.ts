// Webhooks: one notification per finished group of analyses, to the folder's resolution_endpoint,
// signed with the company's secret. Delivery itself (HTTP, retries) happens in the webhook
// workflow; the core decides when to notify, what to send and how to sign it.
import { createHmac, randomBytes } from 'node:crypto';
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { SYSTEM_COMPANY_ID, type WebhookDelivery } from './entities';
import { notFound } from './errors';
import { loadFolder, presignerFor } from './folders';
import { check } from './permissions';
import type { AnalysisJob, WebhookStarter } from './ports';
import { folderView } from './views';

export const SIGNATURE_HEADER = 'X-Oz-Signature';
export const TIMESTAMP_HEADER = 'X-Oz-Timestamp';
export const DELIVERY_ID_HEADER = 'X-Oz-Webhook-Id';

/** The delivery id is the group's: every retry carries the same id, so receivers can drop duplicates. */
export const deliveryIdOf = (groupId: string) => `grp-${groupId}`;

/**
 * Called by the worker after each analysis attempt (finished, failed or found already final).
 * With strongly consistent reads, of two analyses finishing together at least one sees both
 * final; the conditional create of the delivery record lets exactly one of them notify.
 */
export async function notifyIfGroupComplete(deps: Pick<CoreDeps, 'folders' | 'webhooks' | 'clock'>, starter: WebhookStarter, job: AnalysisJob): Promise<'notified' | 'pending' | 'none'> {
  const agg = await deps.folders.getFolder(job.company_id, job.folder_id);
  if (!agg?.folder.resolution_endpoint) return 'none';
  const group = agg.analyses.filter((a) => a.group_id === job.group_id);
  if (group.length === 0 || group.some((a) => a.state === 'PROCESSING')) return 'pending';
  const now = deps.clock.now();
  const delivery: WebhookDelivery = {
    delivery_id: deliveryIdOf(job.group_id),
    company_id: job.company_id,
    folder_id: job.folder_id,
    group_id: job.group_id,
    url: agg.folder.resolution_endpoint,
    outcome: 'PENDING',
    attempts: 0,
    last_status: null,
    last_error: null,
    response_excerpt: null,
    time_created: now,
    time_updated: now,
  };
  const created = await deps.webhooks.createWebhookDelivery(delivery);
  // A crash between the record and the start is healed by the redelivered job: it finds the
  // record PENDING with no attempt yet and starts again (the start is idempotent per delivery).
  const existing = created ? delivery : await deps.webhooks.getWebhookDelivery(job.company_id, job.folder_id, delivery.delivery_id);
  if (!existing || existing.outcome !== 'PENDING' || (!created && existing.attempts > 0)) return 'none';
  await starter.start({ delivery_id: delivery.delivery_id, company_id: job.company_id, folder_id: job.folder_id, group_id: job.group_id });
  return 'notified';
}

/** The body of a notification: the folder with its analyses, as GET /api/folders/{id}?with_analyses=true answers it. */
export async function webhookPayload(deps: Pick<CoreDeps, 'folders' | 'blobs' | 'config'>, companyId: string, folderId: string) {
  const agg = await deps.folders.getFolder(companyId, folderId);
  if (!agg) return null;
  return folderView(agg, presignerFor(deps), true);
}

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('hex')}`;

/** HMAC-SHA256 over "<timestamp>.<body>", hex, as "v1=<hex>". */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function checkSecretAccess(caller: Caller, companyId: string) {
  // The signing secret is part of the company's settings: whoever may update the company.
  check(caller.user, 'COMPANY', 'update', { company_id: companyId }, 'Company');
}

/** A secret exists only for a company that does (the system company of ADMIN and OPERATOR included). */
async function checkCompanyExists(deps: Pick<CoreDeps, 'identity'>, companyId: string) {
  if (companyId !== SYSTEM_COMPANY_ID && !(await deps.identity.getCompany(companyId))) throw notFound('Company');
}

export async function readWebhookSecret(deps: Pick<CoreDeps, 'identity' | 'webhooks'>, caller: Caller, companyId: string) {
  checkSecretAccess(caller, companyId);
  await checkCompanyExists(deps, companyId);
  return { company_id: companyId, webhook_secret: await deps.webhooks.webhookSecret(companyId, newWebhookSecret) };
}

export async function rotateWebhookSecret(deps: Pick<CoreDeps, 'identity' | 'webhooks'>, caller: Caller, companyId: string) {
  checkSecretAccess(caller, companyId);
  await checkCompanyExists(deps, companyId);
  const secret = newWebhookSecret();
  await deps.webhooks.rotateWebhookSecret(companyId, secret);
  return { company_id: companyId, webhook_secret: secret };
}

export async function listDeliveries(deps: Pick<CoreDeps, 'folders' | 'webhooks'>, caller: Caller, folderId: string) {
  const agg = await loadFolder(deps, caller, folderId);
  return deps.webhooks.listWebhookDeliveries(agg.folder.company_id, agg.folder.folder_id);
}
