import { loadRunbookConfig, RunbookConfigError } from '../../../services/runbooks/config';
import { runbookEnv as env } from './fixtures';

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
