import { setMaxListeners } from 'node:events';
import type { S3Client } from '@aws-sdk/client-s3';
import { localS3Client } from '../clients';
import type { S3ObjectEvent, S3ObjectListener } from '../s3-local';
import { fingerprintOf, itemKeyOf, REMOVED } from './attribute-fingerprint';
import { applyToBucket, type BucketPayload, objectFingerprint } from './bucket-writer';
import {
  type ChangeToDelay,
  checkDistribution,
  checkRule,
  DEFAULT_DELAY,
  type DelayDistribution,
  delayWithMean,
  describeDistribution,
  describeRule,
  ruleMatches,
  type SlowRule,
  sameScope,
  sampleDelay,
} from './delays';
import { type ApplyAttempt, type ApplyOutcome, type DirectionStat, type Job, ReplicationEngine } from './engine';
import { ReplicationConfigError, ReplicationDrainTimeout, ReplicatorStopped } from './errors';
import { type TableChange, TableStreamReader } from './table-stream-reader';
import { applyToTable, type TablePayload } from './table-writer';

export { DEFAULT_DELAY, type DelayDistribution, delayWithMean, meanDelayMs, type SlowRule } from './delays';
export { ReplicationConfigError, ReplicationDrainTimeout, ReplicatorStopped } from './errors';

export interface RegionEndpoints {
  region: string;
  dynamodbEndpoint: string;
  s3Endpoint?: string;
  /** This region's photo bucket; both regions need one for the bucket to be replicated. */
  bucket?: string;
  /** The region's s3rver change notifications (`S3Local.onObjectEvent`); required with `bucket`. */
  onObjectEvent?: (listener: S3ObjectListener) => () => void;
}

export interface ReplicationOptions {
  regions: [RegionEndpoints, RegionEndpoints];
  /** Tables present (same name, same keys) in both regions. */
  tables: string[];
  /**
   * Each change's delay before it is applied to the peer, drawn per change (default
   * DEFAULT_DELAY, mean 200 ms). `lagMs` is the short form: that mean (see delayWithMean).
   */
  delay?: DelayDistribution;
  lagMs?: number;
  /** Uniform [0, 1) source for the delays (default Math.random); seed it for a reproducible run. */
  random?: () => number;
  /** Default 50. */
  pollIntervalMs?: number;
  /** How often a stream read to its end with nothing new is read again, ms (default 250). */
  idlePollIntervalMs?: number;
  /** Writes in flight at once per table (or bucket) and direction. Default 8. */
  concurrency?: number;
  log?(line: string): void;
}

/** Per table (or `bucket:<source bucket>`) and direction. */
export type ReplicationStat = DirectionStat;

/** What delays are in force: the distribution every change draws from, and the chaos rules on top. */
export interface ReplicationDelays {
  distribution: DelayDistribution;
  describe: string;
  slowRules: Array<SlowRule & { describe: string }>;
}

export interface ReplicationCuts {
  regions: string[];
  link: boolean;
}

export interface Replicator {
  /** Resolves once every table stream is positioned: changes made after that are replicated. */
  start(): Promise<void>;
  /** Stops reading and writing and releases timers and connections; queued changes are discarded. */
  stop(): Promise<void>;
  /**
   * Region cut: nothing is delivered to or from that region; what is queued (and what the
   * region changes meanwhile) is delivered after heal, never dropped. The region's change
   * feeds are still read, only to stamp each write with the time it happened, as a real region
   * stamps its own writes; without that, writes made during the cut would all look newer than
   * the peer's and win every conflict on heal.
   */
  cutRegion(region: string): void;
  healRegion(region: string): void;
  /** Replication link cut (both directions) while both regions stay up; queued changes are delivered on heal. */
  cutLink(): void;
  healLink(): void;
  /** The cuts in force: the regions cut, and whether the link is. */
  cuts(): ReplicationCuts;
  /** Mean delay per change, ms (the distribution keeps its shape: see delayWithMean). */
  setLag(ms: number): void;
  setDelay(distribution: DelayDistribution): void;
  /**
   * Slows the changes a rule matches (one table, a key range of it, or S3 objects) by
   * `extraMs` on top of their drawn delay, from the next change read on. A rule with the same
   * target, key prefix and direction replaces the previous one; extraMs 0 removes it.
   */
  slow(rule: SlowRule): void;
  /** Removes every slow rule. */
  clearSlow(): void;
  delays(): ReplicationDelays;
  stats(): ReplicationStat[];
  /**
   * Resolves when every change feed has been read to its end since the call and nothing is
   * pending in any direction; rejects with ReplicationDrainTimeout after timeoutMs (default
   * 30 s), e.g. while a cut holds changes back.
   */
  drain(timeoutMs?: number): Promise<void>;
  /**
   * Resolves when every table stream has been read to its end since the call: each change made
   * before it has been read and queued, while deliveries may still be pending. Under a steady load
   * something is always pending and a drain may never come; this is the wait for a backlog to be
   * read. Rejects with ReplicationDrainTimeout after timeoutMs (default 30 s).
   */
  caughtUp(timeoutMs?: number): Promise<void>;
}

