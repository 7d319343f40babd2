// The health probe's record of a region: written by that region's probe into its own replica
// of the app-state table (a global table), so the peer reads it too. Read by the runbooks
// (preconditions), GET /health?deep=1 and the runbook CLI's `status`.

export type ProbeStatus = 'healthy' | 'unhealthy';

export interface CheckOutcome {
  ok: boolean;
  latencyMs: number;
  /** Short, safe description of the failure (error name, timeout), never a stack or a payload. */
  error?: string;
}

export interface HealthRecord {
  pk: string;
  sk: string;
  region: string;
  status: ProbeStatus;
  checkedAt: string;
  /** Continuously healthy since (null while unhealthy). */
  healthySince: string | null;
  /** Failed rounds in a row (0 after a good round); `unhealthy` from the second. */
  failedRounds?: number;
  /** The failed checks, for people and for the runbook's refusal message. */
  detail: string;
  checks: Record<string, CheckOutcome>;
  /**
   * healthy: reachable, or alive by its quorum heartbeat (only then is a peer reported down);
   * heartbeatAt: its last heartbeat in the quorum store, 'unreadable' when this region could not reach the quorum.
   */
  peer: { region: string; healthy: boolean; reachable?: boolean; heartbeatAt?: string | null | 'unreadable' };
  /** How old the peer's record was when it was read here: replication staleness, peer → this region. */
  replication: { from: string; tableAgeSeconds: number | null; bucketAgeSeconds: number | null };
}

export const healthRecordKey = (appId: string, region: string) => ({ pk: `HEALTH#${appId}`, sk: region });

/** Key of the item the probe writes and reads back to check its region's table end to end. */
export const probeItemKey = (appId: string, region: string) => ({ pk: `PROBE#${appId}`, sk: region });

/** Key of the object the probe writes and reads back in its region's bucket (and the peer reads as a bucket heartbeat). */
export const probeObjectKey = (region: string) => `health-probe/${region}.json`;
