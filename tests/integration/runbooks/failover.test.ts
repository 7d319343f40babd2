import { recordKeys } from '../../../services/runbooks/model';
import { heartbeatKey } from '../../../shared/health/heartbeat';
import { eventually } from '../../support/eventually';
import { runMachine } from './support/run-machine';
import { APP_ID, PRIMARY, SECONDARY, type World, worldsPerTest } from './support/two-regions';

jest.setTimeout(120_000);

const request = (extra: Record<string, unknown> = {}) => ({
  mode: 'planned',
  reason: 'integration test',
  requestedBy: 'oncall:tester',
  ...extra,
});

const world = worldsPerTest();

// The lock lives in the quorum store: one lock for both regions.
const lockOf = (w: World, _region: string) => w.get(PRIMARY, 'quorum', recordKeys.lock(APP_ID));
const reportOf = (w: World, region: string, executionName: string) => w.get(region, 'appState', recordKeys.report(APP_ID, executionName));
const auditOf = (w: World, region: string) => w.items(region, 'appState', `AUDIT#${APP_ID}`);
const markersIn = async (w: World, region: string) =>
  (await Promise.all((['appState', 'photos', 'comments'] as const).map((t) => w.items(region, t, 'MARKER#')))).flat();

describe('planned failover', () => {
  it('fences the primary, passes the replication gate, promotes the secondary, and leaves audit, report and notifications', async () => {
    // Prepare
    const w = await world();
    await w.healthy(SECONDARY);
    await w.putState(PRIMARY, { state: 'active', version: 3 });
    await eventually(`state version 3 as ${SECONDARY} reads it`, async () => {
      const s = await w.state(SECONDARY);
      return s.version === 3 && s;
    });
    const deps = await w.deps(SECONDARY);

    // Act
    const run = await runMachine('failover', deps, request());

    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(run.output).toMatchObject({ status: 'succeeded', verdict: 'succeeded' });
    expect(run.path).toEqual(
      expect.arrayContaining(['FencePrimary', 'DrainInFlightWrites', 'WriteMarkers', 'CheckReplication', 'Promote', 'Done']),
    );
    const secondary = await w.state(SECONDARY);
    expect(secondary).toMatchObject({ state: 'failover', activeRegion: SECONDARY, version: 5 });
    expect(secondary.updatedBy).toContain(run.executionName);
    expect(
      await eventually(`state version 5 as ${PRIMARY} reads it`, async () => {
        const s = await w.state(PRIMARY);
        return s.version === 5 && s;
      }),
    ).toMatchObject({ state: 'failover', activeRegion: SECONDARY });

    const audit = await auditOf(w, SECONDARY);
    expect(audit.map((a) => [a.from, a.to, a.version])).toEqual([
      ['active', 'fenced', 4],
      ['fenced', 'failover', 5],
    ]);
    expect(audit[1]).toMatchObject({ requestedBy: 'oncall:tester', reason: 'integration test', writtenIn: SECONDARY, ungraceful: false });
    expect(audit[1]?.lagSeenMs).toEqual(expect.any(Number));
    expect(w.sent.map((m) => m.subject)).toEqual([
      expect.stringContaining('active -> fenced'),
      expect.stringContaining('fenced -> failover'),
    ]);

    const report = await reportOf(w, SECONDARY, run.executionName);
    expect(report).toMatchObject({ status: 'succeeded', verdict: 'succeeded', runbook: 'failover' });
    expect(((report?.steps ?? []) as Array<{ step: string }>).map((s) => s.step)).toEqual(
      expect.arrayContaining(['Begin', 'CheckPreconditions', 'Fence', 'WriteMarkers', 'CheckReplication', 'Promote', 'Finish']),
    );
    expect(report?.recovery).toMatchObject({ writeUnavailableMs: expect.any(Number), promotedAt: secondary.updatedAt });
    expect(await lockOf(w, SECONDARY)).toBeUndefined();
    expect(await markersIn(w, PRIMARY)).toEqual([]);
    expect(await w.items(SECONDARY, 'appState', `WATERMARK#${APP_ID}`)).toHaveLength(1);
  });

  it('under concurrent writes loses no acknowledged write: every write acknowledged before the fence is in the secondary after promotion', async () => {
    // Prepare: replication slower than the runbook's own steps, writers busy on the primary
    const w = await world({ lagMs: 1000 });
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);
    const acknowledged: string[] = [];
    let refused = 0;
    let writing = true;
    const writer = async (n: number) => {
      for (let i = 0; writing; i += 1) {
        const id = `w${n}-${i}`;
        if ((await w.writePhoto(PRIMARY, id)) === 'written') acknowledged.push(id);
        else refused += 1;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const writers = [writer(1), writer(2), writer(3)];
    await new Promise((r) => setTimeout(r, 500));
    // What the secondary holds the moment the promotion is done (Finish runs right after Promote).
    let atPromotion = new Set<string>();
    const snapshot = async (state: string) => {
      if (state !== 'Finish') return;
      atPromotion = new Set((await w.items(SECONDARY, 'photos', 'PHOTO#')).map((item) => String(item.id)));
    };

    // Act: the real drain (1 s) while the writers keep writing
    const run = await runMachine('failover', deps, request(), { waits: { DrainInFlightWrites: 1000 }, beforeTask: snapshot });
    writing = false;
    await Promise.all(writers);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
    expect(acknowledged.filter((id) => !atPromotion.has(id))).toEqual([]);
  });
});

describe('planned failover: markers before the drain, the proof after it', () => {
  it('writes the markers while the drain lasts and checks replication only once it has ended, missing no write made during it', async () => {
    // Prepare: writers busy on the primary, the real drain (the fence's bound to the millisecond)
    const w = await world({ lagMs: 300 });
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);
    const acknowledged: string[] = [];
    let writing = true;
    const writer = async (n: number) => {
      for (let i = 0; writing; i += 1) {
        const id = `d${n}-${i}`;
        if ((await w.writePhoto(PRIMARY, id)) === 'written') acknowledged.push(id);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const writers = [writer(1), writer(2)];
    await new Promise((r) => setTimeout(r, 300));
    const startedAt: Record<string, number> = {};
    let drainUntil = Number.NaN;
    let atPromotion = new Set<string>();
    const observe = async (state: string, input: unknown) => {
      startedAt[state] ??= Date.now();
      const fence = (input as { fence?: { drainUntil?: string } }).fence;
      if (fence?.drainUntil) drainUntil = Date.parse(fence.drainUntil);
      if (state === 'Promote') atPromotion = new Set((await w.items(SECONDARY, 'photos', 'PHOTO#')).map((item) => String(item.id)));
    };

    // Act
    const run = await runMachine('failover', deps, request(), { realWaits: ['DrainInFlightWrites'], beforeTask: observe });
    writing = false;
    await Promise.all(writers);

    // Assess: markers went out before the drain's end, the check came after it, nothing was missed
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.indexOf('WriteMarkers')).toBeLessThan(run.path.indexOf('DrainInFlightWrites'));
    expect(startedAt.WriteMarkers).toBeLessThan(drainUntil);
    expect(startedAt.CheckReplication).toBeGreaterThanOrEqual(drainUntil);
    expect(acknowledged.length).toBeGreaterThan(5);
    expect(acknowledged.filter((id) => !atPromotion.has(id))).toEqual([]);
  });
});

describe('planned failover with unordered replication', () => {
  it('waits at the gate for writes of a slow key range although every marker arrived, and promotes only once they are in', async () => {
    // Prepare: one hot partition replicates 5 s late; the markers and everything else are quick
    const w = await world({ lagMs: 100 });
    await w.healthy(SECONDARY);
    w.replicator?.slow({ target: w.tables.photos, keyPrefix: 'PHOTO#hot', extraMs: 5_000 });
    for (const id of ['hot-1', 'hot-2', 'cold-1']) expect(await w.writePhoto(PRIMARY, id)).toBe('written');
    const deps = await w.deps(SECONDARY);
    const gateReasons: string[] = [];
    let atPromotion = new Set<string>();
    const observe = async (state: string, input: unknown) => {
      const gate = (input as { gate?: { reason?: string } }).gate;
      if (state === 'CheckReplication' && gate?.reason) gateReasons.push(gate.reason);
      if (state === 'Promote') atPromotion = new Set((await w.items(SECONDARY, 'photos', 'PHOTO#')).map((item) => String(item.id)));
    };

    // Act
    const run = await runMachine('failover', deps, request(), { beforeTask: observe });

    // Assess: the gate saw the markers, said which writes were still missing, and waited for them
    expect(run.status).toBe('SUCCEEDED');
    expect(gateReasons.some((r) => /markers visible, but not every write yet: .*still missing: photos PHOTO#hot-/.test(r))).toBe(true);
    expect([...atPromotion].sort()).toEqual(expect.arrayContaining(['cold-1', 'hot-1', 'hot-2']));
    const report = await reportOf(w, SECONDARY, run.executionName);
    const passed = ((report?.steps ?? []) as Array<{ step: string; outcome: string; detail: string }>).find(
      (s) => s.step === 'CheckReplication' && s.outcome === 'passed',
    );
    expect(passed?.detail).toMatch(/3 write\(s\) and 0 photo object\(s\) verified in us-west-2, none missing/);
    // The point up to which the primary's writes are proven moves forward for the next gate.
    expect(await w.get(SECONDARY, 'appState', recordKeys.verifiedPoint(APP_ID, PRIMARY, SECONDARY))).toMatchObject({
      through: expect.any(String),
    });
  });
});

describe('ungraceful failover', () => {
  it('promotes the secondary while the primary is unreachable: the fence lands in the quorum, and writes resume once the lease has ended', async () => {
    // Prepare: nothing replicates from a dead primary; the secondary holds what it received before.
    const w = await world({ replicate: false });
    await w.healthy(SECONDARY);
    // An earlier gate verified everything the primary wrote up to this point.
    const verifiedThrough = new Date(Date.now() - 600_000).toISOString();
    await w.put(SECONDARY, 'appState', { ...recordKeys.verifiedPoint(APP_ID, PRIMARY, SECONDARY), through: verifiedThrough });
    const deps = await w.deps(SECONDARY, { unreachable: PRIMARY });

    // Act
    const startedAt = Date.now();
    const run = await runMachine(
      'failover',
      deps,
      request({ mode: 'ungraceful', requestedBy: 'oncall:tester', detectedAt: new Date(Date.now() - 60_000).toISOString() }),
    );

    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(run.path).toContain('FencePrimaryBestEffort');
    expect(run.path).not.toContain('WriteMarkers');
    // The primary's replica is gone, but the quorum is not: its fence is the quorum's, and both
    // regions see one history (active v0 -> fenced v1 -> failover v2).
    const promoted = await w.state(SECONDARY);
    expect(promoted).toMatchObject({ state: 'failover', activeRegion: SECONDARY, version: 2 });
    expect(await w.state(PRIMARY)).toEqual(promoted);
    // The best-effort fence landed: writes resume once every lease the primary could hold before
    // it has ended, the fence's acknowledgement (after the run started) + the lease + the margin
    // (test world: 1000 + 200 ms), and not later: the bound counted from the promotion's own write
    // would add its write timeout (1000 ms) to the promotion's time.
    const resumesAt = Date.parse(promoted.writesResumeAt ?? '');
    expect(resumesAt).toBeGreaterThanOrEqual(startedAt + 1200);
    expect(resumesAt).toBeLessThan(Date.parse(promoted.updatedAt) + 2200);
    const [watermark] = await w.items(SECONDARY, 'appState', `WATERMARK#${APP_ID}`);
    // Recorded without reading a data table: the version that took over, and the last verified point.
    expect(watermark).toMatchObject({ mode: 'ungraceful', promotedVersion: 2, verifiedThrough }); // fenced v1 in the quorum, then failover v2
    const audit = await auditOf(w, SECONDARY);
    expect(audit.map((a) => `${a.from}->${a.to}`)).toEqual(['active->fenced', 'fenced->failover']);
    const report = await reportOf(w, SECONDARY, run.executionName);
    const fenceStep = ((report?.steps ?? []) as Array<{ step: string; outcome: string }>).find((s) => s.step === 'BestEffortFence');
    expect(fenceStep?.outcome).toBe('fenced');
    expect((report?.recovery as { recoveryTimeMs: number } | undefined)?.recoveryTimeMs).toBeGreaterThanOrEqual(60_000);
  });

  it('fences a primary it can still reach, and promotes even if that fence races its own replication', async () => {
    // Prepare
    const w = await world({ lagMs: 300 });
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);

    // Act
    const run = await runMachine('failover', deps, request({ mode: 'ungraceful' }));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const steps = ((await reportOf(w, SECONDARY, run.executionName))?.steps ?? []) as Array<{ step: string; outcome: string }>;
    expect(steps.find((s) => s.step === 'BestEffortFence')?.outcome).toBe('fenced');
    // Promoted on top of its own fence (v1 -> v2), so both regions agree on one history.
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'failover', activeRegion: SECONDARY, version: 2 });
    expect(
      await eventually(`state version 2 as ${PRIMARY} reads it`, async () => {
        const s = await w.state(PRIMARY);
        return s.version === 2 && s;
      }),
    ).toMatchObject({ state: 'failover', activeRegion: SECONDARY });
    expect((await auditOf(w, SECONDARY)).map((a) => `${a.from}->${a.to}`)).toEqual(['active->fenced', 'fenced->failover']);
  });
});

