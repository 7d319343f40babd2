import type { AckedWrite, Attempt, StateSample } from '../../../local/drills/load';
import { longestWriteGap, lostWrites, refusedByReason, timeline, twoWritable } from '../../../local/drills/report';

const ack = (commentId: string, ackAt: number): AckedWrite => ({
  key: commentId,
  commentId,
  region: 'us-east-1',
  firstTryAt: ackAt - 5,
  ackAt,
});

describe('drill figures', () => {
  it('finds the longest time without an acknowledged write, bounded by the window', () => {
    const acked = [ack('a', 1000), ack('b', 1100), ack('c', 4100), ack('d', 4200)];
    expect(longestWriteGap(acked, 1000, 5000)).toEqual({ ms: 3000, from: 1100, to: 4100 });
    // Nothing acknowledged after the fault: the outage lasts to the end of the window.
    expect(longestWriteGap([ack('a', 500)], 1000, 3000)).toEqual({ ms: 2000, from: 1000, to: 3000 });
  });

  it('counts acknowledged writes missing from the region, with their time window', () => {
    const acked = [
      ack('a', Date.UTC(2026, 0, 1, 0, 0, 1)),
      ack('b', Date.UTC(2026, 0, 1, 0, 0, 2)),
      ack('c', Date.UTC(2026, 0, 1, 0, 0, 3)),
    ];
    expect(lostWrites(acked, new Set(['b']))).toEqual({ count: 2, from: '2026-01-01T00:00:01.000Z', to: '2026-01-01T00:00:03.000Z' });
    expect(lostWrites(acked, new Set(['a', 'b', 'c']))).toEqual({ count: 0, from: null, to: null });
  });

  it('buckets requests per 100 ms and counts refusals by reason', () => {
    const attempts: Attempt[] = [
      { at: 1010, kind: 'read', ok: true, outcome: 'ok', region: 'r', latencyMs: 5 },
      { at: 1050, kind: 'write', ok: false, outcome: 'WRITES_FENCED', region: 'r', latencyMs: 5 },
      { at: 1150, kind: 'write', ok: false, outcome: 'WRITES_FENCED', region: 'r', latencyMs: 5 },
      { at: 1160, kind: 'write', ok: false, outcome: 'NETWORK', region: 'r', latencyMs: 5 },
      { at: 1170, kind: 'read', ok: false, outcome: 'NETWORK', region: 'r', latencyMs: 5 },
    ];
    expect(timeline(attempts, 1000, 1199)).toEqual([
      { t: 0, readsOk: 1, readsFailed: 0, writesOk: 0, writesFailed: 1 },
      { t: 100, readsOk: 0, readsFailed: 1, writesOk: 0, writesFailed: 2 },
    ]);
    expect(refusedByReason(attempts)).toEqual({ WRITES_FENCED: 2, NETWORK: 1 });
  });

  it('counts the samples where two regions said "write here"', () => {
    const sample = (writable: string[]): StateSample => ({ at: 0, views: {}, writable });
    expect(twoWritable([sample(['us-east-1']), sample(['us-east-1', 'us-west-2']), sample([])])).toBe(1);
  });
});
