// When the drain of a fence ends, to the millisecond.
//
// The bound (docs/fencing.md): every write the fenced region acknowledges was admitted under a
// lease that started no later than the fence's acknowledgement, and no later than the newest
// lease start the region recorded in the quorum (shared/app-state/lease-record.ts), read after
// the fence. The drain ends at the earlier of the two + lease + clock-skew margin: for a region
// that stopped renewing (cut off, down) that is the last renewal's, often already past.
//
// The drain (`DrainInFlightWrites`, a Wait on `$.fence.drainUntil`) must not end before the bound
// of docs/fencing.md: the fence's acknowledgement + lease + clock-skew margin. Step Functions
// "considers the time value up to seconds and truncates milliseconds" of a Wait's timestamp (ASL
// Wait state, docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-wait-state.html),
// so the Wait ends up to 999 ms early. Rounding its timestamp up instead cost every drain 0–999 ms
// of write outage (on average half a second) for nothing. The step after the Wait, whichever it is
// (the gate's check, promotion, the report's close), waits out the milliseconds left before it
// does anything (services/runbooks/step-handler.ts): the bound is kept to the millisecond.
//
// WriteMarkers alone runs before the drain ends (failover and failback ASL: markers, ChooseDrain,
// the drain, CheckReplication): a marker is not a write of the application, and what it is for, a
// replication that moves, then happens while the drain lasts instead of after it. The proof that
// every write arrived reads the journal in CheckReplication, after the drain.

/** The steps that may run before the drain ends (see above); every other step waits it out first. */
const STEPS_BEFORE_DRAIN: ReadonlySet<string> = new Set(['WriteMarkers']);

export function waitsForDrain(step: string): boolean {
  return !STEPS_BEFORE_DRAIN.has(step);
}

/** What a step's input may carry of its run's fence (`$.fence`, FenceResult). */
interface FenceInInput {
  fence?: { bestEffort?: unknown; drainUntil?: unknown } | null;
}

/**
 * Milliseconds left before this step may start: until the fence's drainUntil, for a fence that
 * needs a drain. A best-effort fence (ungraceful failover) has no drain: its bound becomes the
 * promoted region's writesResumeAt instead (steps/promote.ts), so nothing waits for it here.
 */
export function drainRemainingMs(input: unknown, nowMs: number): number {
  const fence = (input as FenceInInput | null)?.fence;
  if (!fence || fence.bestEffort === true || typeof fence.drainUntil !== 'string') return 0;
  const until = Date.parse(fence.drainUntil);
  return Number.isNaN(until) ? 0 : Math.max(0, until - nowMs);
}

export interface DrainBoundInput {
  /** Epoch ms by which the fence was acknowledged (taken after its write returned). */
  acknowledgedAt: number;
  /** The fenced region's newest recorded lease start (epoch ms), read after the fence; null if none or unreadable. */
  latestLeaseStart: number | null;
  leaseMs: number;
  clockSkewMarginMs: number;
}

/** Epoch ms from which the fenced region writes nothing. */
export function drainBoundMs(p: DrainBoundInput): number {
  const leaseFrom = p.latestLeaseStart === null ? p.acknowledgedAt : Math.min(p.acknowledgedAt, p.latestLeaseStart);
  return leaseFrom + p.leaseMs + p.clockSkewMarginMs;
}
