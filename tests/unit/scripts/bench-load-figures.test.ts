import type { Attempt } from '../../../local/drills/load';
import type { ReplicationStat } from '../../../local/replication';
import { coreShare, loadFigures, probeRounds, renderIdle, renderLoad, worstLagP99 } from '../../../scripts/bench-load-figures';
import type { HealthRecord } from '../../../shared/health/record';

const record = (region: string, checkedAt: string, checks: HealthRecord['checks'], status: HealthRecord['status'] = 'healthy') =>
  ({ region, checkedAt, checks, status }) as HealthRecord;
const ok = { ok: true, latencyMs: 5 };
const late = { ok: false, latencyMs: 2000, error: 'CheckTimedOut: no answer within 2000 ms' };
const refused = { ok: false, latencyMs: 3, error: 'TypeError: fetch failed' };

const attempt = (kind: Attempt['kind'], okay: boolean): Attempt => ({
  at: 0,
  kind,
  ok: okay,
  outcome: okay ? 'ok' : 'NETWORK',
  region: 'r',
  latencyMs: 1,
});
const stat = (table: string, p99LagMs: number | null, applied: number) =>
  ({ table, from: 'us-east-1', to: 'us-west-2', p99LagMs, maxLagMs: p99LagMs, applied }) as ReplicationStat;

describe('load bench figures', () => {
  it('counts each probe round once, and the rounds in which a check ran out of time', () => {
    const records = [
      record('us-east-1', 't1', { bucket: ok, table: ok }),
      record('us-east-1', 't1', { bucket: ok, table: ok }), // the same round read twice
      record('us-east-1', 't2', { bucket: late, table: ok }, 'unhealthy'),
      record('us-east-1', 't3', { bucket: late, table: late }, 'unhealthy'),
      record('us-east-1', 't4', { bucket: refused, table: ok }, 'unhealthy'), // failed, but not a timeout
      record('us-west-2', 't1', { bucket: late, table: ok }),
    ];
    expect(probeRounds('us-east-1', records)).toEqual({
      region: 'us-east-1',
      rounds: 4,
      timedOut: 2,
      unhealthy: 3,
      timedOutChecks: { bucket: 2, table: 1 },
    });
  });

  it('sums reads and writes, and takes the worst p99 of the tables that replicated anything', () => {
    const figures = loadFigures({
      rateAsked: 80,
      seconds: 10,
      attempts: [
        attempt('read', true),
        attempt('read', false),
        attempt('write', true),
        attempt('write', false),
        { ...attempt('write', false), outcome: 'NO_WRITABLE_REGION', region: null },
      ],
      statePolls: 25,
      acked: 1,
      probes: [],
      stats: [stat('comments', 400, 200), stat('photos', 1200, 3), stat('idempotency', null, 0)],
      cpu: { cpuSeconds: 5, wallSeconds: 10 },
      loadAverage: 1.5,
    });
    expect(figures).toMatchObject({
      rateAchieved: 0.4,
      statePollsPerSecond: 2.5,
      reads: { ok: 1, failed: 1 },
      writes: { attempts: 3, acked: 1, failed: 2, byOutcome: { NETWORK: 1, NO_WRITABLE_REGION: 1 } },
    });
    expect(renderLoad(figures)).toContain('2 attempts failed (NETWORK 1, NO_WRITABLE_REGION 1)');
    expect(figures.lag.map((l) => l.table)).toEqual(['comments', 'photos']);
    expect(worstLagP99(figures)).toBe(1200);
    expect(coreShare(figures.cpu)).toBe(0.5);
    const text = renderLoad(figures);
    expect(text).toContain('MISS rate ≥ 80/s sustained');
    expect(text).toContain('ok   no probe timeout (0)');
    expect(text).toContain('MISS replication lag p99 ≤ 1000 ms (worst 1200 ms)');
  });

  it('says whether idle stays under a tenth of a core', () => {
    expect(renderIdle({ cpuSeconds: 1.5, wallSeconds: 30 }, [])).toContain('ok   idle ≤ 10 %');
    expect(renderIdle({ cpuSeconds: 12, wallSeconds: 30 }, [{ name: 'java', cpu: { cpuSeconds: 6, wallSeconds: 30 } }])).toMatch(
      /40 % of one core[\s\S]*java\s+20 %[\s\S]*MISS idle/,
    );
  });
});
