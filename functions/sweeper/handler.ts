// The scheduled sweeper (an EventBridge rule, every 5 minutes; the local runtime runs it on the same
// rate): analyses PROCESSING for longer than OZ_STUCK_AFTER_SECONDS end FAILED with ANALYSIS_STUCK.
// Each run emits the StuckAnalyses metric (the alarm on analyses stuck in PROCESSING reads it).
import { sweepStuckAnalyses, type SweepReport } from '../../layers/core/stranded';
import { coreDeps, webhookStarter } from '../wiring';
import { lambdaEntry } from '../lambda';
import { logEntry, logger, METRIC, metrics, MetricUnit, observability } from '../observability';

export const handler = lambdaEntry<unknown, SweepReport>((middy, config) =>
  middy(async () => {
    const report = await sweepStuckAnalyses(coreDeps(), webhookStarter(), config.OZ_STUCK_AFTER_SECONDS, logEntry);
    metrics.addMetric(METRIC.stuckAnalyses, MetricUnit.Count, report.found);
    if (report.found) logger.info('sweeper: run done', { ...report });
    return report;
  }).use(observability()),
);
