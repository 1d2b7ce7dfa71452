// Logs, metrics and traces of every function, with Powertools, applied as middy middlewares.
//   logs     structured JSON (one line per entry; `OZ_LOG_FORMAT=pretty` for a readable line), with
//            the invocation's correlation id and the persistent keys analysis_id, folder_id,
//            group_id, company_id. Never images, metadata or tokens: the Instant API promises no
//            personal data in logs, so callers pass ids and counts only.
//   metrics  EMF in the namespace OzOpen (the CDK alarms and dashboard read these names).
//   traces   X-Ray through the tracer; a no-op outside Lambda (no daemon locally), never failing a request.
import { Logger, LogLevel } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Config } from './config';
import type { Log } from '../layers/core/ports';
import { currentInvocation } from './invocation';
import { METRIC, METRICS_NAMESPACE, SERVICE } from './metrics';

export { METRIC, METRICS_NAMESPACE, SERVICE } from './metrics';

const LOCAL_KEYS = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id', 'cold_start', 'function_name', 'function_memory_size', 'function_arn', 'function_request_id']);

let pretty = false;

/** The Powertools logger, adding the invocation's keys to each entry and printing a readable line when asked. */
class OzLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    const keys = currentInvocation()?.logKeys;
    if (keys) log.addAttributes(keys);
    if (!pretty) return super.printLog(logLevel, log);
    log.prepareForPrint();
    const a = log.getAttributes();
    const rest = Object.entries(a)
      .filter(([k, v]) => !LOCAL_KEYS.has(k) && v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const time = String(a['timestamp'] ?? '').slice(11, 23);
    (logLevel >= 16 ? process.stderr : process.stdout).write(`${time} ${String(a['level']).padEnd(5)} ${String(a['message'])}${rest ? `  ${rest}` : ''}\n`);
  }
}

export const logger = new OzLogger({ serviceName: SERVICE });
/** The logger behind the core's and the adapters' Log port (layers/core/ports). */
export const portLog: Log = { info: (message, attributes = {}) => logger.info(message, attributes), error: (message, attributes = {}) => logger.error(message, attributes) };
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
export const tracer = new Tracer({ serviceName: SERVICE });

/** Applies the configuration's log settings (at cold start). */
export function configureLogs(config: Pick<Config, 'OZ_LOG_LEVEL' | 'OZ_LOG_FORMAT'>): void {
  logger.setLogLevel(config.OZ_LOG_LEVEL === 'SILENT' ? LogLevel.SILENT : config.OZ_LOG_LEVEL);
  pretty = config.OZ_LOG_FORMAT === 'pretty';
}

/** Keys carried by every later log line of this invocation (ids only). */
export function appendLogKeys(keys: Record<string, string | number | undefined>): void {
  const invocation = currentInvocation();
  if (!invocation) return;
  for (const [k, v] of Object.entries(keys)) if (v !== undefined) invocation.logKeys[k] = v;
}

export function removeLogKeys(names: string[]): void {
  const invocation = currentInvocation();
  if (invocation) for (const name of names) delete invocation.logKeys[name];
}

/** The invocation's correlation id: it travels on with the SQS messages and workflow inputs it starts. */
export const correlationId = (): string | undefined => {
  const id = currentInvocation()?.logKeys['correlation_id'];
  return typeof id === 'string' ? id : undefined;
};

export const setCorrelationId = (id: string | undefined): void => appendLogKeys({ correlation_id: id ? id.slice(0, 128) : undefined });

/** An error as a log attribute: its name and message, never the request that caused it. */
export const errorInfo = (err: unknown) => (err instanceof Error ? { error: `${err.name}: ${err.message}` } : { error: String(err) });

/** The core's log callbacks give {msg, ...ids and counts}: one structured line each. */
export const logEntry = ({ msg, ...attributes }: Record<string, unknown>): void => logger.info(String(msg ?? ''), attributes);

export function countError(where: string): void {
  metrics.addMetric(METRIC.errors, MetricUnit.Count, 1);
  logger.debug('error counted', { where });
}

/** Publishes what the invocation measured (Powertools' logMetrics warns on every invocation that measured nothing). */
const publishMetrics: MiddlewareObj = {
  name: 'publishMetrics',
  after: () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
  onError: () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
};

/** The middlewares every function runs: Lambda context in the logs, the handler traced, metrics published. */
export function observability(): MiddlewareObj[] {
  return [injectLambdaContext(logger) as MiddlewareObj, captureLambdaHandler(tracer) as MiddlewareObj, publishMetrics];
}

export { MetricUnit };
