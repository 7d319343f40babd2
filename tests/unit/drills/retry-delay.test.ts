import { retryDelayMs } from '../../../local/drills/load';

describe("the load's wait before sending a write again", () => {
  it('doubles its bound from 200 ms up to 2 s, and draws below the bound (full jitter)', () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n, top))).toEqual([200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(retryDelayMs(3, () => 0)).toBe(0);
    expect(retryDelayMs(3, () => 0.5)).toBe(800);
  });
});
