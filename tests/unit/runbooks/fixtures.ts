import type { RegionHealth, StateSnapshot } from '../../../services/runbooks/model';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';
export const NOW = new Date('2030-01-01T12:00:00.000Z');

export function state(overrides: Partial<StateSnapshot> = {}): StateSnapshot {
  return {
    appId: 'switchyard',
    state: 'active',
    activeRegion: PRIMARY,
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
    version: 4,
    updatedAt: '2029-12-31T00:00:00.000Z',
    updatedBy: 'oncall:alice',
    reason: 'drill',
    fence: null,
    writesResumeAt: null,
    ...overrides,
  };
}

export const healthy: RegionHealth = {
  status: 'healthy',
  checkedAt: NOW.toISOString(),
  healthySince: '2029-12-31T00:00:00.000Z',
  detail: 'ok',
};
export const unknownHealth: RegionHealth = { status: 'unknown', checkedAt: null, healthySince: null, detail: 'no probe record' };
export const unhealthy: RegionHealth = { status: 'unhealthy', checkedAt: NOW.toISOString(), healthySince: null, detail: 'api 503' };

export const secondsBefore = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

/** A runbook function's environment as functions.yml gives it (the secondary's). */
export const runbookEnv: Record<string, string> = {
  AWS_REGION: 'us-west-2',
  PRIMARY_REGION: 'us-east-1',
  SECONDARY_REGION: 'us-west-2',
  STAGE: 'dev',
  APP_ID: 'switchyard',
  APP_STATE_TABLE: 'app-state',
  PHOTOS_TABLE: 'photos',
  COMMENTS_TABLE: 'comments',
  SSM_PREFIX: '/switchyard/dev/',
  QUORUM_TABLE: 'quorum',
  WRITE_LEASE_MS: '2000',
  CLOCK_SKEW_MARGIN_MS: '500',
  STATE_WRITE_TIMEOUT_MS: '1000',
  WRITER_TIMEOUT_SECONDS: '10',
  HEARTBEAT_STALE_SECONDS: '20',
  HEALTH_RECORD_STALE_SECONDS: '300',
  RUNBOOK_LOCK_LEASE_SECONDS: '120',
  RUNBOOK_GATE_TIMEOUT_SECONDS: '60',
  RUNBOOK_GATE_POLL_SECONDS: '1',
  RUNBOOK_BEST_EFFORT_TIMEOUT_MS: '2000',
  RUNBOOK_MAX_REPLICATION_LAG_SECONDS: '5',
  RUNBOOK_MIN_SECONDS_BETWEEN_AUTO_FAILOVERS: '900',
  RUNBOOK_MAX_ALARM_AGE_SECONDS: '300',
  RUNBOOK_PRIMARY_HEALTHY_SECONDS: '300',
};
