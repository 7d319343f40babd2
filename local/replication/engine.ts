import { peerOf } from '../region-pair';
import { type EchoExpectation, EchoLedger } from './echo-ledger';
import { LagWindow } from './lag-stats';
import { isNewer, newest, nextLocalStamp, type Stamp } from './stamps';

/** One change read from a region's change feed (table stream or bucket notifications). */
export interface ObservedChange<P> {
  key: string;
  /** Content digest, compared with the replicator's own writes to recognise their echoes. */
  fingerprint: string;
  payload: P;
  /** When the replicator read the change. */
  observedAt: number;
  /** Best known time of the change itself (<= observedAt); lag is measured from it. */
  changeTime: number;
}

export interface Write<P> extends ObservedChange<P> {
  origin: string;
  stamp: Stamp;
}

export interface Job<P> {
  id: number;
  from: string;
  to: string;
  write: Write<P>;
  /** Re-sends a winning write into a region that ended up holding an older version. */
  repair: boolean;
  attempts: number;
  /** When it may be delivered: its own drawn delay after it was queued, or the backoff after a failed try. */
  dueAt: number;
}

/** How long a job waits before delivery (ms): drawn per job, so jobs overtake each other. */
export type DelayOf<P> = (job: Pick<Job<P>, 'from' | 'to' | 'write' | 'repair'>) => number;

export type ApplyOutcome =
  /** Written; its echo will still arrive on the target's change feed. */
  | 'applied-echo-pending'
  /** Written (or already identical); no echo will arrive for it. */
  | 'applied-no-echo'
  /** The source no longer holds this version (S3: deleted or replaced before it could be copied). */
  | 'source-gone'
  /** The target got a newer version while the write was being prepared. */
  | 'superseded';

export interface ApplyAttempt<P> {
  job: Job<P>;
  /**
   * Announces the content about to be written; call right before issuing the write. False
   * means the target already holds something newer: do not write.
   */
  expectEcho(fingerprint: string): boolean;
}

export interface DirectionStat {
  table: string;
  from: string;
  to: string;
  lastLagMs: number | null;
  maxLagMs: number | null;
  p50LagMs: number | null;
  /** Of the last 1,024 deliveries. */
  p99LagMs: number | null;
  /** Changes read from the source and not yet delivered or discarded. */
  pending: number;
  /** Of those, being written right now. */
  inFlight: number;
  /** Writes made into the target, conflict repairs included. */
  applied: number;
  /** Changes not delivered because the target already held a newer version (last-writer-wins). */
  superseded: number;
  /** Conflict repairs among `applied`. */
  repairs: number;
  /** The replicator's own writes recognised on the target's feed and not sent back. */
  echoesSuppressed: number;
  /** Changes not written because the target's own feed already showed that exact content. */
  alreadyThere: number;
  lastAppliedAt: string | null;
  oldestPendingAgeMs: number | null;
}

interface ItemState<P> {
  winner?: Write<P>;
  /** Per region: stamp of the version the region holds, as its own feed last told (or as last written without echo). */
  seen: Map<string, Stamp>;
  /** Per region: content fingerprint of that version. */
  seenContent: Map<string, string>;
  /** Per region: how many local changes were observed, to tell whether one slipped in during a write. */
  localChanges: Map<string, number>;
}

interface Direction<P> {
  from: string;
  to: string;
  /** Pending jobs by due time (ties: queueing order). */
  queue: Job<P>[];
  /** The same jobs per item key. */
  byKey: Map<string, Set<Job<P>>>;
  /** Items being written into `to` right now: one write per item at a time. */
  busyKeys: Set<string>;
  lag: LagWindow;
  applied: number;
  superseded: number;
  repairs: number;
  echoesSuppressed: number;
  alreadyThere: number;
  lastAppliedAt: number | null;
}

const byDue = <P>(a: Job<P>, b: Job<P>): number => a.dueAt - b.dueAt || a.id - b.id;

