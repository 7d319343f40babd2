// The one frame of every runbook Lambda (a Step Functions Task): log the step with the
// execution it belongs to, run it, let its named error propagate (the state machine matches on
// error.name). No middy: there is no HTTP to parse or serialise here.
import { logger } from '../../shared/powertools';

interface StepEvent {
  run?: { executionName?: string; runbook?: string };
  execution?: { Name?: string };
  runbook?: string;
}

export function stepHandler<E, R>(step: string, body: (event: E) => Promise<R>): (event: E) => Promise<R> {
  return async (event: E) => {
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
  };
}
