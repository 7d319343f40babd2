import {
  checkDistribution,
  checkRule,
  DEFAULT_DELAY,
  delayWithMean,
  meanDelayMs,
  ruleMatches,
  sampleDelay,
  seededRandom,
} from '../../../local/replication/delays';
import { ReplicationConfigError } from '../../../local/replication/errors';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('replication delays', () => {
  it('draws the default delays around a 200 ms mean, never under the floor, with a tail', () => {
    // Prepare
    const random = seededRandom(7);

    // Act
    const delays = Array.from({ length: 20_000 }, () => sampleDelay(DEFAULT_DELAY, random));

    // Assess
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(mean(delays)).toBeGreaterThan(190);
    expect(mean(delays)).toBeLessThan(210);
    expect(delays.filter((d) => d > 500).length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(100 + 20 * 100);
  });

  it('keeps the shape when only a mean is given', () => {
    expect(delayWithMean(1_000)).toEqual({ kind: 'exponential', minMs: 500, meanMs: 1_000 });
    expect(sampleDelay({ kind: 'fixed', ms: 42 }, Math.random)).toBe(42);
    expect(sampleDelay({ kind: 'uniform', minMs: 10, maxMs: 20 }, () => 0.5)).toBe(15);
  });

  it('states the mean of each distribution (the lag the runtime status shows)', () => {
    expect(meanDelayMs(delayWithMean(250))).toBe(250);
    expect(meanDelayMs(DEFAULT_DELAY)).toBe(200);
    expect(meanDelayMs({ kind: 'fixed', ms: 42 })).toBe(42);
    expect(meanDelayMs({ kind: 'uniform', minMs: 10, maxMs: 20 })).toBe(15);
  });

  it('refuses distributions and rules it cannot use', () => {
    expect(() => checkDistribution({ kind: 'uniform', minMs: 20, maxMs: 10 })).toThrow(ReplicationConfigError);
    expect(() => checkDistribution({ kind: 'fixed', ms: -1 })).toThrow(ReplicationConfigError);
    expect(() => checkDistribution({ kind: 'normal' } as never)).toThrow(ReplicationConfigError);
    expect(() => checkRule({ target: '', extraMs: 10 })).toThrow(ReplicationConfigError);
    expect(() => checkRule({ target: 'comments', extraMs: Number.NaN })).toThrow(ReplicationConfigError);
  });

  it('matches a slow rule by table suffix, key prefix and direction; s3 only objects', () => {
    const hot = { target: 'comments', keyPrefix: 'PHOTO#01HOT', extraMs: 5_000 };
    const comment = { target: 'switchyard-dev-comments', partition: 'PHOTO#01HOTXYZ', from: 'us-east-1' };
    expect(ruleMatches(hot, comment)).toBe(true);
    expect(ruleMatches(hot, { ...comment, partition: 'PHOTO#01COLD' })).toBe(false);
    expect(ruleMatches(hot, { ...comment, target: 'switchyard-dev-photos' })).toBe(false);
    expect(ruleMatches({ ...hot, from: 'us-west-2' }, comment)).toBe(false);
    expect(ruleMatches({ target: 's3', extraMs: 1 }, { target: 's3', partition: 'photos/x', from: 'us-east-1' })).toBe(true);
    expect(ruleMatches({ target: 's3', extraMs: 1 }, comment)).toBe(false);
  });
});
