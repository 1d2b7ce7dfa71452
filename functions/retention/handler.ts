// The scheduled retention job (an EventBridge rule invokes it daily; `npm run retention` locally):
// clears the personal information of folders older than the configured retention.
import { retentionConfigFromEnv, runRetention, type RetentionReport } from '../../layers/core/privacy';
import { coreDeps } from '../wiring';

/** Time left for the folder in progress when the run stops starting new ones. */
export const SAFETY_MARGIN_MS = 60_000;
/** Without a Lambda context (a run by hand), the run stops starting folders after this long. */
const DEFAULT_BUDGET_MS = 4 * 60_000;

export const handler = async (_event?: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<RetentionReport> => {
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS : Date.now() + DEFAULT_BUDGET_MS;
  const config = retentionConfigFromEnv();
  if (config.days === 0) console.log(JSON.stringify({ msg: 'retention: OZ_RETENTION_DAYS is 0 or unset: only companies with their own retention_days are cleared' }));
  return runRetention(coreDeps(), config, { deadline, log: (entry) => console.log(JSON.stringify(entry)) });
};
