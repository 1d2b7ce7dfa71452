// Custom metrics as CloudWatch Embedded Metric Format: one JSON log line that CloudWatch Logs turns
// into a metric, no SDK call. The metric contract (namespace and names) is shared with the stack's
// alarms and dashboard (infra/observability.ts). One small function, so switching logging to
// Powertools later changes one place.

export const METRICS_NAMESPACE = 'OzOpen';
export const METRIC_NAMES = ['Analyses', 'ProcessingMs', 'ModelMs', 'Errors', 'WebhookAttempts', 'StuckAnalyses'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Writes one EMF line for `name`; dimensions become the metric's dimensions. */
export function emitMetric(name: MetricName, value: number, unit: 'Count' | 'Milliseconds', dimensions: Record<string, string> = {}, write: (line: string) => void = console.log): void {
  write(
    JSON.stringify({
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }] },
      ...dimensions,
      [name]: value,
    }),
  );
}
