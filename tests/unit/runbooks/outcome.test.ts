import { describeFailure, recoveryTimes, summariseOutcome } from '../../../services/runbooks/decisions/outcome';
import type { FenceResult, PromotionResult, RunbookDocument, RunContext } from '../../../services/runbooks/model';

const run: RunContext = {
  runbook: 'failover',
  executionId: 'arn:aws:states:us-west-2:1:execution:switchyard-dev-failover:run-1',
  executionName: 'run-1',
  startedAt: '2030-01-01T12:00:00.000Z',
  appId: 'switchyard',
  region: 'us-west-2',
  peerRegion: 'us-east-1',
  primaryRegion: 'us-east-1',
  secondaryRegion: 'us-west-2',
  requestedBy: 'oncall:alice',
  reason: 'drill',
  automatic: false,
  dryRun: false,
  force: false,
  expectedVersion: null,
  mode: 'planned',
  lift: false,
  primaryHealthConfirmed: false,
  detectedAt: null,
  lockHeld: true,
  drainSeconds: 2,
};
const fence: FenceResult = {
  action: 'fence',
  region: 'us-east-1',
  outcome: 'fenced',
  bestEffort: false,
  from: 'active',
  to: 'fenced',
  version: 1,
  at: '2030-01-01T12:00:01.000Z',
  detail: '',
};
const promotion: PromotionResult = {
  from: 'fenced',
  to: 'failover',
  region: 'us-west-2',
  version: 2,
  ungraceful: false,
  at: '2030-01-01T12:00:05.500Z',
  watermark: null,
  notified: true,
};
const NOW = new Date('2030-01-01T12:00:06.000Z');

describe('describeFailure', () => {
  it('keeps only the message of a Lambda error cause, never its trace', () => {
    // Prepare
    const cause = JSON.stringify({
      errorType: 'ReplicationGateTimeout',
      errorMessage: 'gate timed out',
      trace: ['at x (/var/task/index.js:1:1)'],
    });
    // Act
    const described = describeFailure({ Error: 'ReplicationGateTimeout', Cause: cause });
    // Assess
    expect(described).toEqual({ name: 'ReplicationGateTimeout', message: 'gate timed out' });
  });

  it('accepts a plain-text cause and names a missing error', () => {
    expect(describeFailure({ Cause: 'boom' })).toEqual({ name: 'RunbookStepFailed', message: 'boom' });
    expect(describeFailure({ Error: 'States.Timeout', Cause: '' }).message).toMatch(/ran out of time/);
  });
});

describe('recoveryTimes', () => {
  it('measures the write outage from the fence to the promotion', () => {
    const times = recoveryTimes({ run, fence, promotion }, NOW);
    expect(times).toEqual({
      writesStoppedAt: fence.at,
      promotedAt: promotion.at,
      writeUnavailableMs: 4_500,
      recoveryTimeMs: 5_500,
      runDurationMs: 6_000,
    });
  });

  it('measures an ungraceful failover from the detection time', () => {
    const times = recoveryTimes(
      { run: { ...run, mode: 'ungraceful', detectedAt: '2030-01-01T11:59:00.000Z' }, promotion: { ...promotion, ungraceful: true } },
      NOW,
    );
    expect(times.writesStoppedAt).toBe('2030-01-01T11:59:00.000Z');
    expect(times.recoveryTimeMs).toBe(65_500);
  });
});

describe('summariseOutcome', () => {
  const doc = (extra: Partial<RunbookDocument>): RunbookDocument => ({ run, ...extra });

  it('reports a success with the promotion', () => {
    const outcome = summariseOutcome(doc({ fence, promotion }), NOW);
    expect(outcome).toMatchObject({ status: 'succeeded', verdict: 'succeeded', error: null });
    expect(outcome.summary).toMatch(/us-west-2 failover at version 2/);
  });

  it('tells a refusal (nothing changed) from a failure', () => {
    expect(summariseOutcome(doc({ failure: { Error: 'AutoFailoverDisabled', Cause: 'off' } }), NOW)).toMatchObject({
      status: 'refused',
      verdict: 'refused',
    });
    expect(summariseOutcome(doc({ failure: { Error: 'ReplicationGateTimeout', Cause: 'slow' } }), NOW)).toMatchObject({
      status: 'failed',
      verdict: 'failed',
    });
  });

  it('calls a refusal after this run changed the state a failure', () => {
    const outcome = summariseOutcome(doc({ fence, failure: { Error: 'StaleStateVersion', Cause: 'moved' } }), NOW);
    expect(outcome).toMatchObject({ status: 'failed', verdict: 'failed' });
  });

  it('gives practice runs a would-… verdict listing every blocker', () => {
    const practice = { ...run, dryRun: true, lockHeld: false };
    const clean = summariseOutcome({ run: practice }, NOW);
    expect(clean).toMatchObject({ status: 'practice', verdict: 'would-succeed' });
    const blocked = summariseOutcome(
      {
        run: practice,
        plan: {
          runbook: 'failover',
          verdict: 'refuse',
          fromState: 'active',
          fromVersion: 1,
          activeRegion: 'us-east-1',
          steps: { fence: true, bestEffortFence: false, gate: true, reconcile: false, promote: true },
          fence: null,
          gate: null,
          promote: null,
          drainSeconds: 2,
          refusals: [{ rule: 'target-healthy', error: 'TargetRegionUnhealthy', message: 'sick', overridable: true }],
          overrides: [],
          warnings: [],
        },
        gate: { status: 'timed-out', reason: 'no marker' } as RunbookDocument['gate'],
      },
      NOW,
    );
    expect(blocked).toMatchObject({ status: 'practice', verdict: 'would-refuse' });
    expect(blocked.summary).toMatch(/TargetRegionUnhealthy: sick \| ReplicationGateTimeout: no marker/);
  });
});
