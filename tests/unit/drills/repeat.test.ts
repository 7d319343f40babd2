import { median, repeatTable, spreadOf } from '../../../local/drills/repeat';
import type { DrillFigures } from '../../../local/drills/report';

const run = (writeOutageMs: number, detectionMs: number | null = 4000): DrillFigures =>
  ({
    detectionMs,
    writeOutage: { ms: writeOutageMs, from: null, to: null },
    requests: { reads: 100, readErrors: 0, writeAttempts: 50, writesAcked: 50, writesAbandoned: 0 },
    lostBeforeReconciliation: { count: 0, from: null, to: null },
    lostAfterReconciliation: null,
  }) as unknown as DrillFigures;

describe('repeated drill runs', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('no values');
  });

  it('measures the furthest run from the median as a fraction of it', () => {
    expect(spreadOf([6000, 8000, 7000])).toMatchObject({ median: 7000, min: 6000, max: 8000, repeatable: true });
    expect(spreadOf([6000, 8000, 7000]).maxDeviation).toBeCloseTo(1000 / 7000);
    // 16.7 s against a median of 8 s: not repeatable.
    expect(spreadOf([7800, 16_700, 8000])).toMatchObject({ median: 8000, repeatable: false });
    // Exactly at the bound counts as within it.
    expect(spreadOf([7500, 10_000, 12_500]).repeatable).toBe(true);
    expect(spreadOf([0, 0, 0])).toMatchObject({ maxDeviation: 0, repeatable: true });
    expect(spreadOf([0, 0, 100]).repeatable).toBe(false);
  });

  it('prints one line per run and says whether the write outages repeat', () => {
    const ok = repeatTable([run(6000), run(7000, 4500), run(6500, 5000)]);
    expect(ok.repeatable).toBe(true);
    expect(ok.table.split('\n').filter((l) => l.startsWith('  run '))).toHaveLength(3);
    expect(ok.table).toContain('write outage: median 6.5 s, 6.0 s–7.0 s');
    expect(ok.table).toContain('detection:    median 4.5 s');
    expect(ok.table).toContain('repeatable: every write outage within ±25 %');

    const bad = repeatTable([run(7800), run(16_700), run(8000)]);
    expect(bad.repeatable).toBe(false);
    expect(bad.table).toContain('NOT repeatable: a write outage lies ±109 % from the median');
  });

  it('leaves detection out when a run detected nothing (a planned failover)', () => {
    expect(repeatTable([run(2000, null), run(2100, null)]).table).not.toContain('detection:');
  });
});
