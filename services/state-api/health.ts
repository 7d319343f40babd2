import { readHealthRecord } from '../../shared/health/reading';
import type { HealthRecord } from '../../shared/health/record';

// GET /health: cheap liveness for load balancers and the peer's probe. With no checks it calls
// no dependency at all, so it says "the function runs in this region", nothing more.
//
// `checks` (each fast and bounded by its own timeout) would make it call dependencies; the
// region's real health is the probe's record, which `?deep=1` shows (deepHealth below).

export interface HealthCheck {
  /** Shown to clients: a short stable name such as "app-state-table". */
  name: string;
  /** Resolves when healthy; rejects otherwise (the reason is logged by the caller, never sent). */
  run(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  region: string;
  time: string;
  checks?: Record<string, 'ok' | 'failed'>;
}

export interface HealthDeps {
  region: string;
  clock: () => Date;
  checks?: readonly HealthCheck[];
  onCheckFailed?: (name: string, error: unknown) => void;
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const checks = deps.checks ?? [];
  if (checks.length === 0) return { status: 'ok', region: deps.region, time: deps.clock().toISOString() };
  const outcomes = await Promise.all(
    checks.map(async (check): Promise<[string, 'ok' | 'failed']> => {
      try {
        await check.run();
        return [check.name, 'ok'];
      } catch (error) {
        deps.onCheckFailed?.(check.name, error);
        return [check.name, 'failed'];
      }
    }),
  );
  return {
    status: outcomes.every(([, outcome]) => outcome === 'ok') ? 'ok' : 'unhealthy',
    region: deps.region,
    time: deps.clock().toISOString(),
    checks: Object.fromEntries(outcomes),
  };
}

// --- GET /health?deep=1: what the health probes last found ------------------------------------

/** One region's probe record as GET /health?deep=1 shows it. */
export interface ProbeView {
  region: string;
  status: 'healthy' | 'unhealthy' | 'unknown';
  checkedAt: string | null;
  ageSeconds: number | null;
  healthySince: string | null;
  detail: string;
  checks?: Record<string, { ok: boolean; latencyMs: number }>;
}

export interface DeepHealthReport {
  status: 'ok' | 'unhealthy';
  region: string;
  time: string;
  probe: {
    self: ProbeView;
    /** The peer's own record as replicated into this region: its age includes the replication lag. */
    peer: ProbeView;
    /** What this region's probe found of the peer, and of replication from it. */
    peerAsSeenFromHere: { healthy: boolean } | null;
    replication: { from: string; tableAgeSeconds: number | null; bucketAgeSeconds: number | null } | null;
  };
}

export interface DeepHealthDeps {
  region: string;
  peerRegion: string;
  clock: () => Date;
  /** A record older than this says nothing (shared/health/reading.ts). */
  staleSeconds: number;
  readRecord(region: string): Promise<HealthRecord | undefined>;
}

export function probeView(region: string, record: HealthRecord | undefined, now: Date, staleSeconds: number): ProbeView {
  if (!record) return { region, status: 'unknown', checkedAt: null, ageSeconds: null, healthySince: null, detail: 'no probe record yet' };
  const reading = readHealthRecord(record as unknown as Record<string, unknown>, now, staleSeconds);
  const ageSeconds = reading.ageSeconds === null ? null : Math.max(0, Math.round(reading.ageSeconds * 10) / 10);
  return {
    region,
    status: reading.status,
    checkedAt: record.checkedAt,
    ageSeconds,
    healthySince: reading.healthySince,
    detail: reading.unknownBecause === 'stale' ? `probe record is ${ageSeconds} s old (${record.detail})` : record.detail,
    checks: Object.fromEntries(Object.entries(record.checks ?? {}).map(([k, v]) => [k, { ok: v.ok, latencyMs: v.latencyMs }])),
  };
}

/** 200 when this region's own probe found it healthy recently, else 503; reads only this region's replica. */
export async function deepHealth(deps: DeepHealthDeps): Promise<DeepHealthReport> {
  const [own, peer] = await Promise.all([deps.readRecord(deps.region), deps.readRecord(deps.peerRegion)]);
  const now = deps.clock();
  const self = probeView(deps.region, own, now, deps.staleSeconds);
  return {
    status: self.status === 'healthy' ? 'ok' : 'unhealthy',
    region: deps.region,
    time: now.toISOString(),
    probe: {
      self,
      peer: probeView(deps.peerRegion, peer, now, deps.staleSeconds),
      peerAsSeenFromHere: own ? { healthy: own.peer.healthy } : null,
      replication: own ? own.replication : null,
    },
  };
}
