// The one frame of every runbook Lambda (a Step Functions Task): the Powertools frame of every
// entry point (Lambda context in the logs, the handler's trace subsegment), then log the step with
// the execution it belongs to, run it, let its named error propagate (the state machine matches on
// error.name). There is no HTTP to parse or serialise here. Every step but WriteMarkers first waits
// out what is left of its run's drain (decisions/drain.ts).
import type { Context } from 'aws-lambda';
import { lambdaEntry, logger } from '../../shared/powertools';
import { drainRemainingMs, waitsForDrain } from './decisions/drain';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once the run's drain has ended to the millisecond (at most the milliseconds Step
 * Functions truncated from the Wait's timestamp, or the whole drain on a path without one).
 */
export async function afterDrain(input: unknown, now: () => number = Date.now, sleep = realSleep): Promise<void> {
  // Again until the clock says so: a timer may fire a millisecond before Date.now() reaches its
  // end (Node's timers run on the event loop's cached monotonic time; a CI run met it).
  for (let remaining = drainRemainingMs(input, now()); remaining > 0; remaining = drainRemainingMs(input, now())) {
    await sleep(remaining);
  }
}

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
      if (waitsForDrain(step)) await afterDrain(event);
      const result = await body(event);
      logger.info('Runbook step done');
      return result;
    } catch (error) {
      logger.warn('Runbook step ended with an error', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
}
