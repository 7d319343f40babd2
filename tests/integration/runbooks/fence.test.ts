import { recordKeys } from '../../../services/runbooks/model';
import { eventually } from '../../support/eventually';
import { runMachine } from './support/run-machine';
import { APP_ID, createWorld, PRIMARY, SECONDARY, startRegions, stopRegions, type World } from './support/two-regions';

jest.setTimeout(120_000);

const request = (extra: Record<string, unknown> = {}) => ({ reason: 'integration test', requestedBy: 'oncall:tester', ...extra });

let w: World;
beforeAll(async () => {
  await startRegions();
});
beforeEach(async () => {
  w = await createWorld();
});
afterEach(async () => {
  await w.dispose();
});
afterAll(async () => {
  await stopRegions();
});

describe('fence runbook', () => {
  it("drains until the fence step's bound to the millisecond, although Step Functions truncates a Wait's timestamp to the second", async () => {
    // Prepare
    const deps = await w.deps(PRIMARY);
    let finishAt = 0;
    let fence: { drainUntil?: string } = {};
    const observe = (state: string, input: unknown) => {
      if (state !== 'Finish') return;
      finishAt = Date.now();
      fence = (input as { fence: typeof fence }).fence;
    };

    // Act: the real drain, as the local control plane runs it (whole seconds, as AWS), then the
    // step's frame as in its Lambda (services/runbooks/step-handler.ts)
    const run = await runMachine('fence', deps, request(), { realWaits: ['DrainInFlightWrites'], beforeTask: observe });

    // Assess: the Wait ended at the bound's whole second, and nothing after it ran before the bound
    expect(run.status).toBe('SUCCEEDED');
    const until = Date.parse(fence.drainUntil as string);
    const waitEnded = run.events.find((e) => e.type === 'WaitStateExited')?.timestamp?.getTime() ?? Number.NaN;
    expect(waitEnded).toBeGreaterThanOrEqual(Math.floor(until / 1000) * 1000);
    expect(finishAt).toBeGreaterThanOrEqual(until);
  });

  it("counts the drain from the fenced region's newest recorded lease start: a region that stopped renewing drains for less", async () => {
    // Prepare: the primary's gate admits a write (recording its lease start), then renews no more
    expect(await w.writePhoto(PRIMARY, 'before-the-fence')).toBe('written');
    const leaseStart = await w.leases().latest(PRIMARY);
    await new Promise((r) => setTimeout(r, 800));
    const deps = await w.deps(PRIMARY);
    let fence: { at?: string; drainUntil?: string } = {};
    const observe = (state: string, input: unknown) => {
      if (state === 'Finish') fence = (input as { fence: typeof fence }).fence;
    };

    // Act
    const run = await runMachine('fence', deps, request(), { realWaits: ['DrainInFlightWrites'], beforeTask: observe });

    // Assess: lease 1000 ms + margin 200 ms (the world's stage), from the lease's start, not the fence's
    expect(run.status).toBe('SUCCEEDED');
    expect(leaseStart).toEqual(expect.any(Number));
    expect(Date.parse(fence.drainUntil as string)).toBe((leaseStart as number) + 1000 + 200);
    expect(Date.parse(fence.drainUntil as string)).toBeLessThan(Date.parse(fence.at as string) + 1000 + 200);
    expect(await w.writePhoto(PRIMARY, 'after-the-fence')).toBe('refused');
  });

  it('counts the drain from the fence when the region recorded no lease start', async () => {
    // Prepare
    const deps = await w.deps(PRIMARY);
    let fence: { at?: string; drainUntil?: string } = {};
    const observe = (state: string, input: unknown) => {
      if (state === 'Finish') fence = (input as { fence: typeof fence }).fence;
    };

    // Act
    const run = await runMachine('fence', deps, request(), { beforeTask: observe });

    // Assess: acknowledged at or after `at` (the state's updatedAt), so the bound is at least that + 1,200 ms
    expect(run.status).toBe('SUCCEEDED');
    expect(await w.leases().latest(PRIMARY)).toBeNull();
    expect(Date.parse(fence.drainUntil as string)).toBeGreaterThanOrEqual(Date.parse(fence.at as string) + 1000 + 200);
  });

  it('fences in the active region replica, from whichever region it runs, then lifts the fence back', async () => {
    // Prepare: run from the secondary while the primary is active
    const deps = await w.deps(SECONDARY);

    // Act
    const fenced = await runMachine('fence', deps, request());
    const lifted = await runMachine('fence', deps, request({ lift: true }));

    // Assess
    expect(fenced).toMatchObject({ status: 'SUCCEEDED', output: { verdict: 'succeeded' } });
    expect(fenced.path).toContain('DrainInFlightWrites');
    expect(lifted.status).toBe('SUCCEEDED');
    expect(lifted.path).not.toContain('DrainInFlightWrites');
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'active', activeRegion: PRIMARY, version: 2 });
    const audit = await eventually('both audit records in the secondary', async () => {
      const items = await w.items(SECONDARY, 'appState', `AUDIT#${APP_ID}`);
      return items.length === 2 && items;
    });
    expect(audit.map((a) => `${a.from}->${a.to}@${a.writtenIn}`)).toEqual([`active->fenced@${PRIMARY}`, `fenced->active@${PRIMARY}`]);
    expect(w.sent).toHaveLength(2);
  });

  it('fences the secondary while it is the active region, and lifting returns to failover', async () => {
    await w.putState(PRIMARY, { state: 'failover', version: 4 });
    await eventually(`state version 4 as ${SECONDARY} reads it`, async () => {
      const s = await w.state(SECONDARY);
      return s.version === 4 && s;
    });
    const deps = await w.deps(PRIMARY);

    await runMachine('fence', deps, request());
    const fencedSecondary = await w.state(SECONDARY);
    await eventually(`state version 5 as ${PRIMARY} reads it`, async () => {
      const s = await w.state(PRIMARY);
      return s.version === 5 && s;
    });
    const lifted = await runMachine('fence', deps, request({ lift: true }));

    expect(fencedSecondary).toMatchObject({ state: 'fenced', activeRegion: SECONDARY, version: 5 });
    expect(lifted.status).toBe('SUCCEEDED');
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'failover', activeRegion: SECONDARY, version: 6 });
  });

  it('refuses to fence twice, and a practice run only says what it would do', async () => {
    const deps = await w.deps(PRIMARY);
    await runMachine('fence', deps, request());

    const again = await runMachine('fence', deps, request());
    const practiceLift = await runMachine('fence', deps, request({ lift: true, dryRun: true }));

    expect(again).toMatchObject({ status: 'FAILED', error: 'IllegalRunbookState' });
    expect(again.cause).toMatch(/Already fenced/);
    expect(practiceLift.output).toMatchObject({ status: 'practice', verdict: 'would-succeed' });
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'fenced', version: 1 });
    expect(await w.get(PRIMARY, 'quorum', recordKeys.lock(APP_ID))).toBeUndefined();
  });

  it('refuses invalid input before anything, with the reason', async () => {
    const deps = await w.deps(PRIMARY);

    const run = await runMachine('fence', deps, { requestedBy: 'oncall:tester', dryrun: true });

    expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidRunbookInput', path: ['Begin', 'Refused'] });
    expect(run.cause).toMatch(/reason.*unknown field\(s\): dryrun|unknown field\(s\): dryrun.*reason/);
    expect(await w.state(PRIMARY)).toMatchObject({ version: 0 });
  });
});