const DEFAULT_POLL_INTERVAL_MS = 50;
/**
 * A stream that was read to its end with nothing new is read again after this long, not at every
 * tick: idle, the 8 tails polled 160 times a second and kept both DynamoDB Local JVMs and the
 * runtime busy (README, performance). A change is then noticed up to this much later, on top of
 * its drawn delay (./delays.ts). AWS states no bound on replication latency; it publishes
 * ReplicationLatency per Region pair, which "should be fairly constant" in normal operation
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html):
 * a quarter second of discovery keeps the local lag of the same order as the configured one.
 */
const DEFAULT_IDLE_POLL_INTERVAL_MS = 250;
const DEFAULT_CONCURRENCY = 8;
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

interface StreamTail {
  region: string;
  reader: TableStreamReader;
  engine: ReplicationEngine<TablePayload>;
  busy: boolean;
  /** Not polled before this (epoch ms): set after a poll that found nothing new. */
  nextPollAt: number;
  /** Start time of the latest poll that found every shard read to its end and nothing new. */
  quietSince: number;
  /** Start time of the latest poll that read every shard to its end, with or without changes. */
  readToEndSince: number;
  lastError?: string;
}

interface DeliveryLane<P> {
  engine: ReplicationEngine<P>;
  from: string;
  to: string;
  /** Writes in flight. */
  active: number;
  deliver(attempt: ApplyAttempt<P>, signal: AbortSignal): Promise<ApplyOutcome>;
  lastError?: string;
}

interface PendingDrain {
  since: number;
  /** caughtUp(): the feeds read to their end suffice; deliveries may be pending. */
  feedsOnly: boolean;
  deadline: number;
  timeoutMs: number;
  resolve(): void;
  reject(error: Error): void;
}

function checkDuration(name: string, value: number, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) throw new ReplicationConfigError(`${name} must be a number >= ${minimum}, got ${value}`);
  return value;
}

function checkOptions(options: ReplicationOptions): void {
  const [a, b] = options.regions ?? [];
  if (!a || !b || a.region === b.region) throw new ReplicationConfigError('regions must name two different regions');
  for (const region of [a, b]) {
    if (!region.dynamodbEndpoint) throw new ReplicationConfigError(`dynamodbEndpoint is missing for ${region.region}`);
  }
  if (new Set(options.tables).size !== options.tables.length) throw new ReplicationConfigError('tables must not repeat a name');
  const withBucket = [a, b].filter((r) => r.bucket !== undefined);
  if (withBucket.length === 1) throw new ReplicationConfigError('bucket must be given for both regions or for neither');
  for (const region of withBucket) {
    if (!region.s3Endpoint || !region.onObjectEvent) {
      throw new ReplicationConfigError(`s3Endpoint and onObjectEvent are needed with the bucket of ${region.region}`);
    }
  }
}

/** DynamoDB Local stamps stream records to the minute; a finer time is used only if present. */
function changeTimeOf(change: TableChange, observedAt: number): number {
  const approximate = change.approximateCreationTime?.getTime();
  return approximate !== undefined && approximate % 1000 !== 0 ? Math.min(approximate, observedAt) : observedAt;
}

/** The partition key of a changed item, which slow rules match: `pk` when the table has one, else its only string key. */
function partitionOf(keys: TablePayload['keys']): string {
  const pk = keys.pk?.S;
  if (pk !== undefined) return pk;
  for (const value of Object.values(keys)) if (value.S !== undefined) return value.S;
  return '';
}

/**
 * Makes two regions' local DynamoDB tables behave like one global table (version 2019.11.21,
 * MREC: stream-driven, items replicated individually and unordered, last writer wins, no
 * echo) and their photo buckets like two-way S3 replication (objects independently), with a
 * per-change delay, slow rules and cuts for failover drills (see ./delays.ts for the AWS docs).
 */