describe('practice run (dryRun)', () => {
  it('evaluates every precondition and the gate, reports what it would do, and changes nothing', async () => {
    // Prepare
    const w = await world();
    await w.healthy(SECONDARY);
    await w.putState(PRIMARY, { state: 'active', version: 2 });
    const before = await eventually(`state version 2 as ${SECONDARY} reads it`, async () => {
      const s = await w.state(SECONDARY);
      return s.version === 2 && s;
    });
    const deps = await w.deps(SECONDARY);

    // Act
    const run = await runMachine('failover', deps, request({ dryRun: true }));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ status: 'practice', verdict: 'would-succeed', dryRun: true });
    expect(run.path).toEqual(expect.arrayContaining(['FencePrimary', 'WriteMarkers', 'CheckReplication']));
    expect(run.path).not.toContain('Promote');
    await w.replicator?.drain(10_000);
    for (const region of [PRIMARY, SECONDARY]) {
      expect(await w.state(region)).toEqual(before);
      expect(await auditOf(w, region)).toEqual([]);
      expect(await lockOf(w, region)).toBeUndefined();
      expect(await markersIn(w, region)).toEqual([]);
      expect(await w.items(region, 'appState', `WATERMARK#${APP_ID}`)).toEqual([]);
    }
    expect(w.sent).toEqual([]);
    const steps = ((await reportOf(w, SECONDARY, run.executionName))?.steps ?? []) as Array<{ step: string; outcome: string }>;
    expect(steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(expect.arrayContaining(['Fence:would-fence', 'CheckReplication:passed']));
  });

  it('reports every rule an automatic run would break, still without changing anything', async () => {
    const w = await world({ replicate: false, killSwitch: 'disabled', gateTimeoutSeconds: 1 });
    const deps = await w.deps(SECONDARY);

    const run = await runMachine('failover', deps, request({ dryRun: true, requestedBy: 'alarm:primary-down' }));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ verdict: 'would-refuse' });
    expect(String(run.output?.summary)).toMatch(/AutoFailoverDisabled.*TargetRegionUnhealthy.*ReplicationGateTimeout/);
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'active', version: 0 });
    expect(await markersIn(w, PRIMARY)).toEqual([]);
  });
});

