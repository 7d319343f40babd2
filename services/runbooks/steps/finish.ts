// Last step of every path, success or Catch: close the report (status, verdict, error as the
// operator sees it, recovery times) and release the lock. Its output is the execution's output
// on success and names the error of the final Fail state otherwise.
import { type RunOutcome, summariseOutcome } from '../decisions/outcome';
import type { RunbookDocument } from '../model';
import type { RunbookDeps } from './ports';
import { toStepError } from './run-step';

export interface FinishResult extends RunOutcome {
  executionId: string;
  runbook: RunbookDocument['run']['runbook'];
  dryRun: boolean;
  /** Fail states read these when the run failed. */
  errorName: string;
  errorMessage: string;
}

export async function finishRun(deps: Pick<RunbookDeps, 'clock' | 'reports' | 'lock'>, doc: RunbookDocument): Promise<FinishResult> {
  const now = deps.clock();
  const outcome = summariseOutcome(doc, now);
  try {
    await deps.reports.appendStep(doc.run.executionName, {
      step: doc.failure ? 'Abort' : 'Finish',
      at: now.toISOString(),
      durationMs: 0,
      outcome: outcome.verdict,
      detail: outcome.summary,
    });
    await deps.reports.finish(doc.run.executionName, {
      status: outcome.status,
      finishedAt: now.toISOString(),
      verdict: outcome.verdict,
      error: outcome.error,
      recovery: outcome.recovery,
      summary: outcome.summary,
      overrides: doc.plan?.overrides ?? [],
    });
    if (doc.run.lockHeld) await deps.lock.release(doc.run.executionId);
  } catch (error) {
    throw toStepError('Finish', error);
  }
  return {
    ...outcome,
    executionId: doc.run.executionId,
    runbook: doc.run.runbook,
    dryRun: doc.run.dryRun,
    errorName: outcome.error?.name ?? '',
    errorMessage: outcome.error?.message ?? '',
  };
}
