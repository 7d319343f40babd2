// Runbook configuration, read once per cold start from the environment that functions.yml
// fills from infra/stages/<stage>.yml (the one source of the thresholds). Fails fast, naming
// the variable, so a misdeployed function never runs a runbook with a guessed threshold.
import type { ReplicatedTable } from './model';

export interface RunbookConfig {
  stage: string;
  appId: string;
  /** The region this function runs in. */
  region: string;
  primaryRegion: string;
  secondaryRegion: string;
  /** Same names in both regions (global tables). */
  tables: Record<ReplicatedTable, string>;
  /** The quorum store (MRSC table): state, lock, heartbeats (docs/fencing.md). */
  quorumTable: string;
  /** The stage's write lease and clock-skew margin: every wait for another region's lease to end is their sum. */
  writeLeaseMs: number;
  clockSkewMarginMs: number;
  /** The quorum store's write of a promotion is abandoned after this long, so its commit is bounded. */
  stateWriteTimeoutMs: number;
  /** A heartbeat older than this means its region is not renewing it. */
  heartbeatStaleSeconds: number;
  ssmPrefix: string;
  notificationsTopicArn: string | null;
  /** This region's photo bucket, which the replication gate checks photo objects in (null: not configured). */
  photosBucket: string | null;
  drainSeconds: number;
  gateTimeoutSeconds: number;
  gatePollSeconds: number;
  /** Used when the SSM parameter is missing or unreadable. */
  defaultMaxReplicationLagSeconds: number;
  minSecondsBetweenAutoFailovers: number;
  /** An automatic run whose alarm is older than this is refused (StaleAlarm). */
  maxAlarmAgeSeconds: number;
  primaryHealthySecondsBeforeFailback: number;
  /** A probe record older than this says nothing about the region's health (shared/health/reading.ts). */
  healthStaleSeconds: number;
  /** The lock's lease: every step renews it, so a stopped or crashed execution blocks the next run for at most this long. */
  lockLeaseSeconds: number;
  /** Budget of the best-effort fence's calls to the (probably unreachable) primary, both together. */
  bestEffortTimeoutMs: number;
}

export class RunbookConfigError extends Error {
  override readonly name = 'RunbookConfigError';
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new RunbookConfigError(`Environment variable ${name} is required`);
  return value.trim();
}

function positive(env: Env, name: string, fallback?: number): number {
  const raw = env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const value = Number(text(env, name));
  if (!Number.isFinite(value) || value <= 0)
    throw new RunbookConfigError(`Environment variable ${name} must be a positive number, got "${raw}"`);
  return value;
}

export function loadRunbookConfig(env: Env = process.env): RunbookConfig {
  const region = text(env, 'AWS_REGION');
  const primaryRegion = text(env, 'PRIMARY_REGION');
  const secondaryRegion = text(env, 'SECONDARY_REGION');
  if (region !== primaryRegion && region !== secondaryRegion) {
    throw new RunbookConfigError(`AWS_REGION ${region} is neither PRIMARY_REGION ${primaryRegion} nor SECONDARY_REGION ${secondaryRegion}`);
  }
  const writeLeaseMs = positive(env, 'WRITE_LEASE_MS');
  const clockSkewMarginMs = positive(env, 'CLOCK_SKEW_MARGIN_MS');
  return {
    stage: text(env, 'STAGE'),
    // The drain after a fence: one write lease and the margin (docs/fencing.md), never a fixed wait.
    drainSeconds: (writeLeaseMs + clockSkewMarginMs) / 1000,
    appId: text(env, 'APP_ID'),
    region,
    primaryRegion,
    secondaryRegion,
    tables: { appState: text(env, 'APP_STATE_TABLE'), photos: text(env, 'PHOTOS_TABLE'), comments: text(env, 'COMMENTS_TABLE') },
    ssmPrefix: text(env, 'SSM_PREFIX').replace(/\/$/, ''),
    notificationsTopicArn: env.NOTIFICATIONS_TOPIC_ARN?.trim() || null,
    photosBucket: env.PHOTOS_BUCKET?.trim() || null,
    gateTimeoutSeconds: positive(env, 'RUNBOOK_GATE_TIMEOUT_SECONDS'),
    gatePollSeconds: Math.ceil(positive(env, 'RUNBOOK_GATE_POLL_SECONDS', 1)),
    defaultMaxReplicationLagSeconds: positive(env, 'RUNBOOK_MAX_REPLICATION_LAG_SECONDS'),
    minSecondsBetweenAutoFailovers: positive(env, 'RUNBOOK_MIN_SECONDS_BETWEEN_AUTO_FAILOVERS'),
    maxAlarmAgeSeconds: positive(env, 'RUNBOOK_MAX_ALARM_AGE_SECONDS'),
    primaryHealthySecondsBeforeFailback: positive(env, 'RUNBOOK_PRIMARY_HEALTHY_SECONDS'),
    healthStaleSeconds: positive(env, 'HEALTH_RECORD_STALE_SECONDS'),
    quorumTable: text(env, 'QUORUM_TABLE'),
    writeLeaseMs,
    clockSkewMarginMs,
    stateWriteTimeoutMs: positive(env, 'STATE_WRITE_TIMEOUT_MS'),
    heartbeatStaleSeconds: positive(env, 'HEARTBEAT_STALE_SECONDS'),
    lockLeaseSeconds: positive(env, 'RUNBOOK_LOCK_LEASE_SECONDS'),
    bestEffortTimeoutMs: positive(env, 'RUNBOOK_BEST_EFFORT_TIMEOUT_MS', 2000),
  };
}

export function peerOf(config: Pick<RunbookConfig, 'primaryRegion' | 'secondaryRegion'>, region: string): string {
  return region === config.primaryRegion ? config.secondaryRegion : config.primaryRegion;
}

export const autoFailoverParameter = (config: Pick<RunbookConfig, 'ssmPrefix'>) => `${config.ssmPrefix}/auto-failover`;
export const maxLagParameter = (config: Pick<RunbookConfig, 'ssmPrefix'>) => `${config.ssmPrefix}/max-replication-lag-seconds`;