describe('refusals', () => {
  it('two concurrent executions: one runs, the other is refused cleanly by the lock', async () => {
    // Prepare
    const w = await world();
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);

    // Act
    const runs = await Promise.all([runMachine('failover', deps, request()), runMachine('failover', deps, request())]);

    // Assess
    const succeeded = runs.filter((r) => r.status === 'SUCCEEDED');
    const refused = runs.filter((r) => r.status === 'FAILED');
    expect(succeeded).toHaveLength(1);
    expect(refused).toEqual([expect.objectContaining({ error: 'RunbookLocked', path: ['Begin', 'Refused'] })]);
    expect(refused[0]?.cause).toMatch(/Another runbook is running/);
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'failover', version: 2 });
    expect(await auditOf(w, SECONDARY)).toHaveLength(2);
    expect(await lockOf(w, SECONDARY)).toBeUndefined();
    expect(await reportOf(w, SECONDARY, refused[0]?.executionName as string)).toMatchObject({ status: 'refused', verdict: 'refused' });
  });

  it('refuses a stale expected version before touching anything', async () => {
    const w = await world();
    await w.healthy(SECONDARY);
    await w.putState(PRIMARY, { state: 'active', version: 7 });
    await eventually(`state version 7 as ${SECONDARY} reads it`, async () => {
      const s = await w.state(SECONDARY);
      return s.version === 7 && s;
    });
    const deps = await w.deps(SECONDARY);

    const run = await runMachine('failover', deps, request({ expectedVersion: 6 }));

    expect(run).toMatchObject({ status: 'FAILED', error: 'StaleStateVersion' });
    expect(run.cause).toMatch(/Expected state version 6 but it is 7/);
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'active', version: 7 });
    expect(await lockOf(w, SECONDARY)).toBeUndefined();
    expect(await reportOf(w, SECONDARY, run.executionName)).toMatchObject({ status: 'refused', error: { name: 'StaleStateVersion' } });
  });

  it('refuses to fence when another writer moved the state after the preconditions were read', async () => {
    const w = await world();
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);
    const interloper = async (state: string) => {
      if (state !== 'FencePrimary') return;
      const current = await w.state(PRIMARY);
      await w.store(PRIMARY).transition({
        expectedState: 'active',
        expectedVersion: current.version,
        to: 'fenced',
        updatedBy: 'someone-else',
        reason: 'race',
        fence: { requestedBy: 'someone-else', executionId: null, automatic: false },
      });
      const fenced = await w.state(PRIMARY);
      await w
        .store(PRIMARY)
        .transition({ expectedState: 'fenced', expectedVersion: fenced.version, to: 'active', updatedBy: 'someone-else', reason: 'race' });
    };

    const run = await runMachine('failover', deps, request(), { beforeTask: interloper });

    expect(run).toMatchObject({ status: 'FAILED', error: 'StaleStateVersion' });
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'active', version: 2, updatedBy: 'someone-else' });
    expect(await lockOf(w, SECONDARY)).toBeUndefined();
  });

  it('refuses an automatic run while the kill switch is not enabled', async () => {
    const w = await world({ killSwitch: 'disabled' });
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);

    const run = await runMachine('failover', deps, request({ requestedBy: 'alarm:primary-down', mode: 'ungraceful' }));

    expect(run).toMatchObject({ status: 'FAILED', error: 'AutoFailoverDisabled' });
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'active', version: 0 });
  });

  it('refuses an automatic run whose alarm is older than the stage threshold (StaleAlarm), and runs a recent one', async () => {
    // Prepare: everything else allows an automatic failover
    const w = await world({ killSwitch: 'enabled', maxAlarmAgeSeconds: 120 });
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);
    const alarm = (secondsAgo: number) =>
      request({
        requestedBy: 'alarm:primary-down',
        mode: 'ungraceful',
        detectedAt: new Date(Date.now() - secondsAgo * 1000).toISOString(),
      });

    // Act: an alarm event delivered late (EventBridge retries, a re-driven dead letter)
    const stale = await runMachine('failover', deps, alarm(600));

    // Assess: refused before anything changed, lock released, the refusal reported
    expect(stale).toMatchObject({ status: 'FAILED', error: 'StaleAlarm' });
    expect(stale.cause).toMatch(/600 s ago.*up to 120 s old/);
    expect(stale.path).toEqual(['Begin', 'CheckPreconditions', 'Abort', 'Failed']);
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'active', version: 0 });
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'active', version: 0 });
    expect(await auditOf(w, SECONDARY)).toEqual([]);
    expect(await lockOf(w, SECONDARY)).toBeUndefined();
    expect(await reportOf(w, SECONDARY, stale.executionName)).toMatchObject({ status: 'refused', error: { name: 'StaleAlarm' } });

    // Act: the same alarm, delivered in time
    const recent = await runMachine('failover', deps, alarm(5));

    // Assess
    expect(recent).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'failover', activeRegion: SECONDARY });
  });
});

