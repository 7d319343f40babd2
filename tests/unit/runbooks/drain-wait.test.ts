import { drainRemainingMs } from '../../../services/runbooks/decisions/drain';
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