export function createReplicator(options: ReplicationOptions): Replicator {
  checkOptions(options);
  const log = options.log ?? (() => {});
  const pollIntervalMs = checkDuration('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 1);
  const idlePollIntervalMs = Math.max(
    pollIntervalMs,
    checkDuration('idlePollIntervalMs', options.idlePollIntervalMs ?? DEFAULT_IDLE_POLL_INTERVAL_MS, 1),
  );
  const concurrency = checkDuration('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1);
  let distribution = checkDistribution(
    options.delay ?? (options.lagMs !== undefined ? delayWithMean(checkDuration('lagMs', options.lagMs, 0)) : DEFAULT_DELAY),
  );
  let slowRules: SlowRule[] = [];
  const random = options.random ?? Math.random;
  const delayFor = (change: ChangeToDelay): number =>
    sampleDelay(distribution, random) + slowRules.reduce((extra, rule) => (ruleMatches(rule, change) ? extra + rule.extraMs : extra), 0);
  const regions = options.regions;
  const regionNames = [regions[0].region, regions[1].region] as const;
  const cutRegions = new Set<string>();
  let linkCut = false;
  let state: 'new' | 'running' | 'stopped' = 'new';
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  // One signal stops every request in flight; each concurrent SDK call listens to it for a while.
  setMaxListeners(0, abort.signal);
  const tasks = new Set<Promise<void>>();
  const drains = new Set<PendingDrain>();
  const unsubscribe: Array<() => void> = [];

  // The tables' stream tails and deliveries call DynamoDB Local in wire form (../dynamodb-wire.ts,
  // with their own timeouts); the buckets keep the SDK's S3 client. Short timeouts and one retry:
  // the replicator has its own retry loop, and a cut or dead region must not hang a poll. Without
  // throwOnRequestTimeout smithy only logs a warning when requestTimeout passes and the request
  // goes on waiting (TOOLCHAIN.md).
  const clientConfig = { maxAttempts: 2, requestHandler: { requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true } };
  const clients = new Map(
    regions.map((r) => [
      r.region,
      {
        dynamodbEndpoint: r.dynamodbEndpoint,
        s3: r.s3Endpoint ? localS3Client(r.s3Endpoint, r.region, clientConfig) : undefined,
      },
    ]),
  );
  const clientsOf = (region: string) => {
    const found = clients.get(region);
    if (!found) throw new ReplicationConfigError(`Unknown region ${region}`);
    return found;
  };

  const tails: StreamTail[] = [];
  const lanes: Array<DeliveryLane<TablePayload> | DeliveryLane<BucketPayload>> = [];
  const engines: Array<ReplicationEngine<TablePayload> | ReplicationEngine<BucketPayload>> = [];

  for (const table of options.tables) {
    const engine = new ReplicationEngine<TablePayload>(
      () => table,
      regionNames,
      (job: Pick<Job<TablePayload>, 'from' | 'write'>) =>
        delayFor({ target: table, partition: partitionOf(job.write.payload.keys), from: job.from }),
    );
    engines.push(engine);
    for (const region of regionNames) {
      const endpoint = clientsOf(region).dynamodbEndpoint;
      tails.push({
        region,
        reader: new TableStreamReader({ endpoint, table }),
        engine,
        busy: false,
        nextPollAt: 0,
        quietSince: Number.NEGATIVE_INFINITY,
        readToEndSince: Number.NEGATIVE_INFINITY,
      });
      const lane: DeliveryLane<TablePayload> = {
        engine,
        from: engine.peerOf(region),
        to: region,
        active: 0,
        deliver: (attempt, signal) => applyToTable(endpoint, table, attempt, signal),
      };
      lanes.push(lane);
    }
  }

  const bucketOf = new Map(regions.flatMap((r) => (r.bucket ? [[r.region, r.bucket] as const] : [])));
  const bucketEngine =
    bucketOf.size === 2
      ? new ReplicationEngine<BucketPayload>(
          (from) => `bucket:${bucketOf.get(from)}`,
          regionNames,
          (job) => delayFor({ target: 's3', partition: job.write.key, from: job.from }),
        )
      : undefined;
  if (bucketEngine) {
    engines.push(bucketEngine);
    for (const region of regionNames) {
      const from = bucketEngine.peerOf(region);
      const source = { client: clientsOf(from).s3 as S3Client, bucket: bucketOf.get(from) as string };
      const target = { client: clientsOf(region).s3 as S3Client, bucket: bucketOf.get(region) as string };
      const lane: DeliveryLane<BucketPayload> = {
        engine: bucketEngine,
        from,
        to: region,
        active: 0,
        deliver: (attempt, signal) => applyToBucket(source, target, attempt, signal),
      };
      lanes.push(lane);
    }
  }

  const checkRegion = (region: string): void => {
    if (!clients.has(region)) throw new ReplicationConfigError(`Unknown region ${region}; replicating ${regionNames.join(' and ')}`);
  };
  const blocked = (lane: { from: string; to: string }): boolean => linkCut || cutRegions.has(lane.from) || cutRegions.has(lane.to);

  const track = (task: Promise<void>): void => {
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };

  // Repeated identical failures (a region that is down) are logged once, not every poll.
  const report = (holder: { lastError?: string }, what: string, error: unknown): void => {
    const message = `${what}: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    if (holder.lastError !== message) log(`[replication] ${message}`);
    holder.lastError = message;
  };

  async function readTail(tail: StreamTail): Promise<void> {
    tail.busy = true;
    const startedAt = Date.now();
    try {
      const poll = await tail.reader.poll(abort.signal);
      if (state !== 'running') return;
      const observedAt = Date.now();
      for (const change of poll.changes) {
        tail.engine.observe(tail.region, {
          key: itemKeyOf(change.keys),
          fingerprint: change.kind === 'remove' ? REMOVED : fingerprintOf(change.newImage),
          payload: { keys: change.keys, image: change.kind === 'remove' ? null : (change.newImage ?? null) },
          observedAt,
          changeTime: changeTimeOf(change, observedAt),
        });
      }
      if (poll.failure !== undefined) throw poll.failure;
      const quiet = poll.caughtUp && poll.changes.length === 0;
      if (quiet) tail.quietSince = startedAt;
      if (poll.caughtUp) tail.readToEndSince = startedAt;
      tail.nextPollAt = quiet ? startedAt + idlePollIntervalMs : 0;
      if (tail.lastError) log(`[replication] reading ${tail.reader.table} in ${tail.region} works again`);
      tail.lastError = undefined;
    } catch (error) {
      if (state === 'running') report(tail, `reading ${tail.reader.table} in ${tail.region}`, error);
    } finally {
      tail.busy = false;
    }
  }

  /** Starts every due delivery the lane has room for; each item independently (the engine keeps one write per item). */
  function pump<P>(lane: DeliveryLane<P>): void {
    while (state === 'running' && !blocked(lane) && lane.active < concurrency) {
      const job = lane.engine.due(lane.from, lane.to, Date.now());
      if (!job) return;
      const attempt = lane.engine.begin(job);
      if (!attempt) continue;
      lane.active++;
      track(deliverOne(lane, attempt));
    }
  }

  async function deliverOne<P>(lane: DeliveryLane<P>, attempt: ApplyAttempt<P>): Promise<void> {
    try {
      const outcome = await lane.deliver(attempt, abort.signal);
      lane.engine.complete(attempt, outcome, Date.now());
      lane.lastError = undefined;
    } catch (error) {
      lane.engine.fail(attempt, Date.now());
      if (state === 'running') report(lane, `delivering ${lane.engine.label(lane.from)} ${lane.from} -> ${lane.to}`, error);
    } finally {
      lane.active--;
    }
    pump(lane);
  }

  function pendingSummary(): string[] {
    return stats()
      .filter((s) => s.pending > 0)
      .map((s) => `${s.table} ${s.from} -> ${s.to}: ${s.pending} pending${blocked(s) ? ' (cut)' : ''}`);
  }

  function waitFor(timeoutMs: number, feedsOnly: boolean): Promise<void> {
    if (state !== 'running') return Promise.reject(new ReplicatorStopped());
    checkDuration('timeoutMs', timeoutMs, 0);
    return new Promise<void>((resolve, reject) => {
      const since = Date.now();
      drains.add({ since, feedsOnly, deadline: since + timeoutMs, timeoutMs, resolve, reject });
    });
  }

  function settleDrains(now: number): void {
    for (const drain of drains) {
      const quiet = drain.feedsOnly
        ? tails.every((t) => t.readToEndSince >= drain.since)
        : engines.every((e) => e.idle) && tails.every((t) => t.quietSince >= drain.since);
      if (quiet) {
        drains.delete(drain);
        drain.resolve();
      } else if (now >= drain.deadline) {
        drains.delete(drain);
        drain.reject(new ReplicationDrainTimeout(drain.timeoutMs, pendingSummary()));
      }
    }
  }

  function tick(): void {
    timer = undefined;
    if (state !== 'running') return;
    const now = Date.now();
    for (const tail of tails) if (!tail.busy && now >= tail.nextPollAt) track(readTail(tail));
    for (const lane of lanes) pump(lane as DeliveryLane<unknown>);
    settleDrains(Date.now());
    timer = setTimeout(tick, pollIntervalMs);
  }

  function observeObject(region: string, event: S3ObjectEvent): void {
    if (state !== 'running' || !bucketEngine || event.bucket !== bucketOf.get(region)) return;
    const observedAt = Date.now();
    bucketEngine.observe(region, {
      key: event.key,
      fingerprint: event.kind === 'removed' ? REMOVED : objectFingerprint(event.eTag),
      payload: { removed: event.kind === 'removed' },
      observedAt,
      changeTime: Math.min(event.at, observedAt),
    });
  }

  async function stop(): Promise<void> {
    if (state === 'stopped') return;
    state = 'stopped';
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const off of unsubscribe.splice(0)) off();
    abort.abort();
    await Promise.allSettled([...tasks]);
    for (const drain of drains) drain.reject(new ReplicatorStopped());
    drains.clear();
    for (const c of clients.values()) {
      c.s3?.destroy();
    }
  }

  function stats(): ReplicationStat[] {
    const now = Date.now();
    return engines.flatMap((e) => e.stats(now));
  }

  return {
    async start() {
      if (state !== 'new') throw new ReplicationConfigError('A replicator can be started only once');
      state = 'running';
      try {
        await Promise.all(tails.map((t) => t.reader.start(abort.signal)));
      } catch (error) {
        await stop();
        throw new Error(`Replication could not read the table streams: ${(error as Error).message}`, { cause: error });
      }
      if (bucketEngine) {
        // The S3 stand-in reports each change to this thread before it answers the request (its
        // worker holds the answer until the listeners ran: local/s3-local.ts), so changes
        // (and the replicator's own echoes) are seen immediately and in order, without
        // re-listing the bucket; ListObjectsV2 polling could not tell a put from an overwrite
        // of the same size and date without reading every object.
        for (const region of regions) {
          const subscribe = region.onObjectEvent;
          if (subscribe) unsubscribe.push(subscribe((event) => observeObject(region.region, event)));
        }
      }
      log(
        `[replication] ${regionNames.join(' <-> ')}: ${options.tables.length} table(s)${bucketEngine ? ' and the photo bucket' : ''}, per-change delay ${describeDistribution(distribution)}`,
      );
      tick();
    },

    stop,

    cutRegion(region) {
      checkRegion(region);
      cutRegions.add(region);
      log(`[replication] region ${region} cut`);
    },
    healRegion(region) {
      checkRegion(region);
      cutRegions.delete(region);
      log(`[replication] region ${region} healed`);
    },
    cutLink() {
      linkCut = true;
      log('[replication] link cut');
    },
    healLink() {
      linkCut = false;
      log('[replication] link healed');
    },
    cuts: () => ({ regions: [...cutRegions], link: linkCut }),
    setLag(ms) {
      distribution = delayWithMean(checkDuration('lag', ms, 0));
      log(`[replication] per-change delay set to ${describeDistribution(distribution)}`);
    },
    setDelay(next) {
      distribution = checkDistribution(next);
      log(`[replication] per-change delay set to ${describeDistribution(distribution)}`);
    },
    slow(rule) {
      const checked = checkRule(rule);
      slowRules = slowRules.filter((r) => !sameScope(r, checked));
      if (checked.extraMs > 0) slowRules.push(checked);
      log(`[replication] slow rule ${checked.extraMs > 0 ? 'set' : 'removed'}: ${describeRule(checked)}`);
    },
    clearSlow() {
      slowRules = [];
      log('[replication] slow rules cleared');
    },
    delays() {
      return {
        distribution,
        describe: describeDistribution(distribution),
        slowRules: slowRules.map((r) => ({ ...r, describe: describeRule(r) })),
      };
    },

    stats,

    drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      return waitFor(timeoutMs, false);
    },

    caughtUp(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      return waitFor(timeoutMs, true);
    },
  };
}
