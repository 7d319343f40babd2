// How long each replicated change takes to reach the peer. On AWS nothing is delivered in
// order, so neither is anything here:
// - DynamoDB global tables (MREC, version 2019.11.21): "items are replicated individually";
//   writes made in one transaction are not replicated together, and "each table partition in
//   the source Region replicates its write operations in parallel with every other partition",
//   so the order of writes in the remote Region need not match the order in the source
//   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-global-table-design.html).
// - S3 replication is asynchronous and per object; objects are copied independently, with no
//   ordering between them, most within 15 minutes and "not guaranteed" without S3 RTC
//   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html).
// Each change therefore draws its own delay from a distribution, and chaos rules can slow one
// table, one key range (a hot or throttled partition) or S3 replication alone.
import { ReplicationConfigError } from './errors';

export type DelayDistribution =
  /** Every change takes exactly `ms`. */
  | { kind: 'fixed'; ms: number }
  /** Uniform in [minMs, maxMs]. */
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** `minMs` plus an exponential tail, so that the mean is `meanMs` (capped at 20 means of the tail). */
  | { kind: 'exponential'; minMs: number; meanMs: number };

/** Mean 200 ms like the former fixed lag, with a tail: some changes take a second or more. */
export const DEFAULT_DELAY: DelayDistribution = { kind: 'exponential', minMs: 100, meanMs: 200 };

/** The distribution `--lag <ms>` stands for: that mean, half of it a floor, the rest an exponential tail. */
export function delayWithMean(meanMs: number): DelayDistribution {
  checkMs('lag', meanMs);
  return { kind: 'exponential', minMs: meanMs / 2, meanMs };
}

/** The mean of a distribution, ms (for `delayWithMean(ms)`, `ms` again). */
export function meanDelayMs(d: DelayDistribution): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return (d.minMs + d.maxMs) / 2;
    case 'exponential':
      return d.meanMs;
  }
}

function checkMs(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new ReplicationConfigError(`${name} must be a number of milliseconds >= 0, got ${value}`);
}

export function checkDistribution(d: DelayDistribution): DelayDistribution {
  switch (d?.kind) {
    case 'fixed':
      checkMs('ms', d.ms);
      return d;
    case 'uniform':
      checkMs('minMs', d.minMs);
      checkMs('maxMs', d.maxMs);
      if (d.maxMs < d.minMs) throw new ReplicationConfigError('maxMs must be >= minMs');
      return d;
    case 'exponential':
      checkMs('minMs', d.minMs);
      checkMs('meanMs', d.meanMs);
      if (d.meanMs < d.minMs) throw new ReplicationConfigError('meanMs must be >= minMs');
      return d;
    default:
      throw new ReplicationConfigError(`Unknown delay distribution ${JSON.stringify(d)}: fixed, uniform or exponential`);
  }
}

/** One delay, in ms, from `random` in [0, 1). */
export function sampleDelay(d: DelayDistribution, random: () => number): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return d.minMs + random() * (d.maxMs - d.minMs);
    case 'exponential': {
      const tail = d.meanMs - d.minMs;
      if (tail === 0) return d.minMs;
      return d.minMs + Math.min(20 * tail, -Math.log(1 - random()) * tail);
    }
  }
}

export function describeDistribution(d: DelayDistribution): string {
  switch (d.kind) {
    case 'fixed':
      return `fixed ${d.ms} ms`;
    case 'uniform':
      return `uniform ${d.minMs}-${d.maxMs} ms`;
    case 'exponential':
      return `mean ${d.meanMs} ms (at least ${d.minMs} ms, exponential tail)`;
  }
}

/**
 * Extra delay for the changes it matches, added to the drawn one. `target` is a table name
 * (or its suffix, e.g. "comments") or "s3" for the photo buckets; `keyPrefix` narrows it to
 * the items whose partition key (the object key, for S3) starts with it: a hot partition.
 */
export interface SlowRule {
  target: string;
  keyPrefix?: string;
  /** Only changes going out of this region (default: both directions). */
  from?: string;
  extraMs: number;
}

export interface ChangeToDelay {
  /** Table name, or "s3" for objects. */
  target: string;
  /** Partition key of the item (S3: the object key). */
  partition: string;
  from: string;
}

export function checkRule(rule: SlowRule): SlowRule {
  if (typeof rule?.target !== 'string' || rule.target.length === 0) {
    throw new ReplicationConfigError('A slow rule needs a target: a table name (or its suffix) or "s3"');
  }
  checkMs('extraMs', rule.extraMs);
  if (rule.keyPrefix !== undefined && (typeof rule.keyPrefix !== 'string' || rule.keyPrefix.length === 0)) {
    throw new ReplicationConfigError('keyPrefix must be a non-empty string when given');
  }
  return { ...rule };
}

export function ruleMatches(rule: SlowRule, change: ChangeToDelay): boolean {
  const target = rule.target === 's3' ? change.target === 's3' : change.target !== 's3' && change.target.endsWith(rule.target);
  return (
    target &&
    (rule.keyPrefix === undefined || change.partition.startsWith(rule.keyPrefix)) &&
    (rule.from === undefined || rule.from === change.from)
  );
}

/** Same target, key range and direction: setting such a rule again replaces it. */
export function sameScope(a: SlowRule, b: SlowRule): boolean {
  return a.target === b.target && a.keyPrefix === b.keyPrefix && a.from === b.from;
}

export function describeRule(rule: SlowRule): string {
  return `${rule.target === 's3' ? 'S3 objects' : `table ${rule.target}`}${rule.keyPrefix ? ` keys ${rule.keyPrefix}*` : ''}${rule.from ? ` from ${rule.from}` : ''} +${rule.extraMs} ms`;
}

/** Seedable uniform [0, 1) generator (tests and reproducible drills); Math.random otherwise. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}
