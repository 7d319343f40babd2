import { stepResults } from '../../../services/runbooks/adapters/runbook-read-model';
import { type ReconciliationResult, recordKeys } from '../../../services/runbooks/model';
import { requestDigest, stampAttributes } from '../../../shared/write-journal/model';
import { eventually } from '../../support/eventually';
import { runMachine } from './support/run-machine';
import { APP_ID, createWorld, PRIMARY, SECONDARY, startRegions, stopRegions, type World } from './support/two-regions';

jest.setTimeout(180_000);

const request = (extra: Record<string, unknown> = {}) => ({ reason: 'primary is back', requestedBy: 'oncall:tester', ...extra });
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const photoKey = (id: string) => ({ pk: `PHOTO#${id}`, sk: 'PHOTO' });
const photo = (id: string, extra: Record<string, unknown> = {}) => ({
  ...photoKey(id),
  id,
  title: id,
  status: 'ready',
  createdAt: ago(120),
  ...extra,
});

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
 * Replication then resumed (the primary's backlog stays lost): while the secondary served, it
 * changed one of the photos the primary had also changed, and its writes replicate to the primary.
 */
async function strandedWritesScenario(
  extra: (w: World) => Promise<void> = async () => {},
  afterFailover: (w: World) => Promise<void> = async () => {},
): Promise<World> {
  w = await createWorld({ replicate: false });
  // Written in the primary and replicated before the trouble: the same item, stamp included, in both.
  for (const id of ['a', 'b', 'c', 'd']) {
    const stamp = await w.write(PRIMARY, 'photos', photo(id), { stateVersion: 0 });
    await w.put(SECONDARY, 'photos', { ...photo(id), ...stampAttributes(stamp) });
  }
  // Stranded: acknowledged in the primary, never replicated.
  await w.write(PRIMARY, 'photos', photo('e', { createdAt: ago(50) }), { stateVersion: 0 });
  await w.write(PRIMARY, 'photos', photo('b', { title: 'b edited in the primary' }), { stateVersion: 0 });
  await w.write(PRIMARY, 'photos', photo('c', { title: 'c edited in the primary' }), { stateVersion: 0 });
  await w.write(PRIMARY, 'comments', { pk: 'PHOTO#a', sk: 'COMMENT#1', id: '1', text: 'stranded comment' }, { stateVersion: 0 });
  await extra(w);

  await w.healthy(SECONDARY);
  const failover = await runMachine('failover', await w.deps(SECONDARY, { unreachable: PRIMARY }), {
    mode: 'ungraceful',
    reason: 'primary down',
    requestedBy: 'oncall:tester',
  });
  expect(failover.status).toBe('SUCCEEDED');

  const promoted = await w.state(SECONDARY);
  await w.putState(PRIMARY, promoted);
  await w.startReplication();
  // Served by the secondary since, under the promotion's version.
  await w.write(SECONDARY, 'photos', photo('c', { title: 'c edited in the secondary' }));
  await w.write(SECONDARY, 'photos', photo('f', { createdAt: new Date().toISOString() }));
  await afterFailover(w);
  await w.healthy(PRIMARY, 3600);
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

  it("does not block on a comment or a photo created in both regions by one request (its retry in the secondary), only on another request's", async () => {
    // Prepare: besides the scenario's conflict on photo c (forced below), the comment of one request
    // stranded in the primary and written again in the secondary by the client's retry (the same
    // record, so the same request digest), and another request that reused an id with other text.
    const comment = (id: string, text: string) => ({ pk: 'PHOTO#a', sk: `COMMENT#${id}`, id, photoId: 'a', text });
    const retried = requestDigest(comment('r', 'sent once'));
    // A photo's creation stranded in the primary (its digest leaves out the per-attempt upload
    // deadline), retried in the secondary and completed there; and photo m, created in the primary
    // by one request and in the secondary by another under the same id.
    const pending = (id: string, creationRequest: string) =>
      photo(id, { status: 'pending', createdAt: ago(30), uploadDeadline: ago(-10), creationRequest });
    const created = requestDigest({ id: 'n', title: 'n' });
    await strandedWritesScenario(
      async (w) => {
        await w.write(PRIMARY, 'photos', pending('n', created), { stateVersion: 0, request: created });
        await w.write(PRIMARY, 'photos', pending('m', 'request-1'), { stateVersion: 0, request: 'request-1' });
        await w.write(PRIMARY, 'comments', comment('r', 'sent once'), { stateVersion: 0, request: retried });
        await w.write(PRIMARY, 'comments', comment('x', 'first text'), {
          stateVersion: 0,
          request: requestDigest(comment('x', 'first text')),
        });
      },
      async (w) => {
        await w.write(SECONDARY, 'comments', comment('r', 'sent once'), { request: retried });
        await w.write(SECONDARY, 'comments', comment('x', 'other text'), { request: requestDigest(comment('x', 'other text')) });
        await w.write(SECONDARY, 'photos', pending('n', created), { request: created });
        await w.write(SECONDARY, 'photos', photo('n', { createdAt: ago(30), creationRequest: created, listedAt: ago(1) }));
        await w.write(SECONDARY, 'photos', pending('m', 'request-2'), { request: 'request-2' });
      },
    );
    const deps = await w.deps(PRIMARY);

    // Act
    const run = await runMachine('failback', deps, request({ dryRun: true }));

    // Assess: the retried comment and photo n are converged; the reused ids and photo c conflict
    const summary = String(run.output?.summary);
    expect(summary).toMatch(/UnresolvedConflicts: 3 conflict/);
    const [reconcile] = stepResults<ReconciliationResult>(run.events, 'Reconcile');
    const conflicting = (reconcile?.conflicts ?? []).map((c) => `${c.pk}/${c.sk}`).sort();
    expect(conflicting).toEqual(['PHOTO#a/COMMENT#x', 'PHOTO#c/PHOTO', 'PHOTO#m/PHOTO']);
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
    expect(reconcile?.detail).toMatch(
      /6 stranded write\(s\).*2 already replicated, would replay 3, would remove 0 orphan comment\(s\), 1 conflict/,
    );
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
      await eventually(`state version 4 as ${SECONDARY} reads it`, async () => {
        const s = await w.state(SECONDARY);
        return s.version === 4 && s;
      }),
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
    expect(reconcile?.detail).toMatch(/replayed 3, removed 0 orphan comment\(s\), 1 conflict/);
    expect((await w.items(PRIMARY, 'appState', `AUDIT#${APP_ID}`)).map((a) => `${a.from}->${a.to}`)).toEqual(
      expect.arrayContaining(['failover->fenced', 'fenced->active']),
    );
  });

  it('never leaves a comment on a photo the secondary deleted, never resurrects that delete, and reports how the conflict stands', async () => {
    // Prepare: a stranded comment on photo d; the secondary deletes d while it serves
    const comment = { pk: 'PHOTO#d', sk: 'COMMENT#2' };
    await strandedWritesScenario(
      (world) =>
        world
          .write(PRIMARY, 'comments', { ...comment, id: '2', text: 'stranded, on a photo about to go' }, { stateVersion: 0 })
          .then(() => {}),
      (world) => world.remove(SECONDARY, 'photos', photoKey('d')).then(() => {}),
    );
    const deps = await w.deps(PRIMARY);

    // Act
    const run = await runMachine('failback', deps, request({ force: true, reason: 'conflict on c reviewed' }));

    // Assess
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: null, cause: null });
    expect(await w.get(SECONDARY, 'photos', photoKey('d'))).toBeUndefined();
    expect(await w.get(SECONDARY, 'comments', comment)).toBeUndefined();
    expect(await w.get(SECONDARY, 'comments', { pk: `TOMBSTONE#${comment.pk}`, sk: comment.sk })).toBeDefined();
    // The delete reaches the primary too: neither the photo nor its comment comes back there.
    await eventually('the deleted photo and its orphan comment gone from the primary', async () =>
      [await w.get(PRIMARY, 'photos', photoKey('d')), await w.get(PRIMARY, 'comments', comment)].every((item) => item === undefined),
    );
    expect(await w.get(PRIMARY, 'comments', comment)).toBeUndefined();
    expect(await w.get(PRIMARY, 'photos', photoKey('d'))).toBeUndefined();
    const report = await w.get(PRIMARY, 'appState', recordKeys.report(APP_ID, run.executionName));
    const reconcile = ((report?.steps ?? []) as Array<{ step: string; detail: string }>).find((s) => s.step === 'Reconcile');
    // c (edited in both regions) and d (written before the failover, deleted since) were written in
    // both regions: reported as conflicts, both already settled by last-writer-wins for the secondary.
    expect(reconcile?.detail).toMatch(/removed 1 orphan comment\(s\), 2 conflict\(s\) \(2 already resolved by last-writer-wins\)/);
    const result = (await w.get(PRIMARY, 'appState', recordKeys.report(APP_ID, run.executionName))) as Record<string, unknown>;
    expect(result.status).toBe('succeeded');
  });

  it('reads the stranded items in batches: its requests follow the journal entries, not one per write', async () => {
    // Prepare: 370 more stranded writes (250 photos, 120 comments on photo a), none replicated
    const morePhotos = Array.from({ length: 250 }, (_, i) => `many-${i}`);
    await strandedWritesScenario(async (world) => {
      for (const id of morePhotos) await world.write(PRIMARY, 'photos', photo(id), { stateVersion: 0 });
      for (let i = 0; i < 120; i += 1) {
        await world.write(
          PRIMARY,
          'comments',
          { pk: 'PHOTO#a', sk: `COMMENT#many-${i}`, id: `many-${i}`, text: 'stranded' },
          { stateVersion: 0 },
        );
      }
    });
    const deps = await w.deps(PRIMARY);

    // Act
    const run = await runMachine('failback', deps, request({ dryRun: true }));

    // Assess: every write judged as before (the 370 would be replayed)...
    expect(run.status).toBe('SUCCEEDED');
    const report = await w.get(PRIMARY, 'appState', recordKeys.report(APP_ID, run.executionName));
    const detail = ((report?.steps ?? []) as Array<{ step: string; detail: string }>).find((s) => s.step === 'Reconcile')?.detail ?? '';
    expect(detail).toMatch(
      /376 stranded write\(s\).*2 already replicated, would replay 373, would remove 0 orphan comment\(s\), 1 conflict/,
    );
    // ...from a few BatchGetItem requests: 376 items in the primary, 376 items and their tombstones
    // in the secondary (and one photo's), up to 100 keys a request: 3 + 2 + 6 + 3. One request per
    // key would be 1,129 (three per stranded write and the photo of the comments).
    // The figures the drills read, from the step's result in the execution's history.
    const [result] = stepResults<ReconciliationResult>(run.events, 'Reconcile');
    expect(result).toMatchObject({ journalEntries: expect.any(Number), candidates: 376 });
    expect(result?.requests.itemBatches).toBeGreaterThanOrEqual(14);
    expect(result?.requests.itemBatches).toBeLessThanOrEqual(20);
    expect(result?.requests.journalQueries).toBeGreaterThan(0);
    expect(detail).toContain(`(${result?.requests.journalQueries} journal queries, ${result?.requests.itemBatches} item batch reads)`);
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

describe('the data tables read by key in batches (getMany)', () => {
  it('answers every key in the order asked, absent ones undefined, a key named twice asked for once', async () => {
    // Prepare: 150 photos in the secondary
    w = await createWorld({ replicate: false });
    for (let i = 0; i < 150; i += 1) await w.put(SECONDARY, 'photos', photo(`p${i}`));
    const deps = await w.deps(PRIMARY);
    const keys = [...Array.from({ length: 150 }, (_, i) => photoKey(`p${149 - i}`)), photoKey('absent'), photoKey('p7'), photoKey('p7')];

    // Act
    const { items, requests } = await deps.data.getMany(SECONDARY, 'photos', keys);

    // Assess: 151 distinct keys, two requests of up to 100
    expect(items.map((item) => item?.id ?? null)).toEqual([...Array.from({ length: 150 }, (_, i) => `p${149 - i}`), null, 'p7', 'p7']);
    expect(requests).toBe(2);
    expect(await deps.data.getMany(PRIMARY, 'photos', [photoKey('p1')])).toEqual({ items: [undefined], requests: 1 });
  });
});
