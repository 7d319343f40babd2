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
  retryAt: number;
}

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
  /** Changes read from the source and not yet delivered or discarded. */
  pending: number;
  /** Writes made into the target, conflict repairs included. */
  applied: number;
  /** Changes not delivered because the target already held a newer version (last-writer-wins). */
  superseded: number;
  /** Conflict repairs among `applied`. */
  repairs: number;
  /** The replicator's own writes recognised on the target's feed and not sent back. */
  echoesSuppressed: number;
  lastAppliedAt: string | null;
  oldestPendingAgeMs: number | null;
}

interface ItemState<P> {
  winner?: Write<P>;
  /** Per region: stamp of the version the region holds, as its own feed last told (or as last written without echo). */
  seen: Map<string, Stamp>;
  /** Per region: how many local changes were observed, to tell whether one slipped in during a write. */
  localChanges: Map<string, number>;
}

interface Direction<P> {
  from: string;
  to: string;
  queue: Job<P>[];
  lag: LagWindow;
  applied: number;
  superseded: number;
  repairs: number;
  echoesSuppressed: number;
  lastAppliedAt: number | null;
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
  ) {
    if (regions[0] === regions[1]) throw new RangeError('Replication needs two different regions');
    for (const [from, to] of [regions, [regions[1], regions[0]]] as const) {
      this.directions.set(`${from}>${to}`, {
        from,
        to,
        queue: [],
        lag: new LagWindow(),
        applied: 0,
        superseded: 0,
        repairs: 0,
        echoesSuppressed: 0,
        lastAppliedAt: null,
      });
    }
  }

  peerOf(region: string): string {
    if (region === this.regions[0]) return this.regions[1];
    if (region === this.regions[1]) return this.regions[0];
    throw new RangeError(`Unknown region ${region}`);
  }

  private direction(from: string, to: string): Direction<P> {
    const direction = this.directions.get(`${from}>${to}`);
    if (!direction) throw new RangeError(`Unknown direction ${from} -> ${to}`);
    return direction;
  }

  private item(key: string): ItemState<P> {
    let state = this.items.get(key);
    if (!state) {
      state = { seen: new Map(), localChanges: new Map() };
      this.items.set(key, state);
    }
    return state;
  }

  /** Feeds one change read from `region`, in that region's feed order. Returns whether it was an echo. */
  observe(region: string, change: ObservedChange<P>): 'echo' | 'local' {
    const peer = this.peerOf(region);
    const item = this.item(change.key);
    const echo = this.ledger.match(region, change.key, change.fingerprint);
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
    // Queued even when it already lost: delivery re-checks, and keeping every write in order
    // is what preserves per-item order when it did not.
    this.enqueue(region, peer, write, false, change.observedAt);
    this.repairIfBehind(change.key, item, region, change.observedAt);
    return 'local';
  }

  private enqueue(from: string, to: string, write: Write<P>, repair: boolean, now: number): void {
    this.direction(from, to).queue.push({ id: this.nextJobId++, from, to, write, repair, attempts: 0, retryAt: now });
  }

  /** Newest version the region holds or is about to hold (written, echo not yet read, or queued for it). */
  private headingTo(key: string, item: ItemState<P>, region: string): Stamp | undefined {
    let best = newest(item.seen.get(region), this.ledger.newestPending(region, key));
    for (const job of this.direction(this.peerOf(region), region).queue) {
      if (job.write.key === key) best = newest(best, job.write.stamp);
    }
    return best;
  }

  private repairIfBehind(key: string, item: ItemState<P>, region: string, now: number): void {
    const winner = item.winner;
    if (!winner || !isNewer(winner.stamp, this.headingTo(key, item, region))) return;
    this.enqueue(this.peerOf(region), region, winner, true, now);
  }

  /** The next job of a direction, if it is due: read at least `lagMs` ago and not backing off. */
  due(from: string, to: string, now: number, lagMs: number): Job<P> | undefined {
    const head = this.direction(from, to).queue[0];
    if (!head || now < head.write.observedAt + lagMs || now < head.retryAt) return undefined;
    return head;
  }

  /** True when the target already holds (or is being sent) this write or a newer one. */
  private supersededAt(job: Job<P>): boolean {
    const item = this.item(job.write.key);
    const target = newest(item.seen.get(job.to), this.ledger.newestPending(job.to, job.write.key));
    return !isNewer(job.write.stamp, target);
  }

  /** Starts delivering the head job; undefined (and the job is discarded) when it lost to a newer version. */
  begin(job: Job<P>): ApplyAttempt<P> | undefined {
    const direction = this.direction(job.from, job.to);
    if (direction.queue[0] !== job) throw new Error('Only the head of a direction can be delivered');
    if (this.supersededAt(job)) {
      direction.queue.shift();
      direction.superseded++;
      return undefined;
    }
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
    direction.queue.shift();
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
      if ((item.localChanges.get(job.to) ?? 0) === attempt.localChangesAtStart) item.seen.set(job.to, job.write.stamp);
      this.repairIfBehind(job.write.key, item, job.to, now);
    }
  }

  /** The write failed: the job stays at the head and is retried after a backoff. */
  fail(handle: ApplyAttempt<P>, now: number): void {
    const attempt = handle as Attempt<P>;
    this.inFlight--;
    if (attempt.expectation) this.ledger.cancel(attempt.expectation);
    attempt.job.attempts++;
    attempt.job.retryAt = now + Math.min(2000, 50 * 2 ** attempt.job.attempts);
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
        pending: d.queue.length,
        applied: d.applied,
        superseded: d.superseded,
        repairs: d.repairs,
        echoesSuppressed: d.echoesSuppressed,
        lastAppliedAt: d.lastAppliedAt === null ? null : new Date(d.lastAppliedAt).toISOString(),
        oldestPendingAgeMs: oldest === null ? null : Math.max(0, now - oldest),
      };
    });
  }
}
