import { compareStamps, isNewer, newest, nextLocalStamp } from '../../../local/replication/stamps';

describe('last-writer-wins stamps', () => {
  it('orders by time first', () => {
    // Prepare
    const older = { ts: 100, region: 'us-east-1', seq: 9 };
    const newer = { ts: 101, region: 'us-west-2', seq: 1 };

    // Act / Assess
    expect(compareStamps(newer, older)).toBeGreaterThan(0);
    expect(compareStamps(older, newer)).toBeLessThan(0);
    expect(isNewer(newer, older)).toBe(true);
    expect(newest(older, newer)).toBe(newer);
  });

  it('breaks equal times by region name, the same way whichever write is looked at first', () => {
    // Prepare
    const east = { ts: 100, region: 'us-east-1', seq: 2 };
    const west = { ts: 100, region: 'us-west-2', seq: 1 };

    // Act
    const eastFirst = compareStamps(east, west);
    const westFirst = compareStamps(west, east);

    // Assess
    expect(eastFirst).toBeGreaterThan(0);
    expect(westFirst).toBeLessThan(0);
  });

  it('orders one region by observation sequence when times are equal', () => {
    expect(compareStamps({ ts: 5, region: 'a', seq: 2 }, { ts: 5, region: 'a', seq: 1 })).toBeGreaterThan(0);
    expect(compareStamps({ ts: 5, region: 'a', seq: 2 }, { ts: 5, region: 'a', seq: 2 })).toBe(0);
  });

  it('treats anything as newer than nothing', () => {
    expect(isNewer({ ts: 0, region: 'a', seq: 0 }, undefined)).toBe(true);
    expect(newest(undefined, undefined)).toBeUndefined();
  });

  it('stamps a local write after the version it replaced, even one from a peer with a later clock', () => {
    // Prepare
    const replicatedFromPeer = { ts: 5_000, region: 'us-west-2', seq: 1 };

    // Act
    const local = nextLocalStamp(replicatedFromPeer, 4_000, 'us-east-1', 2);

    // Assess
    expect(local).toEqual({ ts: 5_001, region: 'us-east-1', seq: 2 });
    expect(isNewer(local, replicatedFromPeer)).toBe(true);
    expect(nextLocalStamp(undefined, 4_000, 'us-east-1', 3)).toEqual({ ts: 4_000, region: 'us-east-1', seq: 3 });
  });
});
