// The webhook delivery task of the Step Functions workflow (infra/stack.ts): one attempt per
// invocation. A failed attempt throws WebhookRetryableError (the state machine retries it with
// backoff and jitter) or WebhookRefusedError (no retry); the Catch calls record_failure.
import type { WebhookDeliveryInput } from '../../layers/core/ports';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, newWebhookSecret, signWebhook, webhookPayload } from '../../layers/core/webhooks';
import { ozJson } from '../api/http';
import { coreDeps } from '../wiring';
import { lambdaEntry } from '../lambda';
import type { Config } from '../config';
import { appendLogKeys, logger, METRIC, metrics, MetricUnit, observability, setCorrelationId } from '../observability';
import { safePost, WebhookRetryableError } from './outbound';

export interface WebhookTaskEvent {
  action: 'deliver' | 'record_failure';
  delivery: WebhookDeliveryInput;
  /** Set by the Catch: {Error, Cause} of the last attempt. */
  error?: { Error?: string; Cause?: string };
}

function causeMessage(error: WebhookTaskEvent['error']): string {
  const cause = error?.Cause ?? '';
  try {
    return String((JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause);
  } catch {
    return cause || error?.Error || 'unknown error';
  }
}

async function runTask(event: WebhookTaskEvent, config: Config) {
  const deps = coreDeps();
  const { company_id, folder_id, delivery_id, group_id } = event.delivery;
  setCorrelationId(event.delivery.correlation_id ?? delivery_id);
  appendLogKeys({ company_id, folder_id, group_id, delivery_id });
  const record = await deps.webhooks.getWebhookDelivery(company_id, folder_id, delivery_id);
  if (!record) return { outcome: 'MISSING' };
  const update = (patch: Parameters<typeof deps.webhooks.updateWebhookDelivery>[3], countAttempt: boolean) =>
    deps.webhooks.updateWebhookDelivery(company_id, folder_id, delivery_id, { ...patch, time_updated: deps.clock.now() }, countAttempt);

  if (event.action === 'record_failure') {
    if (record.outcome === 'PENDING') await update({ outcome: 'FAILED', last_error: causeMessage(event.error).slice(0, 500) }, false);
    return { outcome: 'FAILED' };
  }
  if (record.outcome !== 'PENDING') return { outcome: record.outcome }; // a retry after success: nothing to do

  const payload = await webhookPayload(deps, company_id, folder_id);
  if (!payload) {
    await update({ outcome: 'FAILED', last_error: 'the folder no longer exists' }, false);
    return { outcome: 'FAILED' };
  }
  const body = ozJson(payload, config.OZ_INTEGER_TIMESTAMPS);
  const timestamp = Math.floor(deps.clock.now());
  const secret = await deps.webhooks.webhookSecret(company_id, newWebhookSecret);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'oz-open-webhook/1',
    [DELIVERY_ID_HEADER]: delivery_id,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
  };
  try {
    metrics.addMetric(METRIC.webhookAttempts, MetricUnit.Count, 1);
    const res = await safePost(record.url, body, headers, { timeoutMs: config.OZ_WEBHOOK_TIMEOUT_MS, allowPrivate: config.OZ_WEBHOOK_ALLOW_PRIVATE });
    const ok = res.status >= 200 && res.status < 300;
    logger.info('webhook attempt', { status: res.status });
    await update({ last_status: res.status, response_excerpt: res.excerpt.slice(0, 256), last_error: ok ? null : `HTTP ${res.status}`, ...(ok ? { outcome: 'DELIVERED' as const } : {}) }, true);
    if (!ok) throw new WebhookRetryableError(`the receiver answered HTTP ${res.status}`);
    return { outcome: 'DELIVERED', status: res.status };
  } catch (err) {
    if (err instanceof WebhookRetryableError && /answered HTTP/.test(err.message)) throw err; // already recorded
    await update({ last_status: null, last_error: (err as Error).message.slice(0, 500) }, true);
    throw err;
  }
}

export const handler = lambdaEntry<WebhookTaskEvent, Awaited<ReturnType<typeof runTask>>>((middy, config) =>
  middy((event: WebhookTaskEvent) => runTask(event, config)).use(observability()),
);
