import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describeEvent, EXIT, executionInput, exitCodeFor, parseCli, summariseState, UsageError } from '../../../scripts/runbook';

const env = { USER: 'alice' };

describe('parseCli', () => {
  it('runs failover in the secondary and failback in the primary by default', () => {
    // Act
    const failover = parseCli(['failover', '--stage', 'dev', '--reason', 'drill'], env);
    const failback = parseCli(['failback', '--stage', 'dev', '--reason', 'drill'], env);
    // Assess
    expect(failover.region).toBe('us-west-2');
    expect(failback.region).toBe('us-east-1');
  });

  it.each([
    [['failover', '--stage', 'dev'], /needs --reason/],
    [['failback', '--stage', 'dev', '--reason', 'x', '--ungraceful'], /--ungraceful applies to failover only/],
    [['fence', '--stage', 'dev', '--reason', 'x', '--force'], /--force does not apply to fence/],
    [['failover', '--stage', 'dev', '--reason', 'x', '--expected-version=-1'], /integer >= 0/],
    [['failover', '--stage', 'dev', '--reason', 'two', 'words'], /quote the reason/],
    [['failover', '--stage', 'dev', '--reason', 'x', '--dryrun'], /Unknown option/],
    [['reboot'], /Give a command/],
  ])('refuses %p', (argv, message) => {
    expect(() => parseCli(argv, env)).toThrow(message);
  });

  it('refuses a region outside the stage', () => {
    expect(() => parseCli(['status', '--stage', 'dev', '--region', 'eu-west-1'], env)).toThrow(/neither the primary/);
  });
});

describe('executionInput', () => {
  it('builds the state machine input, naming the operator', () => {
    const options = parseCli(
      ['failover', '--stage', 'dev', '--reason', 'drill', '--ungraceful', '--force', '--expected-version', '3', '--as', 'bob smith'],
      env,
    );
    expect(executionInput(options, env)).toEqual({
      reason: 'drill',
      requestedBy: 'oncall:bob-smith',
      dryRun: false,
      expectedVersion: 3,
      mode: 'ungraceful',
      force: true,
    });
    expect(executionInput(parseCli(['fence', '--stage', 'dev', '--reason', 'lift', '--lift', '--dry-run'], env), env)).toEqual({
      reason: 'lift',
      requestedBy: 'oncall:alice',
      dryRun: true,
      lift: true,
    });
  });

  it('never lets the CLI pose as an alarm', () => {
    const options = parseCli(['failover', '--stage', 'dev', '--reason', 'x', '--as', 'alarm:primary-down'], env);
    expect(executionInput(options, env).requestedBy).toBe('oncall:alarm-primary-down');
  });
});

describe('exitCodeFor', () => {
  it('is 0 only on success; a practice run that would not succeed gets its own code', () => {
    expect(exitCodeFor('SUCCEEDED', { verdict: 'succeeded' })).toBe(EXIT.ok);
    expect(exitCodeFor('SUCCEEDED', { dryRun: true, verdict: 'would-succeed' })).toBe(EXIT.ok);
    expect(exitCodeFor('SUCCEEDED', { dryRun: true, verdict: 'would-refuse' })).toBe(EXIT.practiceBlocked);
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED', undefined]) expect(exitCodeFor(status, null)).toBe(EXIT.failed);
  });
});

describe('describeEvent', () => {
  const start = new Date('2030-01-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

  it('shows task steps with what they did', () => {
    const event: HistoryEvent = {
      id: 9,
      type: 'TaskStateExited',
      timestamp: at(1.5),
      stateExitedEventDetails: {
        name: 'FencePrimary',
        output: JSON.stringify({ fence: { outcome: 'fenced', detail: 'us-east-1: active -> fenced v4' } }),
      },
    };
    expect(describeEvent(event, start, new Set())).toBe('   +1.5s  ok FencePrimary: fenced: us-east-1: active -> fenced v4');
  });

  it('shows a failure with the message only, not the Lambda trace', () => {
    const event: HistoryEvent = {
      id: 3,
      type: 'LambdaFunctionFailed',
      timestamp: at(2),
      lambdaFunctionFailedEventDetails: {
        error: 'ReplicationGateTimeout',
        cause: JSON.stringify({ errorMessage: 'gate timed out', trace: ['at x'] }),
      },
    };
    expect(describeEvent(event, start, new Set())).toBe('   +2.0s  !! ReplicationGateTimeout: gate timed out');
  });

  it('keeps choices and the gate polling out of the way', () => {
    const quiet = new Set<string>();
    const poll = (checks: number): HistoryEvent => ({
      id: checks,
      type: 'TaskStateExited',
      timestamp: at(3),
      stateExitedEventDetails: { name: 'CheckReplication', output: JSON.stringify({ gate: { status: 'waiting', checks, reason: 'r' } }) },
    });
    expect(
      describeEvent(
        { id: 1, type: 'ChoiceStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'ChooseGate' } },
        start,
        quiet,
      ),
    ).toBeNull();
    expect(describeEvent(poll(1), start, quiet)).toMatch(/waiting/);
    expect(describeEvent(poll(6), start, quiet)).toBeNull();
  });
});

describe('summariseState', () => {
  it('lists refusals and overrides of a plan', () => {
    const output = JSON.stringify({
      plan: {
        verdict: 'proceed',
        fromState: 'active',
        fromVersion: 2,
        refusals: [],
        overrides: [{ rule: 'target-healthy' }],
        warnings: ['health unknown'],
      },
    });
    expect(summariseState('CheckPreconditions', output)).toBe(
      'proceed from active v2\n      OVERRIDDEN: target-healthy\n      warning: health unknown',
    );
  });
});

it('UsageError is named', () => {
  expect(new UsageError('x').name).toBe('UsageError');
});
