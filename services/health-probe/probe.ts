// One round of the health probe: check this region end to end and the peer from outside, read
// the peer's heartbeat from this region's replicas, decide, record, publish. The decisions are
// pure (decide, nextHealthySince, metricData); the I/O comes in through ProbeDeps.

import { heartbeatStale } from '../../shared/health/heartbeat';
import { isFresh, recordAgeSeconds } from '../../shared/health/reading';
import type { CheckOutcome, HealthRecord } from '../../shared/health/record';
import { healthRecordKey } from '../../shared/health/record';

/** One check: resolves when healthy, rejects (or outlives the timeout) otherwise. */
export type Check = (signal: AbortSignal) => Promise<void>;

/** What the probe reads of a heartbeat: when it was written. */
export interface Heartbeat {
  checkedAt: string;
}

export interface ProbeDeps {
  appId: string;
  region: string;
  peerRegion: string;
  clock: () => Date;
  /** Each check's own bound, ms. */
  timeoutMs: number;
  /** A previous record older than this does not carry healthySince or the failed rounds forward (shared/health/reading.ts). */
  recordStaleSeconds: number;
  /** This region: its state API, a write + read of a probe item, a put + get in its bucket. */
  selfChecks: Record<string, Check>;
  /** The peer from outside: its /health and its state API. */
  peerChecks: Record<string, Check>;
  /**
   * A peer whose quorum heartbeat is fresher than this is alive, even when this region cannot
   * reach it: only the link is cut (docs/fencing.md).
   */
  heartbeatStaleSeconds: number;
  /** This region's previous record and the peer's heartbeats, as replicated here. */
  readings: {
    /** The peer's heartbeat in the quorum store (strongly consistent); throws when this region cannot reach the quorum. */
    peerQuorumHeartbeat(signal: AbortSignal): Promise<string | null>;
    ownRecord(signal: AbortSignal): Promise<HealthRecord | undefined>;
    peerTableHeartbeat(signal: AbortSignal): Promise<Heartbeat | undefined>;
    peerBucketHeartbeat(signal: AbortSignal): Promise<Heartbeat | undefined>;
  };
  saveRecord(record: HealthRecord): Promise<void>;
  publish(data: MetricDatum[]): Promise<void>;
  onProblem?(what: string, error: unknown): void;
}

export interface ProbeResult {
  record: HealthRecord;
  selfHealthy: boolean;
  peerHealthy: boolean;
  metrics: MetricDatum[];
}

/** The CloudWatch MetricDatum fields the probe uses (structurally the SDK's type). */
export interface MetricDatum {
  MetricName: string;
  Dimensions: Array<{ Name: string; Value: string }>;
  Timestamp: Date;
  Value: number;
  Unit: 'None' | 'Milliseconds' | 'Seconds';
  StorageResolution: 1;
}

export const PROBE_NAMESPACE = 'Switchyard/Health';

export class CheckTimedOut extends Error {
  override readonly name = 'CheckTimedOut';
}

/** Runs a check with its own deadline; never throws. */
export async function timedCheck(check: Check, timeoutMs: number, clock: () => number = Date.now): Promise<CheckOutcome> {
  const controller = new AbortController();
  const started = clock();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle the race first: an aborted check rejects at once with a less telling error.
      reject(new CheckTimedOut(`no answer within ${timeoutMs} ms`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    await Promise.race([check(controller.signal), deadline]);
    return { ok: true, latencyMs: clock() - started };
  } catch (error) {
    return { ok: false, latencyMs: clock() - started, error: describeFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** A failure as people may read it: the error's name and a bounded message, no stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 160);
  return String(error).slice(0, 160);
}

async function runAll(checks: Record<string, Check>, timeoutMs: number): Promise<Record<string, CheckOutcome>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await timedCheck(check, timeoutMs)] as const),
  );
  return Object.fromEntries(entries);
}

const allOk = (outcomes: Record<string, CheckOutcome>) => Object.values(outcomes).every((o) => o.ok);

