// The scheduled sweeper (an EventBridge rule, every 5 minutes; the local runtime runs it on the same
// rate): analyses PROCESSING for longer than OZ_STUCK_AFTER_SECONDS end FAILED with ANALYSIS_STUCK.
import { stuckAfterSecondsFromEnv, sweepStuckAnalyses, type SweepReport } from '../../layers/core/stranded';
import { coreDeps, webhookStarter } from '../wiring';
import { emitMetric } from '../metrics';

export const handler = async (): Promise<SweepReport> => {
  const report = await sweepStuckAnalyses(coreDeps(), webhookStarter(), stuckAfterSecondsFromEnv(), (entry) => console.log(JSON.stringify(entry)));
  if (report.found) console.log(JSON.stringify({ msg: 'sweeper: run done', ...report }));
  // Every run, zeros included: the StuckAnalyses alarm (infra/observability.ts) sees a steady series.
  emitMetric('StuckAnalyses', report.found, 'Count');
  return report;
};
