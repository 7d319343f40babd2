import type { HistoryEvent } from '@aws-sdk/client-sfn';
import {
  describeEvent,
  EXIT,
  executionInput,
  exitCodeFor,
  HELP,
  helpRequested,
  type IdentitySources,
  type Io,
  leaseLine,
  main,
  parseCli,
  requester,
  summariseState,
  UsageError,
} from '../../../scripts/runbook';

const env = { USER: 'alice' };
const noGit: IdentitySources = { gitUserName: () => null, osUserName: () => null };

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
    expect(executionInput(options, env, noGit)).toEqual({
      reason: 'drill',
      requestedBy: 'oncall:bob-smith',
      dryRun: false,
      expectedVersion: 3,
      mode: 'ungraceful',
      force: true,
    });
    expect(executionInput(parseCli(['fence', '--stage', 'dev', '--reason', 'lift', '--lift', '--dry-run'], env), env, noGit)).toEqual({
      reason: 'lift',
      requestedBy: 'oncall:alice',
      dryRun: true,
      lift: true,
    });
  });

  it('never lets the CLI pose as an alarm', () => {
    const options = parseCli(['failover', '--stage', 'dev', '--reason', 'x', '--as', 'alarm:primary-down'], env);
    expect(executionInput(options, env, noGit).requestedBy).toBe('oncall:alarm-primary-down');
  });
});

describe('requester', () => {
  const git: IdentitySources = { gitUserName: () => 'Carol Dee', osUserName: () => 'root' };
  const osOnly: IdentitySources = { gitUserName: () => null, osUserName: () => 'root' };
  const cases: Array<[string, { as: string | null }, Record<string, string>, IdentitySources, string, string]> = [
    ['--as first', { as: 'bob' }, { SWITCHYARD_OPERATOR: 'op', USER: 'u' }, git, 'oncall:bob', '--as'],
    ['then SWITCHYARD_OPERATOR', { as: null }, { SWITCHYARD_OPERATOR: 'op', USER: 'u' }, git, 'oncall:op', 'SWITCHYARD_OPERATOR'],
    ['then git user.name', { as: null }, { USER: 'u' }, git, 'oncall:Carol-Dee', 'git user.name'],
    ['then $USER', { as: null }, { USER: 'u' }, noGit, 'oncall:u', 'the OS user'],
    ['then the OS account without $USER', { as: null }, {}, osOnly, 'oncall:root', 'the OS user'],
    ['an empty --as falls through', { as: '  ' }, {}, git, 'oncall:Carol-Dee', 'git user.name'],
  ];
  it.each(cases)('%s', (_, options, environment, sources, requestedBy, from) => {
    expect(requester(options, environment, sources)).toEqual({ requestedBy, from });
  });

  it('refuses to name nobody instead of recording "unknown"', () => {
    expect(() => requester({ as: null }, {}, noGit)).toThrow(UsageError);
    expect(() => requester({ as: null }, {}, noGit)).toThrow(/--as <name>/);
  });

  it('a run without any identity exits as bad usage before anything starts', async () => {
    // Prepare
    const errors: string[] = [];
    const io: Io = { out: () => {}, err: (l) => errors.push(l), sleep: async () => {}, env: {}, identity: noGit };
    // Act
    const code = await main(['failover', '--stage', 'dev', '--reason', 'x'], io);
    // Assess
    expect(code).toBe(EXIT.usage);
    expect(errors.join('\n')).toMatch(/Cannot tell who you are/);
  });
});

