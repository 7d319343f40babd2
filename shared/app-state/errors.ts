// Named errors of the application state. Every class sets `name` and a stable `code`
// explicitly: bundles are minified, and the HTTP edge (shared/http), metrics and runbooks
// match on these strings. Messages are safe to show to a client: they name states,
// versions and regions, never storage details.
import type { AppStateName } from './model';

export abstract class AppStateError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;
}

/** The state machine has no such edge (e.g. failover → active without fencing first). Nothing was written. */
export class IllegalTransition extends AppStateError {
  override readonly name = 'IllegalTransition';
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly from: AppStateName,
    readonly to: AppStateName,
  ) {
    super(
      from === 'active' && to === 'failover'
        ? 'Transition from active to failover is only allowed as an ungraceful failover; fence first otherwise'
        : `Transition from ${from} to ${to} is not allowed`,
    );
  }
}

/** The caller acted on a version of the state that is no longer current: someone else transitioned first. */
export class StaleVersion extends AppStateError {
  override readonly name = 'StaleVersion';
  readonly code = 'STALE_VERSION';
  constructor(
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`The state is at version ${actualVersion}, not the expected version ${expectedVersion}`);
  }
}

/** The version matched but the state did not: the caller's idea of the current state is wrong. */
export class StateMismatch extends AppStateError {
  override readonly name = 'StateMismatch';
  readonly code = 'STATE_MISMATCH';
  constructor(
    readonly expectedState: AppStateName,
    readonly actualState: AppStateName,
    readonly version: number,
  ) {
    super(`The state at version ${version} is ${actualState}, not the expected ${expectedState}`);
  }
}

/** A transition command that can never be valid (bad version number, empty updatedBy or reason). */
export class InvalidTransitionCommand extends AppStateError {
  override readonly name = 'InvalidTransitionCommand';
  readonly code = 'INVALID_TRANSITION_COMMAND';
}

/** Writes are paused while the application is fenced; the client should retry shortly. */
export class WritesFenced extends AppStateError {
  override readonly name = 'WritesFenced';
  readonly code = 'WRITES_FENCED';
  constructor(readonly retryAfterSeconds = 5) {
    super('Writes are paused while the application switches regions; retry shortly');
  }
}

/** This region is not the one accepting writes; the client should send the write to `writableRegion`. */
export class WrongRegion extends AppStateError {
  override readonly name = 'WrongRegion';
  readonly code = 'WRONG_REGION';
  constructor(
    readonly writableRegion: string,
    readonly region: string,
  ) {
    super(`Writes are accepted in ${writableRegion}, not in ${region}`);
  }
}

/**
 * This region cannot confirm the state with the quorum (it is cut off from a majority of its
 * participants) and its write lease has ended: it acknowledges no write until it can. Reads are
 * still served.
 */
export class RegionIsolated extends AppStateError {
  override readonly name = 'RegionIsolated';
  readonly code = 'REGION_ISOLATED';
  constructor(
    readonly region: string,
    readonly retryAfterSeconds = 2,
  ) {
    super(`${region} cannot confirm the application state with the quorum, so it accepts no writes; retry shortly or use the other region`);
  }
}

/**
 * This region was just made the writable one and waits until every write lease the other region
 * could still hold has ended (docs/fencing.md); the client should retry after Retry-After.
 */
export class WritesResuming extends AppStateError {
  override readonly name = 'WritesResuming';
  readonly code = 'WRITES_RESUMING';
  readonly retryAfterSeconds: number;
  constructor(
    readonly resumeAt: Date,
    now: Date,
  ) {
    super(`Writes resume here at ${resumeAt.toISOString()}, once the previous region's write lease has ended`);
    this.retryAfterSeconds = Math.max(1, Math.ceil((resumeAt.getTime() - now.getTime()) / 1000));
  }
}

/**
 * The stored state item is not a valid state (hand-edited, or written by something else).
 * Internal: the HTTP edge answers it as an opaque 500 and logs it.
 */
export class CorruptAppState extends Error {
  override readonly name = 'CorruptAppState';
}
