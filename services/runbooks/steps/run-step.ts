// Common frame of every step after Begin: time it, add a line to the run's report, and turn
// whatever it throws into a named error the state machine can Retry or Catch on.
import { RunbookError, RunbookStepFailed, TransientDependencyError } from '../errors';
import type { RunbookDocument } from '../model';
import type { ReportStore, RunbookLock } from './ports';

export interface StepOutput<T> {
  result: T;
  outcome: string;
  detail: string;
  /** False to keep a step out of the report (the gate's intermediate polls). */
  record?: boolean;
}

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'KMSThrottlingException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Is this an error of a dependency (AWS SDK, network) that a retry may clear? */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string; cause?: unknown };
  if (TRANSIENT_NAMES.has(e.name) || e.$retryable) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  return e.cause instanceof Error && e.cause !== error && isTransient(e.cause);
}

/** Named errors pass through; dependency failures become retryable; anything else is reported without internals. */
export function toStepError(step: string, error: unknown): RunbookError {
  if (error instanceof RunbookError) return error;
  const name = error instanceof Error ? error.name : 'non-Error value';
  if (isTransient(error)) return new TransientDependencyError(`${step}: a dependency failed (${name}); the state machine retries it.`);
  return new RunbookStepFailed(`${step} failed unexpectedly (${name}); see the function's logs.`);
}

export interface StepDeps {
  reports: ReportStore;
  clock: () => Date;
  onUnexpectedError?: (step: string, error: unknown) => void;
  /** With the lock and its lease, every step of a run that holds the lock renews it first. */
  lock?: Pick<RunbookLock, 'renew'>;
  config?: { lockLeaseSeconds: number };
}

export async function executeStep<T>(
  deps: StepDeps,
  doc: Pick<RunbookDocument, 'run'>,
  step: string,
  body: () => Promise<StepOutput<T>>,
): Promise<T> {
  const started = deps.clock();
  if (deps.lock && deps.config && doc.run.lockHeld) {
    // Best effort: a renewal that fails leaves the lease as it was, and the step still runs.
    const expiresAt = Math.floor(started.getTime() / 1000) + deps.config.lockLeaseSeconds;
    await deps.lock.renew(doc.run.executionId, expiresAt).catch(() => false);
  }
  const line = (outcome: string, detail: string) => ({
    step,
    at: started.toISOString(),
    durationMs: deps.clock().getTime() - started.getTime(),
    outcome,
    detail,
  });
  let output: StepOutput<T>;
  try {
    output = await body();
  } catch (error) {
    // The named error carries no internals; the original goes to the function's log.
    if (!(error instanceof RunbookError)) deps.onUnexpectedError?.(step, error);
    const named = toStepError(step, error);
    // The report must say where the run stopped even if writing it fails too.
    await deps.reports.appendStep(doc.run.executionName, line(named.name, named.message)).catch(() => undefined);
    throw named;
  }
  if (output.record !== false) {
    try {
      await deps.reports.appendStep(doc.run.executionName, line(output.outcome, output.detail));
    } catch (error) {
      throw toStepError(`${step} (report)`, error);
    }
  }
  return output.result;
}
