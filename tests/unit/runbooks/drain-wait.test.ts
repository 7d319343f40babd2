import { drainBoundMs, drainRemainingMs } from '../../../services/runbooks/decisions/drain';
import { afterDrain } from '../../../services/runbooks/step-handler';

const until = '2026-12-01T18:27:03.640Z';
const at = (iso: string) => Date.parse(iso);

describe('the end of a drain, to the millisecond', () => {
  it("is what the drain's Wait left of the fence's bound: Step Functions truncates the Wait to the second", () => {
    // The Wait on drainUntil ends at 18:27:03.000; the step after it waits the 640 ms left.
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: until } }, at('2026-12-01T18:27:03.000Z'))).toBe(640);
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: until } }, at('2026-12-01T18:27:03.639Z'))).toBe(1);
  });

  it('is nothing once the bound has passed, without a fence, or for a best-effort fence (its bound is writesResumeAt)', () => {
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: until } }, at(until))).toBe(0);
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: until } }, at(until) + 5_000)).toBe(0);
    expect(drainRemainingMs({}, 0)).toBe(0);
    expect(drainRemainingMs(null, 0)).toBe(0);
    expect(drainRemainingMs({ fence: null }, 0)).toBe(0);
    expect(drainRemainingMs({ fence: { bestEffort: true, drainUntil: until } }, 0)).toBe(0);
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: null } }, 0)).toBe(0);
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: 'not a time' } }, 0)).toBe(0);
  });

  it('is the whole drain on a path that had no Wait', () => {
    expect(drainRemainingMs({ fence: { bestEffort: false, drainUntil: until } }, at(until) - 2_500)).toBe(2_500);
  });

  it("holds a step's frame until the clock has reached the bound, again if a timer ended a millisecond early, and not at all after it", async () => {
    let clock = at('2026-12-01T18:27:03.000Z');
    const slept: number[] = [];
    // A timer that fires 1 ms before its time, as Node's may against Date.now().
    const earlySleep = async (ms: number) => {
      slept.push(ms);
      clock += Math.max(1, ms - 1);
    };
    await afterDrain({ fence: { bestEffort: false, drainUntil: until } }, () => clock, earlySleep);
    expect(slept).toEqual([640, 1]);
    expect(clock).toBe(at(until));
    await afterDrain({ fence: { bestEffort: false, drainUntil: until } }, () => clock + 1, earlySleep);
    expect(slept).toEqual([640, 1]);
  });
});

describe("the drain's bound", () => {
  const bound = { leaseMs: 2000, clockSkewMarginMs: 500 };
  const fencedAt = at('2026-12-01T18:27:10.000Z');

  it("counts from the fenced region's newest recorded lease start when it is older than the fence", () => {
    // Cut off 4 s before the fence: its last lease started then, its writes ended 1.5 s before the fence.
    expect(drainBoundMs({ ...bound, acknowledgedAt: fencedAt, latestLeaseStart: fencedAt - 4000 })).toBe(fencedAt - 1500);
    expect(drainBoundMs({ ...bound, acknowledgedAt: fencedAt, latestLeaseStart: fencedAt - 400 })).toBe(fencedAt + 2100);
  });

  it('counts from the fence when no start is recorded, or when the newest one is later than the fence', () => {
    expect(drainBoundMs({ ...bound, acknowledgedAt: fencedAt, latestLeaseStart: null })).toBe(fencedAt + 2500);
    // A renewal after the fence read the fence and took no lease; its start bounds nothing.
    expect(drainBoundMs({ ...bound, acknowledgedAt: fencedAt, latestLeaseStart: fencedAt + 300 })).toBe(fencedAt + 2500);
  });
});
