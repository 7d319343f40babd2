import { loadRunbookConfig, RunbookConfigError } from '../../../services/runbooks/config';

const env = {
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

describe('loadRunbookConfig', () => {
  it('reads the thresholds, and leaves the optional ones unset', () => {
    // Act
    const config = loadRunbookConfig(env);
    // Assess
    expect(config).toMatchObject({
      region: 'us-west-2',
      ssmPrefix: '/switchyard/dev',
      // One write lease and the clock-skew margin: never a fixed wait.
      drainSeconds: 2.5,
      gatePollSeconds: 1,
      lockLeaseSeconds: 120,
      quorumTable: 'quorum',
      heartbeatStaleSeconds: 20,
      maxAlarmAgeSeconds: 300,
      notificationsTopicArn: null,
      tables: { appState: 'app-state', photos: 'photos', comments: 'comments' },
    });
  });

  it('names the missing or invalid variable', () => {
    const { PHOTOS_TABLE: _omitted, ...missing } = env;
    expect(() => loadRunbookConfig(missing)).toThrow(new RunbookConfigError('Environment variable PHOTOS_TABLE is required'));
    expect(() => loadRunbookConfig({ ...env, RUNBOOK_GATE_TIMEOUT_SECONDS: 'soon' })).toThrow(
      /RUNBOOK_GATE_TIMEOUT_SECONDS must be a positive number/,
    );
  });

  it('refuses a region that is neither the primary nor the secondary', () => {
    expect(() => loadRunbookConfig({ ...env, AWS_REGION: 'eu-west-1' })).toThrow(/neither/);
  });
});
