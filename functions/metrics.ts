// The metric contract between the functions (functions/observability.ts, Powertools EMF) and the
// stack's alarms and dashboard (infra/observability.ts): the namespace, the names, and the
// dimension Powertools adds to every metric (service). Kept free of Powertools so the CDK app can
// import it.

export const SERVICE = 'oz-open';
export const METRICS_NAMESPACE = 'OzOpen';
/** Powertools puts `service` on every metric it writes: a CloudWatch metric is its name and its whole dimension set. */
export const SERVICE_DIMENSION = { service: SERVICE } as const;

export const METRIC = {
  /** one per analysis that ended, dimensions type and resolution (beside service) */
  analyses: 'Analyses',
  /** one analysis, from the worker picking it up to its end */
  processingMs: 'ProcessingMs',
  /** the models' part of it */
  modelMs: 'ModelMs',
  /** unexpected errors: 500 answers, failed attempts, failed webhook starts */
  errors: 'Errors',
  /** one per webhook delivery attempt */
  webhookAttempts: 'WebhookAttempts',
  /** analyses the sweeper found PROCESSING too long */
  stuckAnalyses: 'StuckAnalyses',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
export const METRIC_NAMES: MetricName[] = Object.values(METRIC);
