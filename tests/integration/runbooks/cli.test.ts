// The on-call CLI against a local Step Functions / SSM / SNS endpoint (local/control-plane) that
// runs the real ASL, each Task invoking the real step with the real wiring: SSM and SNS are the
// real SDK adapters here, reached through AWS_ENDPOINT_URL_SSM / _SNS / _SFN.
import '../../../local/polyfills';
import { type ControlPlane, startControlPlane } from '../../../local/control-plane';
import { EXIT, type Io, main } from '../../../scripts/runbook';
import type { RunbookDeps } from '../../../services/runbooks/steps/ports';
import { ALL_CLIENT_PORTS, createRunbookDeps } from '../../../services/runbooks/wiring';
import { loadDefinition, RUNBOOK_MACHINES, withFunctionArns } from '../../../state-machines/definitions';
import { eventually } from '../../support/eventually';
import { STEPS } from './support/run-machine';
import { createWorld, PRIMARY, SECONDARY, startRegions, stopRegions, type World } from './support/two-regions';

jest.setTimeout(120_000);

const ACCOUNT = '000000000000';
let w: World;
let controlPlane: ControlPlane;
const deps: Record<string, RunbookDeps> = {};

beforeAll(async () => {
  await startRegions();
  w = await createWorld();
  await w.healthy(SECONDARY);
  controlPlane = await startControlPlane({
    accountId: ACCOUNT,
    alarms: [],
    rules: [],
    stateMachines: [PRIMARY, SECONDARY].flatMap((region) =>
      RUNBOOK_MACHINES.map((machine) => ({
        region,
        name: `switchyard-dev-${machine}`,
        arn: `arn:aws:states:${region}:${ACCOUNT}:stateMachine:switchyard-dev-${machine}`,
        definition: withFunctionArns(loadDefinition(machine), (id) => `arn:aws:lambda:${region}:${ACCOUNT}:function:switchyard-dev-${id}`),
      })),
    ),
    parameters: [PRIMARY, SECONDARY].map((region) => ({
      region,
      name: `${w.env(region).SSM_PREFIX}/max-replication-lag-seconds`,
      value: '5',
    })),
    invokeFunction: async (region, functionArn, payload) => {
      const logicalId = functionArn.split(':function:switchyard-dev-')[1] ?? '';
      const step = STEPS[logicalId];
      if (!step) throw new Error(`no function ${functionArn}`);
      return step(deps[region] as RunbookDeps, payload);
    },
  });
  process.env.AWS_ENDPOINT_URL_SFN = controlPlane.endpoint;
  process.env.AWS_ENDPOINT_URL_SSM = controlPlane.endpoint;
  process.env.AWS_ENDPOINT_URL_SNS = controlPlane.endpoint;
  for (const region of [PRIMARY, SECONDARY]) deps[region] = createRunbookDeps(w.env(region), {}, ALL_CLIENT_PORTS);
});

afterAll(async () => {
  await controlPlane?.stop();
  await w?.dispose();
  await stopRegions();
});

function cli(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))),
    // The operator's name comes from $USER here, not from this machine's git config.
    identity: { gitUserName: () => null, osUserName: () => null },
    env: {
      ...process.env,
      APP_STATE_TABLE: w.tables.appState,
      QUORUM_TABLE: w.tables.quorum,
      SWITCHYARD_REGION_ENDPOINTS: w.env(PRIMARY).SWITCHYARD_REGION_ENDPOINTS,
      USER: 'alice',
    },
  };
}

