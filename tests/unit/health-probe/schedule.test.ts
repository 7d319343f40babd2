import { awsCadence, roundTimes, SCHEDULE_RATE_MS } from '../../../services/health-probe/schedule';

const PERIOD_MS = 10_000;
const cadence = awsCadence(PERIOD_MS / 1000);
const at = (iso: string) => Date.parse(iso);
const periodOf = (t: number) => Math.floor(t / PERIOD_MS);

/** The alarm periods from the first start to one schedule after the last start that have no round at all. */
function emptyPeriods(starts: number[], rounds: (start: number) => number[]): string[] {
  const covered = new Set(starts.flatMap(rounds).map(periodOf));
  const empty: string[] = [];
  const last = Math.max(...starts) + SCHEDULE_RATE_MS;
  for (let p = periodOf(Math.min(...starts)); p < periodOf(last); p += 1) {
    if (!covered.has(p)) empty.push(new Date(p * PERIOD_MS).toISOString().slice(11, 19));
  }
  return empty;
}

/** Invocations a minute apart (as scheduled), each starting `delays[i]` seconds into its minute. */
const invocations = (delays: number[]) => delays.map((d, i) => at('2026-03-01T12:00:00.000Z') + i * SCHEDULE_RATE_MS + d * 1000);

describe('probe round schedule', () => {
  it('runs a round at once, then on every wall-clock period boundary, one period past the minute', () => {
    // Act
    const times = roundTimes(at('2026-03-01T12:00:03.200Z'), cadence);
    // Assess
    expect(times.map((t) => new Date(t).toISOString().slice(14, 23))).toEqual([
      '00:03.200',
      '00:10.000',
      '00:20.000',
      '00:30.000',
      '00:40.000',
      '00:50.000',
      '01:00.000',
      '01:10.000',
    ]);
  });

  it('covers the period in progress when the invocation starts late in it', () => {
    const times = roundTimes(at('2026-03-01T12:00:09.950Z'), cadence);
    expect(periodOf(times[0] as number)).toBe(periodOf(at('2026-03-01T12:00:00.000Z')));
    expect(times[1]).toBe(at('2026-03-01T12:00:10.000Z'));
  });

  it.each([
    ['on the minute', [0, 0, 0, 0]],
    ['a steady offset into the minute (EventBridge runs a rule within its minute)', [23.4, 23.4, 23.4, 23.4]],
    ['each start later than the one before, up to a period', [0.3, 4.1, 9.9, 19.8]],
    ['earlier and later by turns', [9.9, 0.1, 9.9, 0.1]],
    ['a cold start just under a period late', [0.2, 10.1, 0.2, 0.2]],
  ])('leaves no alarm period without a round across minute boundaries: %s', (_case, delays) => {
    expect(emptyPeriods(invocations(delays), (start) => roundTimes(start, cadence))).toEqual([]);
  });

  it('would leave the handover period empty if rounds were timed from the invocation start (the old schedule)', () => {
    const fromStart = (start: number) => Array.from({ length: 6 }, (_, i) => start + i * PERIOD_MS);
    expect(emptyPeriods(invocations([0.5, 10.2]), fromStart)).toEqual(['12:01:00']);
    expect(emptyPeriods(invocations([0.5, 10.2]), (start) => roundTimes(start, cadence))).toEqual([]);
  });

  it('tolerates a next start at least a period late, not much more (then the probe really went silent)', () => {
    const first = at('2026-03-01T12:00:00.500Z');
    expect(emptyPeriods([first, first + SCHEDULE_RATE_MS + PERIOD_MS], (s) => roundTimes(s, cadence))).toEqual([]);
    expect(emptyPeriods([first, first + SCHEDULE_RATE_MS + 3 * PERIOD_MS], (s) => roundTimes(s, cadence))).toEqual(['12:01:20']);
  });

  it('runs a single round when the cadence covers nothing more (the embedded runtime fires every period)', () => {
    expect(roundTimes(at('2026-03-01T12:00:03.200Z'), { periodMs: 1000, coverMs: 0 })).toEqual([at('2026-03-01T12:00:03.200Z')]);
  });
});