const failures = (outcomes: Record<string, CheckOutcome>) =>
  Object.entries(outcomes)
    .filter(([, o]) => !o.ok)
    .map(([name, o]) => `${name} (${o.error ?? 'failed'})`);

/** The previous record continues the probe's counts only when fresh (and not from the future). */
function continues(previous: Pick<HealthRecord, 'checkedAt'>, now: Date, staleSeconds: number): boolean {
  const age = recordAgeSeconds(previous.checkedAt, now);
  return isFresh(age, staleSeconds) && age >= 0;
}

/**
 * healthySince carries forward only across an unbroken run of healthy records: the previous
 * record must be healthy and fresh (shared/health/reading.ts), or the clock restarts now.
 */
export function nextHealthySince(
  healthy: boolean,
  previous: Pick<HealthRecord, 'status' | 'checkedAt' | 'healthySince'> | undefined,
  now: Date,
  staleSeconds: number,
): string | null {
  if (!healthy) return null;
  if (previous?.status === 'healthy' && previous.healthySince && continues(previous, now, staleSeconds)) return previous.healthySince;
  return now.toISOString();
}

/** Consecutive failed rounds before the health record says unhealthy. */
export const UNHEALTHY_AFTER_ROUNDS = 2;

/** The previous record, if fresh enough to continue its counts. */
function recentRecord(previous: HealthRecord | undefined, now: Date, staleSeconds: number): HealthRecord | undefined {
  return previous && continues(previous, now, staleSeconds) ? previous : undefined;
}

/** Seconds since a heartbeat was written, as seen now (null: none seen). */
export function heartbeatAge(heartbeat: Heartbeat | undefined, now: Date): number | null {
  if (!heartbeat) return null;
  const at = Date.parse(heartbeat.checkedAt);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.round((now.getTime() - at) / 100) / 10);
}

/** The high-resolution metrics of one round (alarms in infra/resources/alarms.yml read them). */
export function metricData(result: Omit<ProbeResult, 'metrics'>, appId: string, now: Date): MetricDatum[] {
  const { record } = result;
  const datum = (MetricName: string, Value: number, Unit: MetricDatum['Unit'], Dimensions: MetricDatum['Dimensions']): MetricDatum => ({
    MetricName,
    Dimensions: [{ Name: 'AppId', Value: appId }, ...Dimensions],
    Timestamp: now,
    Value,
    Unit,
    StorageResolution: 1,
  });
  const observer = { Name: 'Region', Value: record.region };
  const data = [
    datum('SelfHealthy', result.selfHealthy ? 1 : 0, 'None', [observer]),
    datum('PeerHealthy', result.peerHealthy ? 1 : 0, 'None', [observer, { Name: 'Peer', Value: record.peer.region }]),
    ...Object.entries(record.checks).map(([check, o]) =>
      datum('CheckLatency', o.latencyMs, 'Milliseconds', [observer, { Name: 'Check', Value: check }]),
    ),
  ];
  // Replication staleness per direction (peer → this region) and per store.
  const direction = (store: string) => [
    { Name: 'From', Value: record.replication.from },
    { Name: 'To', Value: record.region },
    { Name: 'Store', Value: store },
  ];
  if (record.replication.tableAgeSeconds !== null)
    data.push(datum('ReplicationLag', record.replication.tableAgeSeconds, 'Seconds', direction('table')));
  if (record.replication.bucketAgeSeconds !== null)
    data.push(datum('ReplicationLag', record.replication.bucketAgeSeconds, 'Seconds', direction('bucket')));
  return data;
}