describe('runbook CLI', () => {
  it('practice failover: shows each step live and exits 0 because the real run would succeed', async () => {
    // Prepare
    const io = cli();
    // Act
    const code = await main(['failover', '--stage', 'dev', '--reason', 'game day', '--dry-run'], io);
    // Assess
    expect(io.errors).toEqual([]);
    expect(code).toBe(EXIT.ok);
    const text = io.lines.join('\n');
    expect(text).toMatch(/PRACTICE failover in us-west-2 \(stage dev\) as oncall:alice/);
    expect(text).toMatch(/> CheckPreconditions/);
    expect(text).toMatch(/ok FencePrimary: would-fence/);
    expect(text).toMatch(/ok CheckReplication: passed \(lag \d+ ms\)/);
    expect(text).toMatch(/practice failover: would succeed/);
    expect(await w.state(PRIMARY)).toMatchObject({ version: 0 });
  });

  it('a failover runs live, notifies through SNS, and status, report and history read it back', async () => {
    // Act
    const run = cli();
    const code = await main(['failover', '--stage', 'dev', '--reason', 'us-east-1 degraded'], run);
    const status = cli();
    await main(['status', '--stage', 'dev', '--region', SECONDARY], status);
    const report = cli();
    const reportCode = await main(['report', '--stage', 'dev', '--region', SECONDARY], report);
    const history = cli();
    await main(['history', '--stage', 'dev', '--region', SECONDARY], history);

    // Assess
    if (process.env.SHOW_CLI) console.log([...run.lines, ...status.lines, ...report.lines, ...history.lines].join('\n'));
    expect(code).toBe(EXIT.ok);
    expect(run.lines.join('\n')).toMatch(/ok Promote: us-west-2 fenced -> failover v2/);
    expect(run.lines.join('\n')).toMatch(/writes unavailable for \d+ ms/);
    expect(status.lines.join('\n')).toMatch(/state failover \(version 2\), active region us-west-2/);
    expect(status.lines.join('\n')).toMatch(/runbook lock free/);
    expect(status.lines.join('\n')).toMatch(
      /write leases \(lease records in the quorum\):\n {2}us-east-1 +(no lease recorded|last lease started)/,
    );
    expect(reportCode).toBe(EXIT.ok);
    expect(report.lines.join('\n')).toMatch(/failover .* succeeded \(succeeded\)/);
    expect(report.lines.join('\n')).toMatch(/Promote\s+promoted/);
    expect(history.lines.join('\n')).toMatch(/fenced -> failover v2 in us-west-2 by oncall:alice: us-east-1 degraded \(lag \d+ ms\)/);
    expect(controlPlane.snsMessages(SECONDARY).map((m) => m.subject)).toEqual([
      expect.stringContaining('active -> fenced'),
      expect.stringContaining('fenced -> failover'),
    ]);
    await eventually(`state version 2 as ${PRIMARY} reads it`, async () => {
      const s = await w.state(PRIMARY);
      return s.version === 2 && s;
    });
  });

  it('exits 1 with the named error when the run is refused', async () => {
    const io = cli();

    const code = await main(['failover', '--stage', 'dev', '--reason', 'again'], io);

    expect(code).toBe(EXIT.failed);
    const text = io.lines.join('\n');
    expect(text).toMatch(/REFUSED IllegalRunbookState: Cannot fail over: the application already runs in us-west-2/);
    expect(text).toMatch(/execution REFUSED: IllegalRunbookState/);
    expect(text).toMatch(/refused by rule state-allows-failover \(IllegalRunbookState\): Cannot fail over/);
    expect(text).toMatch(/REFUSED Abort: failover refused/);
    expect(text).toMatch(/what to do: Check `runbook status`/);
    expect(text).not.toMatch(/execution FAILED|\bok (CheckPreconditions|Abort)/);
  });

  it('a refused practice run reads as a refusal and exits 3', async () => {
    const io = cli();

    const code = await main(['failover', '--stage', 'dev', '--reason', 'again', '--dry-run'], io);

    expect(code).toBe(EXIT.practiceBlocked);
    const text = io.lines.join('\n');
    expect(text).toMatch(/REFUSED CheckPreconditions \(practice\): the real run would be REFUSED \(state failover v2\)/);
    expect(text).toMatch(/refused by rule state-allows-failover \(IllegalRunbookState\)/);
    expect(text).toMatch(/what to do: /);
    expect(text).not.toMatch(/ok CheckPreconditions/);
  });

  it('exits 2 on bad usage without starting anything', async () => {
    const io = cli();
    const before = controlPlane.executions().length;

    const code = await main(['failback', '--stage', 'dev', '--ungraceful', '--reason', 'x'], io);

    expect(code).toBe(EXIT.usage);
    expect(io.errors.join('\n')).toMatch(/--ungraceful applies to failover only/);
    expect(controlPlane.executions()).toHaveLength(before);
  });
});
