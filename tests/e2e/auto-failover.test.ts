// The health probe, the alarms and the automatic failover, on the embedded two-region runtime:
// the probe runs every second, alarm periods are scaled to match (10 s on AWS → 1 s here), and
// the alarm's EventBridge rule starts the real failover ASL. One fresh runtime per scenario.
// The alarm that fires on a cut primary and its one automatic failover (with the notifications and
// no failback) are the region-outage drill's invariants, which tests/e2e/drills.test.ts runs under load.
import type { Runtime } from '../../local/runtime';
import { eventually, RUNTIME_START_TIMEOUT, sleep, startTestRuntime } from '../support/runtime';

const KILL_SWITCH = '/switchyard/dev/auto-failover';

interface Scenario {
  rt: Runtime;
  primary: string;
  secondary: string;
  regionDown: string;
}

async function scenario(): Promise<Scenario> {
  const rt = await startTestRuntime();
  const primary = rt.primary.region;
  const secondary = rt.secondary.region;
  // Both probes have reported: every alarm of both regions has left its initial state.
  await eventually('both probes reporting healthy', async () => {
    const views = await Promise.all(rt.regions.map(async (r) => (await fetch(`${r.apiUrl}/health?deep=1`)).status));
    return views.every((status) => status === 200);
  });
  return { rt, primary, secondary, regionDown: `switchyard-dev-region-down-${primary}` };
}

const alarmState = (s: Scenario, name: string) => s.rt.controlPlane.alarmStates(s.secondary).find((a) => a.name === name)?.state;
const machineRuns = (s: Scenario, machine: string, region = s.secondary) =>
  s.rt.controlPlane.executions(region).filter((e) => e.stateMachineArn.endsWith(`-${machine}`));
const stateIn = async (s: Scenario, region: string) =>
  (await (await fetch(`${s.rt.regions.find((r) => r.region === region)?.apiUrl}/state`)).json()) as { state: string; activeRegion: string };
const everAlarmed = (s: Scenario, name: string) =>
  s.rt.controlPlane.events().some((e) => e.type === 'AlarmStateChange' && e.alarmName === name && e.state === 'ALARM');

describe('a flapping primary', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario();
  }, RUNTIME_START_TIMEOUT);
  afterAll(() => s?.rt.stop(), 60_000);

  it('causes no repeated failover and no automatic failback', async () => {
    s.rt.controlPlane.setParameter(s.secondary, KILL_SWITCH, 'enabled');
    // Five cycles, as the flapping drill's short version: each cut lasts one probe period, fewer
    // than the 3 datapoints the alarm needs; a run that did start has time to end.
    for (let i = 0; i < 5; i += 1) {
      s.rt.chaos.cut(s.primary);
      await sleep(1000);
      s.rt.chaos.heal(s.primary);
      await sleep(1000);
    }
    await sleep(4000);

    const promoted = machineRuns(s, 'failover').filter((e) => e.status === 'SUCCEEDED');
    const { state } = await stateIn(s, s.secondary);
    console.log(`flapping: ${machineRuns(s, 'failover').length} failover run(s) started, ${promoted.length} promoted; state ${state}`);
    // At most one failover ever takes effect, and nothing moves the application back by itself.
    expect(promoted.length).toBeLessThanOrEqual(1);
    expect(state).toBe(promoted.length === 1 ? 'failover' : 'active');
    expect(machineRuns(s, 'failback', s.primary)).toHaveLength(0);
    expect(machineRuns(s, 'failback', s.secondary)).toHaveLength(0);
  });
});

describe('with the kill switch off', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario();
  }, RUNTIME_START_TIMEOUT);
  afterAll(() => s?.rt.stop(), 60_000);

  it('changes nothing automatically, but still notifies', async () => {
    // The deployed default: "disabled".
    s.rt.chaos.cut(s.primary);
    await eventually('the region-down alarm in the secondary', async () => alarmState(s, s.regionDown) === 'ALARM', 30_000);
    await eventually(
      'the refused run to finish',
      async () => machineRuns(s, 'failover').length > 0 && machineRuns(s, 'failover').every((e) => e.status !== 'RUNNING'),
      30_000,
    );
    await sleep(2000);

    expect(await stateIn(s, s.secondary)).toMatchObject({ state: 'active', activeRegion: s.primary });
    expect(machineRuns(s, 'failover').filter((e) => e.status === 'SUCCEEDED')).toHaveLength(0);
    const subjects = s.rt.controlPlane.snsMessages(s.secondary).map((m) => m.subject ?? '');
    expect(subjects.some((subject) => subject.startsWith('ALARM') && subject.includes(s.regionDown))).toBe(true);
  });
});

describe('a sick secondary', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario();
  }, RUNTIME_START_TIMEOUT);
  afterAll(() => s?.rt.stop(), 60_000);

  it('never fails over, even when it cannot reach the primary', async () => {
    s.rt.controlPlane.setParameter(s.secondary, KILL_SWITCH, 'enabled');
    // The secondary's own bucket answers too slowly for its probe: its own checks fail.
    s.rt.chaos.slow(s.secondary, 's3', 5000);
    await eventually(
      'the secondary to see itself unhealthy',
      async () => alarmState(s, `switchyard-dev-self-unhealthy-${s.secondary}`) === 'ALARM',
    );
    s.rt.chaos.cut(s.primary);
    await eventually(
      'the secondary to see the primary down',
      async () => alarmState(s, `switchyard-dev-peer-unreachable-${s.primary}`) === 'ALARM',
      30_000,
    );
    await sleep(4000);

    // The two-sided rule held: the composite never fired, no failover started.
    expect(everAlarmed(s, s.regionDown)).toBe(false);
    expect(machineRuns(s, 'failover')).toHaveLength(0);
    expect(await stateIn(s, s.secondary)).toMatchObject({ state: 'active' });
  });
});
