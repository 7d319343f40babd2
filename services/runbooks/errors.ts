// Named runbook errors. Step Functions matches Retry/Catch on the error name, the CLI prints
// it, and alarms/reports group by it, so every name is set explicitly (minifiers rename classes).
// Messages are written for the on-call engineer: what was refused and what to do next; they
// never carry SDK internals (see toStepError in steps/run-step.ts).

export abstract class RunbookError extends Error {
  abstract override readonly name: string;
}

/** The execution input is malformed: nothing was read or written. */
export class InvalidRunbookInput extends RunbookError {
  override readonly name = 'InvalidRunbookInput';
}

/** Another runbook execution holds the lock: this one changed nothing. */
export class RunbookLocked extends RunbookError {
  override readonly name = 'RunbookLocked';
}

/** The runbook was started in a region that cannot run it (failover runs in the secondary, failback in the primary). */
export class WrongRegion extends RunbookError {
  override readonly name = 'WrongRegion';
}

/** The application state does not allow this runbook (e.g. failover while already failed over). */
export class IllegalRunbookState extends RunbookError {
  override readonly name = 'IllegalRunbookState';
}

/** The caller acted on a version of the state that is no longer current. */
export class StaleStateVersion extends RunbookError {
  override readonly name = 'StaleStateVersion';
}

/** Automatic run refused: the SSM kill switch is not "enabled". */
export class AutoFailoverDisabled extends RunbookError {
  override readonly name = 'AutoFailoverDisabled';
}

/** Automatic run refused: the previous automatic failover is too recent. */
export class AutoFailoverTooSoon extends RunbookError {
  override readonly name = 'AutoFailoverTooSoon';
}

/** The region to activate is not healthy by its own probe (or, for automatic runs, not known to be). */
export class TargetRegionUnhealthy extends RunbookError {
  override readonly name = 'TargetRegionUnhealthy';
}

/** `force` cannot be used by automatic runs: overriding a safety rule is a human decision. */
export class ForceNotAllowed extends RunbookError {
  override readonly name = 'ForceNotAllowed';
}

/** Failback is never automatic. */
export class FailbackNeverAutomatic extends RunbookError {
  override readonly name = 'FailbackNeverAutomatic';
}

/** Failback refused: the primary has not been healthy for the configured period (or nobody vouched for it). */
export class PrimaryNotReady extends RunbookError {
  override readonly name = 'PrimaryNotReady';
}

/** The replication gate did not pass before its deadline. The state stays fenced. */
export class ReplicationGateTimeout extends RunbookError {
  override readonly name = 'ReplicationGateTimeout';
}

/** Failback blocked: stranded writes conflict with writes made since the failover. */
export class UnresolvedConflicts extends RunbookError {
  override readonly name = 'UnresolvedConflicts';
}

/** A transition's conditional write lost to another writer (state or version changed underneath). */
export class TransitionRejected extends RunbookError {
  override readonly name = 'TransitionRejected';
}

/** A dependency failed in a way that is worth retrying (throttling, 5xx, network). Step Functions retries it. */
export class TransientDependencyError extends RunbookError {
  override readonly name = 'TransientDependencyError';
}

/** A step failed for a reason that is neither a refusal nor transient. Details are in the function's logs. */
export class RunbookStepFailed extends RunbookError {
  override readonly name = 'RunbookStepFailed';
}

/** An automatic run found a fence it did not set (an operator's, or another run's): it never resumes or lifts it. */
export class FenceNotOwned extends RunbookError {
  override readonly name = 'FenceNotOwned';
}

/** The primary still renews its heartbeat in the quorum: it is alive; only the link to it is cut. No automatic failover. */
export class PrimaryStillAlive extends RunbookError {
  override readonly name = 'PrimaryStillAlive';
}

/** This region cannot reach a majority of the quorum, so it can neither check the primary nor promote itself. */
export class QuorumUnreachable extends RunbookError {
  override readonly name = 'QuorumUnreachable';
}

/** The refusals a plan can carry, by error name: decisions stay data, the step throws. */
export const REFUSAL_ERRORS = {
  RunbookLocked,
  WrongRegion,
  IllegalRunbookState,
  StaleStateVersion,
  AutoFailoverDisabled,
  AutoFailoverTooSoon,
  TargetRegionUnhealthy,
  ForceNotAllowed,
  FailbackNeverAutomatic,
  PrimaryNotReady,
  UnresolvedConflicts,
  FenceNotOwned,
  PrimaryStillAlive,
  QuorumUnreachable,
} as const;

export type RefusalError = keyof typeof REFUSAL_ERRORS;

export function refusalError(name: RefusalError, message: string): RunbookError {
  return new REFUSAL_ERRORS[name](message);
}
