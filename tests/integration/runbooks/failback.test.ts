import { recordKeys } from '../../../services/runbooks/model';
import { runMachine } from './support/run-machine';
import { APP_ID, createWorld, eventually, PRIMARY, SECONDARY, startRegions, stopRegions, type World } from './support/two-regions';

jest.setTimeout(180_000);

const request = (extra: Record<string, unknown> = {}) => ({ reason: 'primary is back', requestedBy: 'oncall:tester', ...extra });
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const photoKey = (id: string) => ({ pk: `PHOTO#${id}`, sk: 'PHOTO' });
const photo = (id: string, extra: Record<string, unknown> = {}) => ({ ...photoKey(id), id, title: id, createdAt: ago(120), ...extra });

let w: World;
beforeAll(async () => {
  await startRegions();
});
afterEach(async () => {
  await w.dispose();
});
afterAll(async () => {
  await stopRegions();
});

/**
 * The scenario the reconciliation exists for. Both regions held the same photos; the primary then
 * accepted writes that never replicated (no replicator runs, as if its replication backlog was
 * lost), and the secondary was promoted by an ungraceful failover with the primary unreachable.
 * While the secondary served, it changed one of the photos the primary had also changed. When
 * the primary came back, only the state item made it across, then replication resumed.
 */
async function strandedWritesScenario(): Promise<World> {
  w = await createWorld({ replicate: false });
  for (const region of [PRIMARY, SECONDARY]) {
    for (const id of ['a', 'b', 'c']) await w.put(region, 'photos', photo(id));
  }
  await w.put(PRIMARY, 'photos', photo('e', { createdAt: ago(50) }));
  await w.put(PRIMARY, 'photos', photo('b', { title: 'b edited in the primary', updatedAt: ago(45) }));
  await w.put(PRIMARY, 'photos', photo('c', { title: 'c edited in the primary', updatedAt: ago(44) }));
  await w.put(PRIMARY, 'comments', { pk: 'PHOTO#a', sk: 'COMMENT#1', id: '1', text: 'stranded comment', createdAt: ago(40) });

  await w.healthy(SECONDARY);
  const failover = await runMachine('failover', await w.deps(SECONDARY, { unreachable: PRIMARY }), {
    mode: 'ungraceful',
    reason: 'primary down',
    requestedBy: 'oncall:tester',
  });
  expect(failover.status).toBe('SUCCEEDED');

  await w.put(SECONDARY, 'photos', photo('c', { title: 'c edited in the secondary', updatedAt: new Date().toISOString() }));
  await w.put(SECONDARY, 'photos', photo('f', { createdAt: new Date().toISOString() }));
  const promoted = await w.state(SECONDARY);
  await w.putState(PRIMARY, promoted);
  await w.healthy(PRIMARY, 3600);
  await w.startReplication();
  return w;
}

const titleIn = async (region: string, id: string) => (await w.get(region, 'photos', photoKey(id)))?.title;

describe('failback', () => {
  it('blocks on conflicting stranded writes, changing nothing, and says which', async () => {
    // Prepare
    await strandedWritesScenario();
    const deps = await w.deps(PRIMARY);

    // Act
    const run = await runMachine('failback', deps, request());

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'UnresolvedConflicts' });
    expect(run.cause).toMatch(/^1 stranded write\(s\) conflict .*\(photos PHOTO#c\/PHOTO\)/);
    expect(run.path).not.toContain('FenceSecondary');
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'failover', version: 2 });
    expect(await w.get(SECONDARY, 'photos', photoKey('e'))).toBeUndefined();
    expect(await w.get(PRIMARY, 'quorum', recordKeys.lock(APP_ID))).toBeUndefined();
  });

  it('practice run: lists what it would replay and the conflicts, and changes nothing', async () => {
    await strandedWritesScenario();
    const deps = await w.deps(PRIMARY);

    const run = await runMachine('failback', deps, request({ dryRun: true }));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ verdict: 'would-refuse' });
    expect(String(run.output?.summary)).toMatch(/UnresolvedConflicts: 1 conflict/);
    const report = await w.get(PRIMARY, 'appState', recordKeys.report(APP_ID, run.executionName));
    const reconcile = ((report?.steps ?? []) as Array<{ step: string; detail: string }>).find((s) => s.step === 'Reconcile');
    expect(reconcile?.detail).toMatch(/would replay 3, 1 conflict/);
    expect(await w.state(SECONDARY)).toMatchObject({ state: 'failover', version: 2 });
    expect(await w.get(SECONDARY, 'photos', photoKey('e'))).toBeUndefined();
    expect(await titleIn(SECONDARY, 'b')).toBe('b');
  });

  it('with force: replays the stranded writes, keeps the secondary version of each conflict, and makes the primary active', async () => {
    // Prepare
    await strandedWritesScenario();
    const deps = await w.deps(PRIMARY);

    // Act
    const run = await runMachine('failback', deps, request({ force: true, reason: 'conflict on c reviewed: keep the secondary version' }));

    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { verdict: 'succeeded' } });
    expect(run.path).toEqual(expect.arrayContaining(['Reconcile', 'FenceSecondary', 'DrainInFlightWrites', 'Promote']));
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'active', activeRegion: PRIMARY, version: 4 });
    expect(
      await eventually(
        () => w.state(SECONDARY),
        (s) => s.version === 4,
      ),
    ).toMatchObject({ state: 'active', activeRegion: PRIMARY });
    // Replayed into the secondary (and so replicated everywhere)
    expect(await titleIn(SECONDARY, 'e')).toBe('e');
    expect(await titleIn(SECONDARY, 'b')).toBe('b edited in the primary');
    expect(await w.get(SECONDARY, 'comments', { pk: 'PHOTO#a', sk: 'COMMENT#1' })).toMatchObject({ text: 'stranded comment' });
    // The conflict is reported, never overwritten
    expect(await titleIn(SECONDARY, 'c')).toBe('c edited in the secondary');
    const report = await w.get(PRIMARY, 'appState', recordKeys.report(APP_ID, run.executionName));
    const reconcile = ((report?.steps ?? []) as Array<{ step: string; outcome: string; detail: string }>).find(
      (s) => s.step === 'Reconcile',
    );
    expect(reconcile).toMatchObject({ outcome: 'forced' });
    expect(reconcile?.detail).toMatch(/replayed 3, 1 conflict/);
    expect((await w.items(PRIMARY, 'appState', `AUDIT#${APP_ID}`)).map((a) => `${a.from}->${a.to}`)).toEqual(
      expect.arrayContaining(['failover->fenced', 'fenced->active']),
    );
  });

  it('is never automatic', async () => {
    w = await createWorld({ replicate: false });
    await w.putState(PRIMARY, { state: 'failover', version: 1 });
    const deps = await w.deps(PRIMARY);

    const run = await runMachine('failback', deps, request({ requestedBy: 'alarm:primary-healthy' }));

    expect(run).toMatchObject({ status: 'FAILED', error: 'FailbackNeverAutomatic' });
    expect(await w.state(PRIMARY)).toMatchObject({ state: 'failover', version: 1 });
  });
});
