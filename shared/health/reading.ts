// How a health-probe record is read, by everyone who reads one: the probe carrying its counts
// forward, GET /health?deep=1, the runbooks' preconditions and the runbook CLI. A record older
// than the stage's `thresholds.healthRecordStaleSeconds` (infra/stages/<stage>.yml, scaled once
// by the local runtime) says nothing about its region: the probe itself may be what stopped.
import type { HealthRecord } from './record';

export type HealthStatus = 'healthy' | 'unhealthy' | 'unknown';

export interface HealthReading {
  status: HealthStatus;
  checkedAt: string | null;
  /** Seconds since checkedAt (below 0: written by a clock ahead of this one); null without a readable checkedAt. */
  ageSeconds: number | null;
  /** While fresh and healthy: healthy without a break since then. */
  healthySince: string | null;
  /** Why the status is unknown; null when it is known. */
  unknownBecause: 'no record' | 'no checkedAt' | 'stale' | 'unknown status' | null;
  /** The record as written, when there is one. */
  record: Partial<HealthRecord> | null;
}

/** Is a record checked at `checkedAt` recent enough to say anything at `now`? */
export function isFresh(ageSeconds: number | null, staleSeconds: number): ageSeconds is number {
  return ageSeconds !== null && ageSeconds <= staleSeconds;
}

export function recordAgeSeconds(checkedAt: unknown, now: Date): number | null {
  const at = typeof checkedAt === 'string' ? Date.parse(checkedAt) : Number.NaN;
  return Number.isNaN(at) ? null : (now.getTime() - at) / 1000;
}

export function readHealthRecord(item: Record<string, unknown> | undefined, now: Date, staleSeconds: number): HealthReading {
  const unknown = (unknownBecause: HealthReading['unknownBecause'], over: Partial<HealthReading> = {}): HealthReading => ({
    status: 'unknown',
    checkedAt: null,
    ageSeconds: null,
    healthySince: null,
    unknownBecause,
    record: (item as Partial<HealthRecord> | undefined) ?? null,
    ...over,
  });
  if (!item) return unknown('no record');
  const ageSeconds = recordAgeSeconds(item.checkedAt, now);
  if (ageSeconds === null) return unknown('no checkedAt');
  const checkedAt = item.checkedAt as string;
  if (!isFresh(ageSeconds, staleSeconds)) return unknown('stale', { checkedAt, ageSeconds });
  if (item.status !== 'healthy' && item.status !== 'unhealthy') return unknown('unknown status', { checkedAt, ageSeconds });
  const healthySince = item.status === 'healthy' && typeof item.healthySince === 'string' ? item.healthySince : null;
  return { status: item.status, checkedAt, ageSeconds, healthySince, unknownBecause: null, record: item as Partial<HealthRecord> };
}
