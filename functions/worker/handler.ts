// The SQS consumer: one analysis per message. Failures are reported per message
// (ReportBatchItemFailures) so one bad message never redelivers the others; on the last delivery
// the queue will make, a transient error ends the analysis FAILED instead of leaving it PROCESSING.
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJob } from './job';
import { processAnalysis, type Analyzers } from '../../layers/core/processing';
import { notifyIfGroupComplete } from '../../layers/core/webhooks';
import { CORRELATION_ATTRIBUTE } from '../../layers/adapters/sqs-job-queue';
import { analysisQueue, coreDeps, webhookStarter } from '../wiring';
import { analyzers as workerAnalyzers } from '../analyzers';
import { appConfig, type Config } from '../config';
import { lambdaEntry } from '../lambda';
import { appendLogKeys, countError, errorInfo, logger, METRIC, metrics, MetricUnit, observability, removeLogKeys, setCorrelationId } from '../observability';

/** First retry delay (OZ_RETRY_BASE_SECONDS); each further retry doubles it, with full jitter (half to one and a half times). */
export function retryDelaySeconds(receiveCount: number, random = Math.random(), config: Pick<Config, 'OZ_RETRY_BASE_SECONDS'> = appConfig()): number {
  return Math.min(900, config.OZ_RETRY_BASE_SECONDS * 2 ** Math.max(0, receiveCount - 1)) * (0.5 + random);
}

/** The analyzers, with the time spent in the models added up (the ModelMs metric). */
function timed(analyzers: Analyzers, spent: { ms: number }): Analyzers {
  const faces = analyzers.faces;
  return {
    ...analyzers,
    faces: {
      analyze: async (...args) => {
        const started = Date.now();
        try {
          return await faces.analyze(...args);
        } finally {
          spent.ms += Date.now() - started;
        }
      },
      compare: (a, b) => faces.compare(a, b),
    },
  };
}

async function processRecord(record: SQSRecord, context: Partial<Context>, config: Config): Promise<boolean> {
  const deps = coreDeps();
  const job = parseJob(record.body);
  setCorrelationId(record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue ?? record.messageId);
  if (!job) {
    // A poison message can never succeed: fail it at once, every time, so the redrive policy
    // parks it in the DLQ for inspection after its receives, without holding anything up.
    logger.error('malformed analysis message', { messageId: record.messageId });
    await analysisQueue()
      .retryAfter(record.receiptHandle, 0)
      .catch(() => {});
    return false;
  }
  appendLogKeys({ analysis_id: job.analysis_id, folder_id: job.folder_id, group_id: job.group_id, company_id: job.company_id });
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  // OZ_MAX_RECEIVE_COUNT: the queue's redrive policy (set by the CDK app).
  const finalAttempt = receiveCount >= config.OZ_MAX_RECEIVE_COUNT;
  const started = Date.now();
  const model = { ms: 0 };
  let failed = false;
  try {
    // OZ_WORKER_DEADLINE_MARGIN_MS: the attempt gives up this long before the function's timeout, so
    // that it can still write FAILED (last attempt) or hand the message back (earlier ones).
    const deadline = context.getRemainingTimeInMillis ? Date.now() + context.getRemainingTimeInMillis() - config.OZ_WORKER_DEADLINE_MARGIN_MS : undefined;
    const outcome = await processAnalysis(deps, timed(workerAnalyzers(), model), job, {
      finalAttempt,
      ...(deadline !== undefined ? { deadline } : {}),
      onEnded: (ended) => {
        const one = metrics.singleMetric();
        one.addDimensions({ type: ended.type, resolution: ended.resolution ?? ended.state });
        one.addMetric(METRIC.analyses, MetricUnit.Count, 1);
      },
    });
    const ms = Date.now() - started;
    if (outcome !== 'skipped') {
      metrics.addMetric(METRIC.processingMs, MetricUnit.Milliseconds, ms);
      metrics.addMetric(METRIC.modelMs, MetricUnit.Milliseconds, model.ms);
    }
    logger.info('analysis processed', { outcome, ms, model_ms: model.ms, receiveCount });
  } catch (err) {
    failed = true;
    countError('worker');
    logger.error(finalAttempt ? 'analysis failed on its last attempt, message to the DLQ' : 'analysis attempt failed, will retry', { receiveCount, ...errorInfo(err) });
  }
  try {
    // Also after a skipped or failed attempt: one that finished the group but died before notifying.
    const webhook = await notifyIfGroupComplete(deps, webhookStarter(), job);
    if (webhook === 'notified') logger.info('webhook started');
  } catch (err) {
    failed = true;
    countError('worker webhook start');
    logger.error('webhook start failed, will retry', errorInfo(err));
  }
  if (failed) {
    // A jittered, growing delay before the retry; after the last attempt, straight on to the DLQ.
    await analysisQueue()
      .retryAfter(record.receiptHandle, finalAttempt ? 0 : retryDelaySeconds(receiveCount, Math.random(), config))
      .catch((err: unknown) => logger.error('could not set the retry delay', errorInfo(err)));
  }
  return !failed;
}

export const handler = lambdaEntry<SQSEvent, SQSBatchResponse>((middy, config) =>
  middy(async (event: SQSEvent, context: Context) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const ok = await processRecord(record, context, config);
      if (!ok) failures.push({ itemIdentifier: record.messageId });
      removeLogKeys(['analysis_id', 'folder_id', 'group_id', 'company_id']);
    }
    return { batchItemFailures: failures };
  }).use(observability()),
);
