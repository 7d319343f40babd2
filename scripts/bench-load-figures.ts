// The figures of `npm run bench -- --load` and `--idle`, from what the run recorded: pure, so the
// unit tests check the arithmetic and the goals (issue 17) without a runtime.
import type { Attempt } from '../local/drills/load';
import type { ReplicationStat } from '../local/replication';
import type { HealthRecord } from '../shared/health/record';

/** Issue 17's goals for the embedded runtime on 2 cores. */
export const LOAD_GOALS = { rate: 80, lagP99Ms: 1000, probeTimeouts: 0, idleCpuShare: 0.1 } as const;

export interface CpuSample {
  /** CPU seconds used by the runtime: this process (functions run in its worker threads) and the processes it started (DynamoDB Local). */
  cpuSeconds: number;
  wallSeconds: number;
}

/** Share of one core. */
export const coreShare = (cpu: CpuSample) => (cpu.wallSeconds > 0 ? cpu.cpuSeconds / cpu.wallSeconds : 0);

export interface ProbeRounds {
  region: string;
  rounds: number;
  /** Rounds in which at least one check ran out of its time (CheckTimedOut). */
  timedOut: number;
  unhealthy: number;
  /** The checks that timed out, with how often. */
  timedOutChecks: Record<string, number>;
}

/** Each probe record seen once (by its checkedAt), per region. */
export function probeRounds(region: string, records: readonly HealthRecord[]): ProbeRounds {
  const seen = new Map<string, HealthRecord>();
  for (const r of records) if (r.region === region) seen.set(r.checkedAt, r);
  const out: ProbeRounds = { region, rounds: seen.size, timedOut: 0, unhealthy: 0, timedOutChecks: {} };
  for (const record of seen.values()) {
    const late = Object.entries(record.checks).filter(([, c]) => !c.ok && (c.error ?? '').startsWith('CheckTimedOut'));
    if (late.length > 0) out.timedOut += 1;
    if (record.status !== 'healthy') out.unhealthy += 1;
    for (const [name] of late) out.timedOutChecks[name] = (out.timedOutChecks[name] ?? 0) + 1;
  }
  return out;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

export interface LoadFigures {
  rateAsked: number;
  /** Requests sent per second: reads, and write attempts that went to a region (not the client's own NO_WRITABLE_REGION). */
  rateAchieved: number;
  /** The load's state polls per second (each a GET /state to every region). */
  statePollsPerSecond: number;
  seconds: number;
  reads: { ok: number; failed: number };
  writes: { attempts: number; acked: number; failed: number; byOutcome: Record<string, number> };
  probes: ProbeRounds[];
  /** Per replicated table and direction: p99 and max lag, deliveries. */
  lag: Array<{ table: string; from: string; to: string; p99Ms: number | null; maxMs: number | null; applied: number }>;
  cpu: CpuSample;
  loadAverage: number;
}

export function loadFigures(input: {
  rateAsked: number;
  seconds: number;
  attempts: readonly Attempt[];
  /** State polls the load made in the window. */
  statePolls: number;
  acked: number;
  probes: ProbeRounds[];
  stats: readonly ReplicationStat[];
  cpu: CpuSample;
  loadAverage: number;
}): LoadFigures {
  const reads = input.attempts.filter((a) => a.kind === 'read');
  const writes = input.attempts.filter((a) => a.kind === 'write');
  return {
    rateAsked: input.rateAsked,
    rateAchieved: input.seconds > 0 ? input.attempts.filter((a) => a.region !== null).length / input.seconds : 0,
    statePollsPerSecond: input.seconds > 0 ? input.statePolls / input.seconds : 0,
    seconds: input.seconds,
    reads: { ok: reads.filter((a) => a.ok).length, failed: reads.filter((a) => !a.ok).length },
    writes: {
      attempts: writes.length,
      acked: input.acked,
      failed: writes.filter((a) => !a.ok).length,
      byOutcome: countBy(writes.filter((a) => !a.ok).map((a) => a.outcome)),
    },
    probes: input.probes,
    lag: input.stats
      .filter((s) => s.applied > 0)
      .map((s) => ({ table: s.table, from: s.from, to: s.to, p99Ms: s.p99LagMs, maxMs: s.maxLagMs, applied: s.applied })),
    cpu: input.cpu,
    loadAverage: input.loadAverage,
  };
}

const pct = (share: number) => `${Math.round(share * 100)} %`;
const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');

/** The worst p99 over every table and direction (null when nothing was delivered). */
export function worstLagP99(figures: LoadFigures): number | null {
  const values = figures.lag.map((l) => l.p99Ms).filter((v): v is number => v !== null);
  return values.length > 0 ? Math.max(...values) : null;
}

export function renderLoad(f: LoadFigures): string {
  const timeouts = f.probes.reduce((sum, p) => sum + p.timedOut, 0);
  const worst = worstLagP99(f);
  const lines = [
    `Load: ${f.rateAsked} requests/s asked, ${f.rateAchieved.toFixed(1)}/s sent for ${f.seconds.toFixed(0)} s (30 % writes), load average ${f.loadAverage.toFixed(1)}`,
    `  state   ${f.statePollsPerSecond.toFixed(1)} polls/s by the load (each a GET /state to both regions)`,
    `  reads   ${f.reads.ok} ok, ${f.reads.failed} failed`,
    `  writes  ${f.writes.acked} acknowledged of ${f.writes.attempts} attempts, ${f.writes.failed} attempts failed${
      f.writes.failed > 0
        ? ` (${Object.entries(f.writes.byOutcome)
            .map(([outcome, n]) => `${outcome} ${n}`)
            .join(', ')})`
        : ''
    }`,
    ...f.probes.map(
      (p) =>
        `  probe   ${p.region}: ${p.rounds} rounds, ${p.timedOut} with a timed-out check${
          Object.keys(p.timedOutChecks).length
            ? ` (${Object.entries(p.timedOutChecks)
                .map(([c, n]) => `${c} ${n}`)
                .join(', ')})`
            : ''
        }, ${p.unhealthy} unhealthy`,
    ),
    ...f.lag.map(
      (l) => `  lag     ${l.table} ${l.from} -> ${l.to}: p99 ${l.p99Ms ?? '–'} ms, max ${l.maxMs ?? '–'} ms over ${l.applied} deliveries`,
    ),
    `  cpu     ${pct(coreShare(f.cpu))} of one core (runtime and DynamoDB Local)`,
    'Goals (issue 17):',
    `  ${mark(f.rateAchieved >= LOAD_GOALS.rate * 0.95)} rate ≥ ${LOAD_GOALS.rate}/s sustained`,
    `  ${mark(timeouts <= LOAD_GOALS.probeTimeouts)} no probe timeout (${timeouts})`,
    `  ${mark(worst !== null && worst <= LOAD_GOALS.lagP99Ms)} replication lag p99 ≤ ${LOAD_GOALS.lagP99Ms} ms (worst ${worst ?? '–'} ms)`,
  ];
  return lines.join('\n');
}

export function renderIdle(cpu: CpuSample, parts: Array<{ name: string; cpu: CpuSample }>): string {
  const share = coreShare(cpu);
  return [
    `Idle for ${cpu.wallSeconds.toFixed(0)} s: ${pct(share)} of one core`,
    ...parts.map((p) => `  ${p.name.padEnd(28)} ${pct(coreShare(p.cpu))}`),
    `  ${mark(share <= LOAD_GOALS.idleCpuShare)} idle ≤ ${pct(LOAD_GOALS.idleCpuShare)} of one core (issue 17)`,
  ].join('\n');
}
