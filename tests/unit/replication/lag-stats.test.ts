import { LagWindow, percentile } from '../../../local/replication/lag-stats';

describe('lag statistics', () => {
  it('reports nothing before the first sample', () => {
    const window = new LagWindow();
    expect([window.last, window.max, window.p50, window.p99]).toEqual([null, null, null, null]);
  });

  it('tracks the last, the maximum and the median', () => {
    // Prepare
    const window = new LagWindow();

    // Act
    for (const lag of [300, 100, 200, 900, 250]) window.record(lag);

    // Assess
    expect(window.last).toBe(250);
    expect(window.max).toBe(900);
    expect(window.p50).toBe(250);
  });

  it('computes the median over the recent window but the maximum over all samples', () => {
    // Prepare
    const window = new LagWindow(3);

    // Act
    for (const lag of [1000, 10, 20, 30]) window.record(lag);

    // Assess
    expect(window.p50).toBe(20);
    expect(window.max).toBe(1000);
  });

  it('gives the 99th percentile of the window: one slow delivery in a hundred is the tail', () => {
    const window = new LagWindow();
    for (let i = 0; i < 99; i += 1) window.record(200);
    window.record(5000);
    expect(window.p99).toBe(200);
    window.record(5000);
    expect(window.p99).toBe(5000);
  });

  it('clamps negative lags (a change time rounded past the apply time) to zero', () => {
    const window = new LagWindow();
    window.record(-3);
    expect(window.last).toBe(0);
  });

  it('uses nearest-rank percentiles, always an observed value', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([5], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
    expect(percentile([], 50)).toBeNull();
  });

  it('rejects a window that could hold nothing', () => {
    expect(() => new LagWindow(0)).toThrow(RangeError);
  });
});
