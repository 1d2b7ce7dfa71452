// The scheduled retention job (an EventBridge rule invokes it daily; `npm run retention` locally):
// clears the personal information of folders older than the configured retention.
import type { Context } from 'aws-lambda';
import { runRetention, type RetentionReport } from '../../layers/core/privacy';
import { coreDeps } from '../wiring';
import { retentionConfigOf } from '../config';
import { lambdaEntry } from '../lambda';
import { logEntry, logger, observability } from '../observability';

/** Time left for the folder in progress when the run stops starting new ones. */
export const SAFETY_MARGIN_MS = 60_000;
/** Without a Lambda context (a run by hand), the run stops starting folders after this long. */
const DEFAULT_BUDGET_MS = 4 * 60_000;

export const handler = lambdaEntry<unknown, RetentionReport>((middy, appConfig) =>
  middy(async (_event: unknown, context: Context) => {
    const deadline = context.getRemainingTimeInMillis ? Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS : Date.now() + DEFAULT_BUDGET_MS;
    const config = retentionConfigOf(appConfig);
    if (config.days === 0) logger.info('retention: OZ_RETENTION_DAYS is 0 or unset: only companies with their own retention_days are cleared');
    return runRetention(coreDeps(), config, { deadline, log: logEntry });
  }).use(observability()),
);