describe('help', () => {
  it.each([
    [['--help'], HELP['']],
    [['-h'], HELP['']],
    [['help'], HELP['']],
    [['help', 'failover'], HELP.failover],
    [['failover', '--help'], HELP.failover],
    [['fence', '-h', '--reason', 'x'], HELP.fence],
    [['status', '--stage', 'dev', '-h'], HELP.status],
    [['history', '--help'], HELP.history],
    [['report', '--help'], HELP.report],
    [['failback', '--ungraceful', '--help'], HELP.failback],
  ])('%p prints its help', (argv, text) => {
    expect(helpRequested(argv)).toBe(text);
  });

  it('every command has its own help naming its options', () => {
    expect(HELP.failover).toMatch(/--ungraceful/);
    expect(HELP.fence).toMatch(/--lift/);
    expect(HELP.failback).toMatch(/--primary-healthy/);
    expect(HELP.history).toMatch(/--limit/);
    expect(HELP.report).toMatch(/--execution/);
    for (const command of ['fence', 'failover', 'failback', 'status', 'history', 'report'])
      expect(HELP['']).toMatch(new RegExp(`\\n  ${command} `));
  });

  it('--help exits 0 on stdout, even where the options would be refused', async () => {
    // Prepare
    const lines: string[] = [];
    const errors: string[] = [];
    const io: Io = { out: (l) => lines.push(l), err: (l) => errors.push(l), sleep: async () => {}, env: {} };
    // Act
    const code = await main(['failover', '--help'], io);
    // Assess
    expect(code).toBe(EXIT.ok);
    expect(errors).toEqual([]);
    expect(lines.join('\n')).toMatch(/^usage: npm run runbook -- failover/);
  });

  it('is not triggered by a value after --', () => {
    expect(helpRequested(['status', '--', '--help'])).toBeNull();
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

describe('refusals read as refusals', () => {
  const start = new Date('2030-01-01T00:00:00.000Z');

  it('a refused practice run says REFUSED, with the rule and what to do', () => {
    // Prepare
    const event: HistoryEvent = {
      id: 5,
      type: 'TaskStateExited',
      timestamp: new Date(start.getTime() + 1000),
      stateExitedEventDetails: {
        name: 'CheckPreconditions',
        output: JSON.stringify({
          plan: {
            verdict: 'refuse',
            fromState: 'failover',
            fromVersion: 2,
            refusals: [
              {
                rule: 'state-allows-failover',
                error: 'IllegalRunbookState',
                message: 'Cannot fail over: already in us-west-2.',
                overridable: false,
              },
              { rule: 'target-healthy', error: 'TargetRegionUnhealthy', message: 'us-west-2 probe failing.', overridable: true },
            ],
            overrides: [],
            warnings: [],
          },
        }),
      },
    };
    // Act
    const text = describeEvent(event, start, new Set()) ?? '';
    // Assess
    expect(text).not.toMatch(/\bok\b/);
    expect(text).toMatch(/^ +\+1\.0s {2}REFUSED CheckPreconditions \(practice\): the real run would be REFUSED \(state failover v2\)/);
    expect(text).toMatch(/refused by rule state-allows-failover \(IllegalRunbookState\): Cannot fail over: already in us-west-2\./);
    expect(text).toMatch(/what to do: Check `runbook status`/);
    expect(text).toMatch(
      /refused by rule target-healthy \(TargetRegionUnhealthy\)[^\n]*\n[^\n]*what to do:[^\n]*\n[^\n]*override this rule with --force/,
    );
  });

  it('a refused real run marks the failing step and the execution as refused, not as errors', () => {
    const failed: HistoryEvent = {
      id: 6,
      type: 'LambdaFunctionFailed',
      timestamp: start,
      lambdaFunctionFailedEventDetails: {
        error: 'RunbookLocked',
        cause: JSON.stringify({ errorMessage: 'Another runbook is running: x.' }),
      },
    };
    const execution: HistoryEvent = {
      id: 7,
      type: 'ExecutionFailed',
      timestamp: start,
      executionFailedEventDetails: { error: 'RunbookLocked', cause: JSON.stringify({ errorMessage: 'Another runbook is running: x.' }) },
    };
    expect(describeEvent(failed, start, new Set())).toBe('   +0.0s  REFUSED RunbookLocked: Another runbook is running: x.');
    expect(describeEvent(execution, start, new Set())).toBe('   +0.0s  * execution REFUSED: RunbookLocked');
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

describe('leaseLine', () => {
  const now = new Date('2026-12-02T04:00:10.000Z');

  it("says until when a region's writes may land while its last recorded lease runs, and that it writes nothing after", () => {
    expect(leaseLine('us-east-1', now.getTime() - 400, now, 2000, 500)).toBe(
      '  us-east-1      last lease started 0.4 s ago: its writes may land until 2026-12-02T04:00:12.100Z',
    );
    expect(leaseLine('us-east-1', now.getTime() - 6000, now, 2000, 500)).toBe(
      '  us-east-1      last lease started 6.0 s ago: writes nothing now (ended 2026-12-02T04:00:06.500Z)',
    );
    expect(leaseLine('us-west-2', null, now, 2000, 500)).toBe('  us-west-2      no lease recorded');
    expect(leaseLine('us-west-2', undefined, now, 2000, 500)).toBe('  us-west-2      lease record unreadable');
  });
});

it('UsageError is named', () => {
  expect(new UsageError('x').name).toBe('UsageError');
});
