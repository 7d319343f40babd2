// The one frame of every runbook Lambda (a Step Functions Task): the Powertools frame of every
// entry point (Lambda context in the logs, the handler's trace subsegment), then log the step with
// the execution it belongs to, run it, let its named error propagate (the state machine matches on
// error.name). There is no HTTP to parse or serialise here.
import type { Context } from 'aws-lambda';
import { lambdaEntry, logger } from '../../shared/powertools';

interface StepEvent {
  run?: { executionName?: string; runbook?: string };
  execution?: { Name?: string };
  runbook?: string;
}

export function stepHandler<E, R>(step: string, body: (event: E) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return lambdaEntry(async (event: E) => {
    const e = (event ?? {}) as StepEvent;
    logger.appendKeys({
      step,
      execution: e.run?.executionName ?? e.execution?.Name ?? 'unknown',
      runbook: e.run?.runbook ?? e.runbook ?? 'unknown',
    });
    try {
      const result = await body(event);
      logger.info('Runbook step done');
      return result;
    } catch (error) {
      logger.warn('Runbook step ended with an error', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
}
