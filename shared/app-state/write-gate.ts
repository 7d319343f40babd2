// What every write of the photos and comments services goes through: is this region the one
// accepting writes right now, and does it still hold a write lease? (docs/fencing.md)
//
// The state comes from the quorum store with a strongly consistent read. Such a read succeeds
// only in a region that reaches a majority of the quorum's participants (DynamoDB developer
// guide, "Multi-Region strong consistency"), so a successful read that says "writable here" is a
// lease: for `leaseMs` from the moment the read STARTED, no other region can have been promoted
// without this region being able to see it (a promotion waits the lease out before its region
// takes writes). The lease is renewed by reading again once a third of it is used; a region cut off
// from the quorum cannot renew it and stops acknowledging writes by itself when it ends
// (RegionIsolated). Every admitted write gets the lease's end as its deadline (write-deadline.ts):
// a write not sent by then is admitted again, under the state as the quorum says it now.
//
// Before each read the gate records the renewal's start in the region's lease record in the
// quorum (lease-record.ts) and counts the lease from that start. A runbook taking writes away
// from this region reads the record after its transition: no lease of this region started later,
// so a region that stopped renewing (cut off, down) is known to write nothing from the recorded
// start + lease + margin on, which after a detection of several seconds is already past.
import { RegionIsolated, WritesFenced, WritesResuming, WrongRegion } from './errors';
import { type AppState, writeRefusal } from './model';
import type { AppStateStore } from './store';
import { setWriteDeadline } from './write-deadline';

export interface WriteGate {
  /** The current state if this region accepts writes; throws WritesFenced, WrongRegion, WritesResuming or RegionIsolated otherwise. */
  assertWritable(): Promise<AppState>;
  /** The state as last confirmed by the quorum, read again when a third of the lease is used. Throws when it cannot be confirmed. */
  current(): Promise<AppState>;
}

export interface WriteGateOptions {
  store: Pick<AppStateStore, 'get'>;
  /** The region this code runs in. */
  region: string;
  clock?: () => Date;
  /** How long a successful strongly consistent read lets this region accept writes (the stage's quorum.writeLeaseMillis). */
  leaseMs: number;
  /**
   * Records a renewal's start (epoch ms) in the quorum before the read (LeaseRecords.record). A
   * renewal whose record fails fails like a failed read. Omitted only where nothing reads the
   * record (unit tests of the lease's own arithmetic).
   */
  recordLease?: (startedAt: number) => Promise<void>;
  /** Retry-After hint carried by refusals. */
  retryAfterSeconds?: number;
  onRenewalFailed?(error: unknown): void;
}

interface Confirmed {
  state: AppState;
  /** When the renewal started (before its lease record and its read): the lease counts from there. */
  readStartedAt: number;
}

/** A refusal comes from a state read at most this long ago (see decide). */
export const REFUSAL_RECHECK_MS = 100;

export function createWriteGate(options: WriteGateOptions): WriteGate {
  const { store, region, leaseMs } = options;
  const clock = options.clock ?? (() => new Date());
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new RangeError('leaseMs must be a finite number > 0');
  // Renewed once a third is used, so an admitted write keeps at least two thirds of a lease for its work.
  const renewAfterMs = leaseMs / 3;

  let confirmed: Confirmed | undefined;
  // Concurrent callers share one read instead of each starting their own.
  let inFlight: Promise<Confirmed> | undefined;

  const age = (c: Confirmed, now: number) => now - c.readStartedAt;
  // A clock that went backwards makes an age meaningless: treat it as expired.
  const within = (c: Confirmed | undefined, now: number, limit: number): c is Confirmed =>
    c !== undefined && now >= c.readStartedAt && age(c, now) < limit;

  function renew(): Promise<Confirmed> {
    inFlight ??= (async () => {
      const readStartedAt = clock().getTime();
      try {
        // Recorded (acknowledged by the quorum) before the read: a runbook that reads the record
        // after its transition sees this start for every lease a read before the transition granted.
        await options.recordLease?.(readStartedAt);
        const state = await store.get({ consistent: true });
        const next = { state, readStartedAt };
        if (!confirmed || next.readStartedAt >= confirmed.readStartedAt) confirmed = next;
        return next;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  /** The newest confirmed state whose lease has not ended, renewing it when half used. */
  async function leased(): Promise<Confirmed> {
    const now = clock().getTime();
    if (within(confirmed, now, renewAfterMs)) return confirmed;
    try {
      return await renew();
    } catch (error) {
      options.onRenewalFailed?.(error);
      // The lease read before still covers this moment: a blip of the quorum costs nothing.
      const later = clock().getTime();
      if (within(confirmed, later, leaseMs)) return confirmed;
      throw new RegionIsolated(region, options.retryAfterSeconds);
    }
  }

  /**
   * The state to decide on: the lease's, but a refusal is only given from a read younger than
   * REFUSAL_RECHECK_MS. An older one is read again first, so the region promoted a moment ago does
   * not send a client back to the region it replaced (WrongRegion) for the rest of a third of a
   * lease. Admitting from the cache is what the lease is for; refusing from it is not. Callers
   * share the one read (renew); if it fails, the cached refusal stands.
   */
  async function decide(): Promise<{ lease: Confirmed; now: Date; refusal: ReturnType<typeof writeRefusal> }> {
    const lease = await leased();
    const now = clock();
    const refusal = writeRefusal(lease.state, region, now);
    if (refusal === undefined || age(lease, now.getTime()) < REFUSAL_RECHECK_MS) return { lease, now, refusal };
    const fresh = await renew().catch(() => lease);
    const later = clock();
    return { lease: fresh, now: later, refusal: writeRefusal(fresh.state, region, later) };
  }

  async function assertWritable(): Promise<AppState> {
    const { lease, now, refusal } = await decide();
    if (refusal === undefined) {
      const deadline = lease.readStartedAt + leaseMs;
      if (now.getTime() >= deadline) throw new RegionIsolated(region, options.retryAfterSeconds);
      setWriteDeadline(deadline, async () => {
        await assertWritable();
      });
      return lease.state;
    }
    if (refusal.code === 'WRITES_FENCED') throw new WritesFenced(options.retryAfterSeconds);
    if (refusal.code === 'WRITES_RESUMING') throw new WritesResuming(refusal.resumeAt, now);
    throw new WrongRegion(refusal.writableRegion, region);
  }

  return { assertWritable, current: async () => (await leased()).state };
}
