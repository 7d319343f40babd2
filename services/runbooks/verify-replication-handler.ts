// Scheduled entry point of the background verification (functions.yml, verifyReplication): one
// run of steps/background-verify.ts per invocation. Its errors are logged, never thrown: the
// schedule does not retry (maximumRetryAttempts 0) and the next minute's run carries on anyway.
import { randomUUID } from 'node:crypto';
import { lambdaEntry, logger } from '../../shared/powertools';
import { type BackgroundRunResult, verifyInBackground } from './steps/background-verify';
import { photoObjects, runbookDeps } from './wiring';

const deps = runbookDeps({ objects: photoObjects });

/** Half the invocation proves; the rest covers the last call's overrun and the save, far from the timeout. */
const BUDGET_SHARE = 0.5;

export const handler = lambdaEntry(
  async (event: { dryRun?: unknown } | null, context): Promise<BackgroundRunResult | { outcome: 'failed'; error: string }> => {
    const remaining = context.getRemainingTimeInMillis();
    try {
      const result = await verifyInBackground(deps, {
        runId: `background-${randomUUID()}`,
        budgetMs: Math.floor(remaining * BUDGET_SHARE),
        leaseMs: remaining,
        dryRun: event?.dryRun === true,
      });
      logger.info('Background verification', { ...result });
      return result;
    } catch (error) {
      logger.error('Background verification failed', { error: error as Error });
      return { outcome: 'failed', error: (error as Error).name };
    }
  },
);
