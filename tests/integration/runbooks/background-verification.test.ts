// The background verification against two real DynamoDB Locals: the gate's own proof of the
// primary's journal in the secondary's replica (the direction a failover run there proves), the
// verified point it moves, the proof it saves between runs, and the gate that reads on from it.
import { VERIFIED_POINT_MARGIN_MS } from '../../../services/runbooks/decisions/journal-verification';
import { recordKeys } from '../../../services/runbooks/model';
import { type BackgroundRunOptions, verifyInBackground } from '../../../services/runbooks/steps/background-verify';
import { mapLimit } from '../../../services/runbooks/steps/journal-check';
import type { RunbookDeps } from '../../../services/runbooks/steps/ports';
import { eventually } from '../../support/eventually';
import { runMachine } from './support/run-machine';
import { APP_ID, PRIMARY, SECONDARY, type World, worldsPerTest } from './support/two-regions';

jest.setTimeout(120_000);

const world = worldsPerTest();

let runs = 0;
const run = (deps: RunbookDeps, options: Partial<BackgroundRunOptions> = {}) =>
  verifyInBackground(deps, { runId: `background-test-${++runs}`, budgetMs: 20_000, leaseMs: 60_000, dryRun: false, ...options });

const pointOf = async (w: World) =>
  (await w.get(SECONDARY, 'appState', recordKeys.verifiedPoint(APP_ID, PRIMARY, SECONDARY)))?.through as string | undefined;
const savedProofOf = (w: World) => w.get(SECONDARY, 'appState', recordKeys.verificationRun(APP_ID, PRIMARY, SECONDARY));

/** A moment `ms` ago. */
const ago = (ms: number) => new Date(Date.now() - ms);

/** Copies an item from the primary's replica into the secondary's, as replication would (not its journal entry). */
async function replicate(w: World, table: 'photos' | 'comments', key: { pk: string; sk: string }): Promise<void> {
  const item = await w.get(PRIMARY, table, key);
  if (!item) throw new Error(`${key.pk}/${key.sk} is not in ${PRIMARY}`);
  await w.put(SECONDARY, table, item);
}

const photo = (id: string) => ({ pk: `PHOTO#${id}`, sk: 'PHOTO', id, title: id });