async function reading<T>(what: string, read: (signal: AbortSignal) => Promise<T>, deps: ProbeDeps): Promise<T | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs);
  try {
    return await read(controller.signal);
  } catch (error) {
    deps.onProblem?.(what, error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Is the peer down as far as the quorum can tell? Only when its heartbeat is stale (or it never
 * beat): a fresh one means the peer still reaches the quorum and only the link to it is cut. When
 * this region cannot read the quorum itself it cannot tell, and says nothing against the peer
 * (its own quorum check fails instead, which blocks the two-sided alarm).
 */
export function peerDownByQuorum(heartbeat: string | null | 'unreadable', now: Date, staleSeconds: number): boolean {
  if (heartbeat === 'unreadable') return false;
  return heartbeatStale(heartbeat, now, staleSeconds);
}

/** One probe round. Never throws: a failure to record or publish is reported through onProblem. */
export async function runProbe(deps: ProbeDeps): Promise<ProbeResult> {
  const [selfOutcomes, peerOutcomes, previous, peerTable, peerBucket, peerBeat] = await Promise.all([
    runAll(deps.selfChecks, deps.timeoutMs),
    runAll(deps.peerChecks, deps.timeoutMs),
    reading('own record', deps.readings.ownRecord, deps),
    reading('peer table heartbeat', deps.readings.peerTableHeartbeat, deps),
    reading('peer bucket heartbeat', deps.readings.peerBucketHeartbeat, deps),
    reading('peer quorum heartbeat', deps.readings.peerQuorumHeartbeat, deps),
  ]);
  const now = deps.clock();
  const selfHealthy = allOk(selfOutcomes);
  const peerReachable = allOk(peerOutcomes);
  const peerHeartbeat = peerBeat === undefined ? 'unreadable' : peerBeat;
  const peerHealthy = peerReachable || !peerDownByQuorum(peerHeartbeat, now, deps.heartbeatStaleSeconds);
  const failed = [...failures(selfOutcomes), ...failures(peerOutcomes).map((f) => `peer ${f}`)];
  // The record (what the runbooks read) turns unhealthy after UNHEALTHY_AFTER_ROUNDS failed rounds
  // in a row: one slow answer on a busy machine must not refuse a planned failover. The metrics
  // stay per round: the alarms apply their own N-of-M rules.
  const failedRounds = selfHealthy ? 0 : (recentRecord(previous, now, deps.recordStaleSeconds)?.failedRounds ?? 0) + 1;
  const recordedStatus = failedRounds >= UNHEALTHY_AFTER_ROUNDS ? 'unhealthy' : 'healthy';
  const record: HealthRecord = {
    ...healthRecordKey(deps.appId, deps.region),
    region: deps.region,
    status: recordedStatus,
    checkedAt: now.toISOString(),
    healthySince: nextHealthySince(recordedStatus === 'healthy', previous, now, deps.recordStaleSeconds),
    failedRounds,
    detail: failed.length === 0 ? 'all checks passed' : `failed: ${failed.join('; ')}`,
    checks: { ...selfOutcomes, ...Object.fromEntries(Object.entries(peerOutcomes).map(([k, v]) => [`peer-${k}`, v])) },
    peer: { region: deps.peerRegion, healthy: peerHealthy, reachable: peerReachable, heartbeatAt: peerHeartbeat },
    replication: { from: deps.peerRegion, tableAgeSeconds: heartbeatAge(peerTable, now), bucketAgeSeconds: heartbeatAge(peerBucket, now) },
  };
  const partial = { record, selfHealthy, peerHealthy };
  // Stamped when the round's checks are done, i.e. when the metrics are sent: alarms evaluate the
  // most recent complete periods, so a datapoint stamped earlier than it arrives may miss them
  // (locally, where a period is 1 s and a slow round takes 2 s, it always would). Rounds start on
  // period boundaries (./schedule.ts) and last less than a period, so each lands in its own.
  const metrics = metricData(partial, deps.appId, now);
  const [saved, published] = await Promise.allSettled([deps.saveRecord(record), deps.publish(metrics)]);
  if (saved.status === 'rejected') deps.onProblem?.('save record', saved.reason);
  if (published.status === 'rejected') deps.onProblem?.('publish metrics', published.reason);
  return { ...partial, metrics };
}