describe('the quorum store', () => {
  it('refuses an automatic run on a fence on-call set (FenceNotOwned), leaving the fence as it was', async () => {
    // Prepare
    const w = await world({ killSwitch: 'enabled' });
    await w.healthy(SECONDARY);
    const fence = await runMachine('fence', await w.deps(PRIMARY), { reason: 'bad deploy', requestedBy: 'oncall:alice' });
    expect(fence.status).toBe('SUCCEEDED');
    const fenced = await w.state(SECONDARY);

    // Act
    const run = await runMachine(
      'failover',
      await w.deps(SECONDARY),
      request({ requestedBy: 'alarm:primary-down', mode: 'ungraceful', detectedAt: new Date().toISOString() }),
    );

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'FenceNotOwned' });
    expect(run.cause).toContain('oncall:alice');
    expect(fenced).toMatchObject({ state: 'fenced', fence: { requestedBy: 'oncall:alice', automatic: false } });
    expect(await w.state(SECONDARY)).toEqual(fenced);
  });

  it('refuses an automatic failover while the primary renews its heartbeat (PrimaryStillAlive)', async () => {
    // Prepare: the primary is unreachable from here, but still beats in the quorum.
    const w = await world({ killSwitch: 'enabled', replicate: false });
    await w.healthy(SECONDARY);
    await w.put(PRIMARY, 'quorum', { ...heartbeatKey(APP_ID, PRIMARY), region: PRIMARY, at: new Date().toISOString() });
    const deps = await w.deps(SECONDARY, { unreachable: PRIMARY });

    // Act
    const run = await runMachine(
      'failover',
      deps,
      request({ requestedBy: 'alarm:primary-down', mode: 'ungraceful', detectedAt: new Date().toISOString() }),
    );

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'PrimaryStillAlive' });
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'active', version: 0 });
  });

  it('lets an automatic failover through once the heartbeat is stale', async () => {
    const w = await world({ killSwitch: 'enabled', replicate: false });
    await w.healthy(SECONDARY);
    await w.put(PRIMARY, 'quorum', { ...heartbeatKey(APP_ID, PRIMARY), region: PRIMARY, at: new Date(Date.now() - 60_000).toISOString() });

    const run = await runMachine(
      'failover',
      await w.deps(SECONDARY, { unreachable: PRIMARY }),
      request({ requestedBy: 'alarm:primary-down', mode: 'ungraceful', detectedAt: new Date().toISOString() }),
    );

    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'failover', activeRegion: SECONDARY });
  });

  it('lets a fence lift in the primary and a resumed failover in the secondary race: exactly one wins, one version each', async () => {
    // Prepare: fenced by a planned failover whose gate could not pass.
    const w = await world({ replicate: false, gateTimeoutSeconds: 1 });
    await w.healthy(SECONDARY);
    const stopped = await runMachine('failover', await w.deps(SECONDARY), request());
    expect(stopped).toMatchObject({ status: 'FAILED', error: 'ReplicationGateTimeout' });
    const fenced = await w.state(PRIMARY);

    // Act: both at once, from both regions
    const [lift, resume] = await Promise.all([
      runMachine('fence', await w.deps(PRIMARY), { reason: 'resume here', requestedBy: 'oncall:alice', lift: true }),
      runMachine('failover', await w.deps(SECONDARY), request({ mode: 'ungraceful', requestedBy: 'oncall:bob' })),
    ]);

    // Assess
    const outcomes = [lift, resume].map((r) => `${r.status}${r.error ? ` ${r.error}` : ''}`);
    expect(outcomes.filter((o) => o === 'SUCCEEDED')).toHaveLength(1);
    expect(outcomes.find((o) => o !== 'SUCCEEDED')).toMatch(
      /^FAILED (RunbookLocked|StaleStateVersion|TransitionRejected|IllegalRunbookState)$/,
    );
    const after = await w.state(PRIMARY);
    expect(await w.state(SECONDARY)).toEqual(after);
    expect(after.version).toBeGreaterThan(fenced.version);
    expect(after.state).toBe(lift.status === 'SUCCEEDED' ? 'active' : 'failover');
  });

  it('does not let a lock whose holder stopped renewing it block the next run beyond its lease', async () => {
    // Prepare: a lock left by an execution that stopped (its lease ended a second ago).
    const w = await world();
    await w.healthy(SECONDARY);
    const now = Math.floor(Date.now() / 1000);
    await w.put(PRIMARY, 'quorum', {
      ...recordKeys.lock(APP_ID),
      executionId: 'arn:aws:states:us-west-2:000000000000:execution:switchyard-test-failover:stopped',
      runbook: 'failover',
      requestedBy: 'oncall:tester',
      acquiredAt: new Date((now - 30) * 1000).toISOString(),
      expiresAt: now - 1,
    });

    // Act
    const run = await runMachine('fence', await w.deps(PRIMARY), { reason: 'after a stopped run', requestedBy: 'oncall:tester' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(await lockOf(w, PRIMARY)).toBeUndefined();
  });

  it('renews the lock at every step of a run', async () => {
    // Prepare
    const w = await world({ lockLeaseSeconds: 30 });
    await w.healthy(SECONDARY);
    const deps = await w.deps(SECONDARY);
    const leases: number[] = [];
    const watch = async () => {
      const lock = await lockOf(w, SECONDARY);
      if (typeof lock?.expiresAt === 'number') leases.push(lock.expiresAt);
      // The lease counts in whole seconds: let every step start in a later second than the one before.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    };

    // Act
    const run = await runMachine('failover', deps, request(), { beforeTask: watch });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(leases.length).toBeGreaterThan(2);
    expect(leases.at(-1)).toBeGreaterThan(leases[0] as number);
  });
});

describe('replication gate timeout', () => {
  it.each([
    ['no replication at all', false],
    ['the replication link cut', true],
  ])('with %s: the run fails with ReplicationGateTimeout and the state stays fenced', async (_case, replicate) => {
    // Prepare
    const w = await world({ replicate, gateTimeoutSeconds: 2 });
    await w.healthy(SECONDARY);
    w.replicator?.cutLink();
    const deps = await w.deps(SECONDARY);

    // Act
    const run = await runMachine('failover', deps, request());

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'ReplicationGateTimeout' });
    expect(run.cause).toMatch(/state stays fenced/);
    expect(run.path).not.toContain('Promote');
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'fenced', activeRegion: PRIMARY, version: 1 });
    // One quorum: the secondary sees the same fence, whatever replication does.
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'fenced', version: 1 });
    expect(await lockOf(w, SECONDARY)).toBeUndefined();
    expect(await markersIn(w, PRIMARY)).toEqual([]);
    expect(await reportOf(w, SECONDARY, run.executionName)).toMatchObject({ status: 'failed', error: { name: 'ReplicationGateTimeout' } });
  });
});