describe('the background verification', () => {
  it('verifies the writes journalled in the peer and replicated here, and moves the point to its window’s end', async () => {
    // Prepare: three writes in the primary, stamped well before the window's end, replicated
    const w = await world();
    await w.putState(PRIMARY, { state: 'active', version: 1 });
    for (const [i, id] of ['a', 'b', 'c'].entries()) await w.write(PRIMARY, 'photos', photo(id), { at: ago(60_000 - i * 1000) });
    await eventually('the three photos in the secondary', async () => (await w.items(SECONDARY, 'photos', 'PHOTO#')).length === 3);
    const deps = await w.deps(SECONDARY);
    const before = Date.now();

    // Act
    const result = await run(deps);

    // Assess: writer timeout + skew margin before the run's start (10 s + 0.2 s in this world)
    expect(result).toMatchObject({ source: PRIMARY, target: SECONDARY, outcome: 'verified', entriesRead: 3, missing: 0 });
    const settleMs = deps.config.writerTimeoutMs + deps.config.clockSkewMarginMs;
    expect(Date.parse(result.until as string)).toBeGreaterThanOrEqual(before - settleMs);
    expect(Date.parse(result.until as string)).toBeLessThanOrEqual(Date.now() - settleMs);
    expect(await pointOf(w)).toBe(result.until);
    expect(result.verifiedThrough).toBe(result.until);
    // Nothing left in progress.
    expect((await savedProofOf(w))?.progress).toBeUndefined();

    // Act: the next run
    const next = await run(deps);

    // Assess: it reads on from where its own proof ended (no minute of margin to read again). The
    // journal is read by minute partitions, so when the three writes share the minute of that
    // point they are read again (and verified again); nothing else is.
    expect(next).toMatchObject({ outcome: 'verified', since: result.until, missing: 0 });
    expect(next.entriesRead).toBeLessThanOrEqual(3);
    expect(await pointOf(w)).toBe(next.until);
  });

  it('does not move the point past a write journalled but not here, and moves it once the write arrives', async () => {
    // Prepare: no replication; a first write copied over, and a first run that verifies it
    const w = await world({ replicate: false });
    await w.putState(PRIMARY, { state: 'active', version: 1 });
    await w.write(PRIMARY, 'photos', photo('early'), { at: ago(120_000) });
    await replicate(w, 'photos', { pk: 'PHOTO#early', sk: 'PHOTO' });
    const deps = await w.deps(SECONDARY);
    // That run's clock is half a minute behind: its window ends before the next write's stamp.
    const first = await run({ ...deps, clock: () => ago(30_000) });
    expect(first.outcome).toBe('verified');
    const firstPoint = await pointOf(w);
    // A second write, stamped after the first point and before the next window's end, not in the secondary
    const late = await w.write(PRIMARY, 'photos', photo('late'), { at: ago(20_000) });
    expect(late.at > (firstPoint as string)).toBe(true);

    // Act
    const missing = await run(deps);

    // Assess: the proof is kept, the write named, the point where it was (before the write)
    expect(missing).toMatchObject({ outcome: 'in-progress', missing: 1 });
    expect(missing.detail).toMatch(/photos PHOTO#late\/PHOTO put .*item not in the target/);
    expect(await pointOf(w)).toBe(firstPoint);
    expect(JSON.parse(String((await savedProofOf(w))?.progress))).toMatchObject({
      until: missing.until,
      missing: [{ writeId: late.writeId }],
    });

    // Act: the write arrives; the next run re-judges it and completes the saved window
    await replicate(w, 'photos', { pk: 'PHOTO#late', sk: 'PHOTO' });
    const arrived = await run(deps);

    // Assess
    expect(arrived).toMatchObject({ outcome: 'verified', until: missing.until, missing: 0 });
    expect(await pointOf(w)).toBe(missing.until);
    expect((missing.until as string) > late.at).toBe(true);
  });

  it('works through a backlog larger than one run’s budget over several runs, then moves the point', async () => {
    // Prepare: 450 writes (three journal pages) in the primary, all in the secondary too
    const w = await world({ replicate: false });
    await w.putState(PRIMARY, { state: 'active', version: 1 });
    const ids = Array.from({ length: 450 }, (_, i) => `backlog-${String(i).padStart(3, '0')}`);
    await mapLimit(ids, 16, async (id) => {
      await w.write(PRIMARY, 'comments', { pk: 'PHOTO#backlog', sk: `COMMENT#${id}`, id, text: id }, { at: ago(30_000), stateVersion: 1 });
      await replicate(w, 'comments', { pk: 'PHOTO#backlog', sk: `COMMENT#${id}` });
    });

    // A source slow enough that a run's budget holds a few reads only: each look at the clock
    // after a read costs 200 ms (the budget counts reads, whatever this machine's speed).
    const t0 = Date.now();
    let ticks = 0;
    const slow = { ...(await w.deps(SECONDARY)), clock: () => new Date(t0 + 200 * ticks++) };

    // Act
    const results = [];
    for (let i = 0; i < 40; i += 1) {
      const result = await run(slow, { budgetMs: 1_000 });
      results.push(result);
      if (result.outcome !== 'in-progress') break;
    }

    // Assess: several runs carried one proof (one until) to its end, each entry read once, and the
    // point moved only when it was complete
    const last = results.at(-1);
    expect(last).toMatchObject({ outcome: 'verified', missing: 0 });
    expect(results.length).toBeGreaterThan(2);
    expect(results.slice(0, -1).every((r) => r.outcome === 'in-progress' && r.until === last?.until)).toBe(true);
    expect(results.reduce((sum, r) => sum + r.entriesRead, 0)).toBe(ids.length);
    expect(await pointOf(w)).toBe(last?.until);
  });

  it('lets one run at a time work on the proof, and a dry run records and saves nothing', async () => {
    // Prepare
    const w = await world({ replicate: false });
    await w.putState(PRIMARY, { state: 'active', version: 1 });
    await w.write(PRIMARY, 'photos', photo('only'), { at: ago(60_000) });
    await replicate(w, 'photos', { pk: 'PHOTO#only', sk: 'PHOTO' });
    const deps = await w.deps(SECONDARY);
    const now = Date.now();
    const held = await deps.verificationRuns.claim(PRIMARY, SECONDARY, 'another-run', now, now + 60_000);
    expect(held.claimed).toBe(true);

    // Act
    const busy = await run(deps);
    const dry = await run(deps, { dryRun: true });

    // Assess
    expect(busy.outcome).toBe('busy');
    expect(dry).toMatchObject({ outcome: 'verified', entriesRead: 1, verifiedThrough: null });
    expect(await pointOf(w)).toBeUndefined();
    expect(await savedProofOf(w)).toMatchObject({ runId: 'another-run' });

    // Act: the other run lets go; the next one verifies and records
    expect(await deps.verificationRuns.release(PRIMARY, SECONDARY, 'another-run', { progress: null })).toBe(true);
    const next = await run(deps);

    // Assess
    expect(next.outcome).toBe('verified');
    expect(await pointOf(w)).toBe(next.until);
  });
});

describe('a gate after the background verification', () => {
  it('reads the journal only from the background-verified point minus the margin', async () => {
    // Prepare: old writes (well before the point's margin) and recent ones, all replicated
    const w = await world({ lagMs: 100 });
    await w.healthy(SECONDARY);
    await w.putState(PRIMARY, { state: 'active', version: 3 });
    await eventually(`state version 3 as ${SECONDARY} reads it`, async () => (await w.state(SECONDARY)).version === 3);
    for (const id of ['old-1', 'old-2', 'old-3', 'old-4', 'old-5']) await w.write(PRIMARY, 'photos', photo(id), { at: ago(600_000) });
    for (const id of ['recent-1', 'recent-2']) await w.write(PRIMARY, 'photos', photo(id), { at: ago(30_000) });
    await eventually('the seven photos in the secondary', async () => (await w.items(SECONDARY, 'photos', 'PHOTO#')).length === 7);
    const deps = await w.deps(SECONDARY);
    const background = await run(deps);
    expect(background).toMatchObject({ outcome: 'verified', entriesRead: 7 });
    const point = background.until as string;
    const journals: Array<{ since: string; entriesRead: number }> = [];
    const observe = (state: string, input: unknown) => {
      const journal = (input as { gate?: { journal?: { since: string; entriesRead: number } } }).gate?.journal;
      if (state === 'CheckReplication' && journal) journals.push(journal);
    };

    // Act
    const failover = await runMachine(
      'failover',
      deps,
      { mode: 'planned', reason: 'integration test', requestedBy: 'oncall:tester' },
      {
        beforeTask: observe,
      },
    );

    // Assess: the gate started a minute before the point and read only the recent writes again
    expect(failover.status).toBe('SUCCEEDED');
    expect(journals.length).toBeGreaterThan(0);
    expect(journals[0]?.since).toBe(new Date(Date.parse(point) - VERIFIED_POINT_MARGIN_MS).toISOString());
    const passed = await w.get(SECONDARY, 'appState', recordKeys.report(APP_ID, failover.executionName));
    const check = ((passed?.steps ?? []) as Array<{ step: string; outcome: string; detail: string }>).find(
      (s) => s.step === 'CheckReplication' && s.outcome === 'passed',
    );
    expect(check?.detail).toMatch(/2 write\(s\) and 0 photo object\(s\) verified in us-west-2, none missing/);
    // The gate moved the point on past the background's.
    expect(((await pointOf(w)) as string) > point).toBe(true);
  });
});
