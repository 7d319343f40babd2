// The error shapes the local emulations of AWS (the replicator, the quorum store) share: a setup
// they cannot work with, a wait for their copies that gave up with work pending, and a call that
// found them stopped. Each emulation names its own subclasses (local/replication/errors.ts,
// local/quorum/errors.ts); tests and drills match on those names.

/** Options or settings an emulation cannot work with (an unknown region, a negative duration...). */
export class EmulationConfigError extends Error {}

/** A wait for an emulation's copies to catch up gave up: what was still pending when its time ran out. */
export class EmulationWaitTimeout extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly pending: string[],
    message: string,
  ) {
    super(message);
  }
}

/** The emulation was stopped (or never started) while the call needed it. */
export class EmulationStopped extends Error {}
