// Runbook configuration, read once per cold start from the environment that functions.yml
// fills from infra/stages/<stage>.yml (the one source of the thresholds), by the one schema
// mechanism of shared/env.ts. Fails fast, naming the variable, so a misdeployed function never
// runs a runbook with a guessed threshold: no threshold has a default here.

import { InvalidEnvironment, loadAppEnv, nonEmpty } from '../../shared/env';
import * as z from '../../shared/zod';
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
  /**
   * The timeout of the functions that journal writes (provider.timeout): a write's journal entry
   * commits within its writer's invocation (decisions/background-verification.ts).
   */
  writerTimeoutMs: number;
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

const positiveNumber = z.pipe(
  z.string().check(z.refine((raw) => raw.trim() !== '' && Number.isFinite(Number(raw)) && Number(raw) > 0, 'must be a positive number')),
  z.transform((raw: string) => Number(raw)),
);
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => value?.trim() || null),
);

/** The runbook functions' variables besides the application's (shared/env.ts appEnvShape): functions.yml. */
const runbookEnvShape = {
  STAGE: nonEmpty,
  PHOTOS_TABLE: nonEmpty,
  COMMENTS_TABLE: nonEmpty,
  SSM_PREFIX: nonEmpty,
  NOTIFICATIONS_TOPIC_ARN: optionalText,
  PHOTOS_BUCKET: optionalText,
  STATE_WRITE_TIMEOUT_MS: positiveNumber,
  WRITER_TIMEOUT_SECONDS: positiveNumber,
  HEARTBEAT_STALE_SECONDS: positiveNumber,
  HEALTH_RECORD_STALE_SECONDS: positiveNumber,
  RUNBOOK_LOCK_LEASE_SECONDS: positiveNumber,
  RUNBOOK_GATE_TIMEOUT_SECONDS: positiveNumber,
  RUNBOOK_GATE_POLL_SECONDS: positiveNumber,
  RUNBOOK_MAX_REPLICATION_LAG_SECONDS: positiveNumber,
  RUNBOOK_MIN_SECONDS_BETWEEN_AUTO_FAILOVERS: positiveNumber,
  RUNBOOK_MAX_ALARM_AGE_SECONDS: positiveNumber,
  RUNBOOK_PRIMARY_HEALTHY_SECONDS: positiveNumber,
  RUNBOOK_BEST_EFFORT_TIMEOUT_MS: positiveNumber,
};

function parseRunbookEnv(env: Env) {
  try {
    return loadAppEnv(runbookEnvShape, env);
  } catch (error) {
    if (!(error instanceof InvalidEnvironment)) throw error;
    const problems = error.problems.map((problem) =>
      problem.startsWith('AWS_REGION must be PRIMARY_REGION')
        ? `AWS_REGION ${env.AWS_REGION} is neither PRIMARY_REGION ${env.PRIMARY_REGION} nor SECONDARY_REGION ${env.SECONDARY_REGION}`
        : `Environment variable ${problem}`,
    );
    throw new RunbookConfigError(problems.join('; '));
  }
}

export function loadRunbookConfig(env: Env = process.env): RunbookConfig {
  const e = parseRunbookEnv(env);
  return {
    stage: e.STAGE,
    // The drain after a fence: one write lease and the margin (docs/fencing.md), never a fixed wait.
    drainSeconds: (e.WRITE_LEASE_MS + e.CLOCK_SKEW_MARGIN_MS) / 1000,
    appId: e.APP_ID,
    region: e.AWS_REGION,
    primaryRegion: e.PRIMARY_REGION,
    secondaryRegion: e.SECONDARY_REGION,
    tables: { appState: e.APP_STATE_TABLE, photos: e.PHOTOS_TABLE, comments: e.COMMENTS_TABLE },
    ssmPrefix: e.SSM_PREFIX.replace(/\/$/, ''),
    notificationsTopicArn: e.NOTIFICATIONS_TOPIC_ARN,
    photosBucket: e.PHOTOS_BUCKET,
    gateTimeoutSeconds: e.RUNBOOK_GATE_TIMEOUT_SECONDS,
    gatePollSeconds: Math.ceil(e.RUNBOOK_GATE_POLL_SECONDS),
    defaultMaxReplicationLagSeconds: e.RUNBOOK_MAX_REPLICATION_LAG_SECONDS,
    minSecondsBetweenAutoFailovers: e.RUNBOOK_MIN_SECONDS_BETWEEN_AUTO_FAILOVERS,
    maxAlarmAgeSeconds: e.RUNBOOK_MAX_ALARM_AGE_SECONDS,
    primaryHealthySecondsBeforeFailback: e.RUNBOOK_PRIMARY_HEALTHY_SECONDS,
    healthStaleSeconds: e.HEALTH_RECORD_STALE_SECONDS,
    quorumTable: e.QUORUM_TABLE,
    writeLeaseMs: e.WRITE_LEASE_MS,
    clockSkewMarginMs: e.CLOCK_SKEW_MARGIN_MS,
    stateWriteTimeoutMs: e.STATE_WRITE_TIMEOUT_MS,
    writerTimeoutMs: e.WRITER_TIMEOUT_SECONDS * 1000,
    heartbeatStaleSeconds: e.HEARTBEAT_STALE_SECONDS,
    lockLeaseSeconds: e.RUNBOOK_LOCK_LEASE_SECONDS,
    bestEffortTimeoutMs: e.RUNBOOK_BEST_EFFORT_TIMEOUT_MS,
  };
}

export function peerOf(config: Pick<RunbookConfig, 'primaryRegion' | 'secondaryRegion'>, region: string): string {
  return region === config.primaryRegion ? config.secondaryRegion : config.primaryRegion;
}

export const autoFailoverParameter = (config: Pick<RunbookConfig, 'ssmPrefix'>) => `${config.ssmPrefix}/auto-failover`;
export const maxLagParameter = (config: Pick<RunbookConfig, 'ssmPrefix'>) => `${config.ssmPrefix}/max-replication-lag-seconds`;