/** Index of the first job that sorts at or after `job`. */
function lowerBound<P>(queue: Job<P>[], job: Job<P>): number {
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byDue(queue[mid] as Job<P>, job) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Attempt<P> extends ApplyAttempt<P> {
  expectation?: EchoExpectation;
  localChangesAtStart: number;
}

/**
 * Last-writer-wins replication of one data set (a table, or a pair of buckets) between two
 * regions. Pure state: it is told what each region's feed says and which writes succeeded,
 * and it decides what to write where. Convergence rule: after every feed change, a region
 * that holds an older version than the item's winner gets the winner, unless a delivery of
 * it (or of something newer) is already on its way.
 *
 * Every change is delivered on its own, after its own delay (see ./delays.ts): items of one
 * table arrive in any order, as on AWS. Only writes into the same item are serialised (one
 * at a time per item and target, which the echo ledger relies on), and a write that arrives
 * after a newer one of the same item is discarded, as last-writer-wins does.
 */
export class ReplicationEngine<P> {
  private readonly items = new Map<string, ItemState<P>>();
  private readonly directions = new Map<string, Direction<P>>();
  private readonly ledger = new EchoLedger();
  private nextSeq = 1;
  private nextJobId = 1;
  private inFlight = 0;

  constructor(
    readonly label: (from: string) => string,
    private readonly regions: readonly [string, string],
    /** Default: no delay. */
    private readonly delayOf: DelayOf<P> = () => 0,
  ) {
    if (regions[0] === regions[1]) throw new RangeError('Replication needs two different regions');
    for (const [from, to] of [regions, [regions[1], regions[0]]] as const) {
      this.directions.set(`${from}>${to}`, {
        from,
        to,
        queue: [],
        byKey: new Map(),
        busyKeys: new Set(),
        lag: new LagWindow(),
        applied: 0,
        superseded: 0,
        repairs: 0,
        echoesSuppressed: 0,
        alreadyThere: 0,
        lastAppliedAt: null,
      });
    }
  }

  peerOf(region: string): string {
    return peerOf(this.regions, region);
  }

  private direction(from: string, to: string): Direction<P> {
    const direction = this.directions.get(`${from}>${to}`);
    if (!direction) throw new RangeError(`Unknown direction ${from} -> ${to}`);
    return direction;
  }

  private item(key: string): ItemState<P> {
    let state = this.items.get(key);
    if (!state) {
      state = { seen: new Map(), seenContent: new Map(), localChanges: new Map() };
      this.items.set(key, state);
    }
    return state;
  }

  /** Feeds one change read from `region`, in that region's feed order. Returns whether it was an echo. */
  observe(region: string, change: ObservedChange<P>): 'echo' | 'local' {
    const peer = this.peerOf(region);
    const item = this.item(change.key);
    const echo = this.ledger.match(region, change.key, change.fingerprint);
    item.seenContent.set(region, change.fingerprint);
    if (echo) {
      item.seen.set(region, echo.stamp);
      this.direction(peer, region).echoesSuppressed++;
      this.repairIfBehind(change.key, item, region, change.observedAt);
      return 'echo';
    }
    item.localChanges.set(region, (item.localChanges.get(region) ?? 0) + 1);
    const stamp = nextLocalStamp(item.seen.get(region), change.observedAt, region, this.nextSeq++);
    const write: Write<P> = { ...change, origin: region, stamp };
    item.seen.set(region, stamp);
    if (item.winner === undefined || isNewer(stamp, item.winner.stamp)) item.winner = write;
    // Queued even when it already lost: delivery re-checks it against what the target holds.
    this.enqueue(region, peer, write, false, change.observedAt);
    this.repairIfBehind(change.key, item, region, change.observedAt);
    return 'local';
  }

  private enqueue(from: string, to: string, write: Write<P>, repair: boolean, now: number): void {
    const delay = Math.max(0, this.delayOf({ from, to, write, repair }));
    this.schedule(this.direction(from, to), { id: this.nextJobId++, from, to, write, repair, attempts: 0, dueAt: now + delay });
  }

  private schedule(direction: Direction<P>, job: Job<P>): void {
    direction.queue.splice(lowerBound(direction.queue, job), 0, job);
    let jobs = direction.byKey.get(job.write.key);
    if (!jobs) {
      jobs = new Set();
      direction.byKey.set(job.write.key, jobs);
    }
    jobs.add(job);
  }

  private unschedule(direction: Direction<P>, job: Job<P>): void {
    const at = lowerBound(direction.queue, job);
    if (direction.queue[at] === job) direction.queue.splice(at, 1);
    const jobs = direction.byKey.get(job.write.key);
    jobs?.delete(job);
    if (jobs?.size === 0) direction.byKey.delete(job.write.key);
  }

  /** Newest version the region holds or is about to hold (written, echo not yet read, or queued for it). */
  private headingTo(key: string, item: ItemState<P>, region: string): Stamp | undefined {
    let best = newest(item.seen.get(region), this.ledger.newestPending(region, key));
    for (const job of this.direction(this.peerOf(region), region).byKey.get(key) ?? []) best = newest(best, job.write.stamp);
    return best;
  }

  private repairIfBehind(key: string, item: ItemState<P>, region: string, now: number): void {
    const winner = item.winner;
    if (!winner || !isNewer(winner.stamp, this.headingTo(key, item, region))) return;
    this.enqueue(this.peerOf(region), region, winner, true, now);
  }

  /** The earliest-due job of a direction whose item is not being written already, if one is due. */
  due(from: string, to: string, now: number): Job<P> | undefined {
    const direction = this.direction(from, to);
    for (const job of direction.queue) {
      if (job.dueAt > now) return undefined;
      if (!direction.busyKeys.has(job.write.key)) return job;
    }
    return undefined;
  }

  /** True when the target already holds (or is being sent) this write or a newer one. */
  private supersededAt(job: Job<P>): boolean {
    const item = this.item(job.write.key);
    const target = newest(item.seen.get(job.to), this.ledger.newestPending(job.to, job.write.key));
    return !isNewer(job.write.stamp, target);
  }

  /**
   * Starts delivering a due job; undefined (and the job is settled) when it lost to a newer
   * version, or when the target's feed already showed this very content.
   */
  begin(job: Job<P>): ApplyAttempt<P> | undefined {
    const direction = this.direction(job.from, job.to);
    if (!direction.byKey.get(job.write.key)?.has(job)) throw new Error('Only a pending job can be delivered');
    if (direction.busyKeys.has(job.write.key)) throw new Error('Another write into this item is in flight');
    if (this.supersededAt(job)) {
      this.unschedule(direction, job);
      direction.superseded++;
      return undefined;
    }
    const item = this.item(job.write.key);
    if (item.seenContent.get(job.to) === job.write.fingerprint && this.ledger.newestPending(job.to, job.write.key) === undefined) {
      // Same content already there (both regions wrote it, e.g. a seed): nothing to write, and
      // DynamoDB would write no stream record for it either.
      this.unschedule(direction, job);
      direction.alreadyThere++;
      item.seen.set(job.to, job.write.stamp);
      this.repairIfBehind(job.write.key, item, job.to, job.dueAt);
      return undefined;
    }
    direction.busyKeys.add(job.write.key);
    this.inFlight++;
    const attempt: Attempt<P> = {
      job,
      localChangesAtStart: this.item(job.write.key).localChanges.get(job.to) ?? 0,
      expectEcho: (fingerprint) => {
        if (attempt.expectation) this.ledger.cancel(attempt.expectation);
        if (this.supersededAt(job)) return false;
        attempt.expectation = this.ledger.expect(job.to, job.write.key, fingerprint, job.write.stamp);
        return true;
      },
    };
    return attempt;
  }

  complete(handle: ApplyAttempt<P>, outcome: ApplyOutcome, now: number): void {
    const attempt = handle as Attempt<P>;
    const { job } = attempt;
    const direction = this.direction(job.from, job.to);
    this.inFlight--;
    direction.busyKeys.delete(job.write.key);
    this.unschedule(direction, job);
    const item = this.item(job.write.key);
    if (outcome === 'superseded' || outcome === 'source-gone') {
      if (attempt.expectation) this.ledger.cancel(attempt.expectation);
      direction.superseded++;
      return;
    }
    direction.applied++;
    if (job.repair) direction.repairs++;
    direction.lag.record(now - job.write.changeTime);
    direction.lastAppliedAt = now;
    if (outcome === 'applied-no-echo' && attempt.expectation && this.ledger.cancel(attempt.expectation)) {
      // No feed record will say the target now holds this version; record it here unless
      // the application changed the item meanwhile (that change was stamped after it).
      if ((item.localChanges.get(job.to) ?? 0) === attempt.localChangesAtStart) {
        item.seen.set(job.to, job.write.stamp);
        item.seenContent.set(job.to, job.write.fingerprint);
      }
      this.repairIfBehind(job.write.key, item, job.to, now);
    }
  }

  /** The write failed: the job stays pending and is retried after a backoff. */
  fail(handle: ApplyAttempt<P>, now: number): void {
    const attempt = handle as Attempt<P>;
    const { job } = attempt;
    const direction = this.direction(job.from, job.to);
    this.inFlight--;
    direction.busyKeys.delete(job.write.key);
    if (attempt.expectation) this.ledger.cancel(attempt.expectation);
    this.unschedule(direction, job);
    job.attempts++;
    job.dueAt = now + Math.min(2000, 50 * 2 ** job.attempts);
    this.schedule(direction, job);
  }

  /** Nothing queued, nothing being written, no echo awaited. */
  get idle(): boolean {
    if (this.inFlight > 0 || this.ledger.size > 0) return false;
    for (const direction of this.directions.values()) if (direction.queue.length > 0) return false;
    return true;
  }

  /** The value both regions should converge to for an item (undefined: never written since start). */
  winnerOf(key: string): Write<P> | undefined {
    return this.items.get(key)?.winner;
  }

  stats(now: number): DirectionStat[] {
    return [...this.directions.values()].map((d) => {
      const oldest = d.queue.reduce<number | null>(
        (min, job) => (min === null ? job.write.changeTime : Math.min(min, job.write.changeTime)),
        null,
      );
      return {
        table: this.label(d.from),
        from: d.from,
        to: d.to,
        lastLagMs: d.lag.last,
        maxLagMs: d.lag.max,
        p50LagMs: d.lag.p50,
        p99LagMs: d.lag.p99,
        pending: d.queue.length,
        inFlight: d.busyKeys.size,
        applied: d.applied,
        superseded: d.superseded,
        repairs: d.repairs,
        echoesSuppressed: d.echoesSuppressed,
        alreadyThere: d.alreadyThere,
        lastAppliedAt: d.lastAppliedAt === null ? null : new Date(d.lastAppliedAt).toISOString(),
        oldestPendingAgeMs: oldest === null ? null : Math.max(0, now - oldest),
      };
    });
  }
}
