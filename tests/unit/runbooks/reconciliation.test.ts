import { judgeStranded, latestPerItem, reconciliationBlocks, type StrandedCase } from '../../../services/runbooks/decisions/reconciliation';
import type { JournalEntry } from '../../../shared/write-journal/model';

// Write ids sort by time: w1 < w2 < w3.
const entry = (writeId: string, op: 'put' | 'delete' = 'put', stateVersion = 0): JournalEntry => ({
  item: { pk: 'PHOTO#p', sk: 'PHOTO' },
  op,
  writeId,
  stateVersion,
  at: '2026-12-01T10:00:00.000Z',
  region: 'us-east-1',
});
const item = (writeId: string, extra: Record<string, unknown> = {}) => ({ pk: 'PHOTO#p', sk: 'PHOTO', writeId, ...extra });

const base = (over: Partial<StrandedCase>): StrandedCase => ({
  table: 'photos',
  key: { pk: 'PHOTO#p', sk: 'PHOTO' },
  stranded: entry('w2'),
  changedSince: undefined,
  primaryItem: item('w2'),
  secondaryItem: undefined,
  secondaryTombstone: undefined,
  ...over,
});

describe('judgeStranded', () => {
  it.each<[string, Partial<StrandedCase>, ReturnType<typeof judgeStranded>]>([
    ['the secondary holds the stranded write: converged', { secondaryItem: item('w2') }, { kind: 'converged' }],
    ['the secondary holds a later write of the primary: converged', { secondaryItem: item('w3') }, { kind: 'converged' }],
    ['absent in the secondary and never deleted there: replayed', {}, { kind: 'replay-put', item: item('w2'), expectedWriteId: null }],
    [
      'the secondary holds the version before it: replayed on that version',
      { secondaryItem: item('w1') },
      { kind: 'replay-put', item: item('w2'), expectedWriteId: 'w1' },
    ],
    [
      'absent in the secondary because the primary deleted it later (its tombstone arrived): converged',
      { secondaryTombstone: 'w3' },
      { kind: 'converged' },
    ],
    ['the primary no longer holds the journalled write: untraceable, never replayed', { primaryItem: item('w1') }, { kind: 'untraceable' }],
    [
      'a stranded delete the secondary has not seen: replayed as a delete',
      { stranded: entry('w2', 'delete'), primaryItem: undefined, secondaryItem: item('w1') },
      { kind: 'replay-delete', expectedWriteId: 'w1' },
    ],
    [
      'a stranded delete that arrived: converged',
      { stranded: entry('w2', 'delete'), primaryItem: undefined, secondaryTombstone: 'w2' },
      { kind: 'converged' },
    ],
  ])('%s', (_name, over, verdict) => {
    expect(judgeStranded(base(over))).toEqual(verdict);
  });

  it('never resurrects a delete made in the secondary since the failover: a conflict, kept deleted', () => {
    // The secondary deleted the photo (w3, newer token); the primary's stranded edit (w2) is absent there.
    const verdict = judgeStranded(
      base({ changedSince: entry('w3', 'delete', 2), secondaryItem: undefined, secondaryTombstone: 'w3', primaryItem: undefined }),
    );
    expect(verdict).toEqual({ kind: 'conflict', resolution: 'secondary-kept' });
  });

  it("takes one request's attempt in each region (the same request digest) for one write, not a conflict", () => {
    // The comment was written in the primary (w2), its answer lost at the cut; the client retried
    // the same Idempotency-Key in the secondary after the promotion (w3, a newer token).
    const attempt = (writeId: string, stateVersion: number, request: string): JournalEntry => ({
      ...entry(writeId, 'put', stateVersion),
      request,
    });
    const retried = { stranded: attempt('w2', 0, 'r1'), changedSince: attempt('w3', 2, 'r1') };
    // Whichever attempt last-writer-wins kept, and before it has merged them.
    expect(judgeStranded(base({ ...retried, secondaryItem: item('w3'), primaryItem: item('w3') }))).toEqual({ kind: 'converged' });
    expect(judgeStranded(base({ ...retried, secondaryItem: item('w2'), primaryItem: item('w2') }))).toEqual({ kind: 'converged' });
    expect(judgeStranded(base({ ...retried, secondaryItem: item('w3'), primaryItem: item('w2') }))).toEqual({ kind: 'converged' });
    // Another request under the same id (other content), or no digest: still a conflict.
    const other = { stranded: attempt('w2', 0, 'r1'), changedSince: attempt('w3', 2, 'r2') };
    expect(judgeStranded(base({ ...other, secondaryItem: item('w3'), primaryItem: item('w2') }))).toMatchObject({ kind: 'conflict' });
    expect(judgeStranded(base({ changedSince: entry('w3', 'put', 2), secondaryItem: item('w3'), primaryItem: item('w3') }))).toMatchObject({
      kind: 'conflict',
    });
    // The secondary deleted it since: the delete is the latest change there, a conflict as before.
    expect(
      judgeStranded(base({ stranded: attempt('w2', 0, 'r1'), changedSince: entry('w4', 'delete', 2), secondaryTombstone: 'w4' })),
    ).toMatchObject({ kind: 'conflict' });
  });

  it("takes a photo's creation stranded in the primary for the one the secondary holds when the same request made it there", () => {
    // The creation (w2, digest r1) was stranded; the client retried it in the secondary (w3) and
    // completed its upload there (w4, an update without a digest, which keeps creationRequest).
    const creation: JournalEntry = { ...entry('w2', 'put', 0), request: 'r1' };
    const completedThere = { stranded: creation, changedSince: entry('w4', 'put', 2) };
    const ready = (writeId: string, creationRequest?: string) =>
      item(writeId, { status: 'ready', ...(creationRequest ? { creationRequest } : {}) });
    expect(judgeStranded(base({ ...completedThere, secondaryItem: ready('w4', 'r1'), primaryItem: ready('w4', 'r1') }))).toEqual({
      kind: 'converged',
    });
    // Another request's photo under that id, one without a digest, or a stranded write that was not
    // the creation (a completion carries none): still a conflict.
    expect(judgeStranded(base({ ...completedThere, secondaryItem: ready('w4', 'r2'), primaryItem: ready('w4', 'r2') }))).toMatchObject({
      kind: 'conflict',
    });
    expect(judgeStranded(base({ ...completedThere, secondaryItem: ready('w4'), primaryItem: ready('w4') }))).toMatchObject({
      kind: 'conflict',
    });
    expect(
      judgeStranded(base({ stranded: entry('w2', 'put', 0), changedSince: entry('w4', 'put', 2), secondaryItem: ready('w4', 'r1') })),
    ).toMatchObject({ kind: 'conflict' });
    // Comments do not take this path: their retried creation is the same write (the rule above).
    expect(
      judgeStranded(base({ ...completedThere, table: 'comments', secondaryItem: ready('w4', 'r1'), primaryItem: ready('w4', 'r1') })),
    ).toMatchObject({ kind: 'conflict' });
  });

  it('reports a conflict that last-writer-wins already merged, instead of calling it converged', () => {
    // Both regions hold the same item now: the stranded write overwrote the secondary's newer one.
    expect(judgeStranded(base({ changedSince: entry('w3', 'put', 2), secondaryItem: item('w2'), primaryItem: item('w2') }))).toEqual({
      kind: 'conflict',
      resolution: 'stranded-write-kept',
    });
    expect(judgeStranded(base({ changedSince: entry('w3', 'put', 2), secondaryItem: item('w3'), primaryItem: item('w3') }))).toEqual({
      kind: 'conflict',
      resolution: 'secondary-kept',
    });
    expect(judgeStranded(base({ changedSince: entry('w3', 'put', 2), secondaryItem: item('w3'), primaryItem: item('w2') }))).toEqual({
      kind: 'conflict',
      resolution: 'pending',
    });
  });

  it('removes a stranded comment whose photo the secondary deleted, whether or not it replicated', () => {
    const comment = { table: 'comments' as const, key: { pk: 'PHOTO#p', sk: 'COMMENT#c' }, photoInSecondary: false };
    expect(judgeStranded(base({ ...comment }))).toEqual({ kind: 'remove-orphan' });
    expect(judgeStranded(base({ ...comment, secondaryItem: item('w2') }))).toEqual({ kind: 'remove-orphan' });
    expect(judgeStranded(base({ ...comment, photoInSecondary: true }))).toMatchObject({ kind: 'replay-put' });
  });
});

describe('latestPerItem', () => {
  it('keeps the latest write of each item, whatever the order read', () => {
    const latest = latestPerItem(
      [{ entry: entry('w2') }, { entry: entry('w3') }, { entry: entry('w1') }, { entry: { ...entry('w1'), item: { pk: 'x', sk: 'y' } } }],
      (e) => `${e.entry.item.pk}|${e.entry.item.sk}`,
    );
    expect([...latest.values()].map((e) => e.entry.writeId)).toEqual(['w3', 'w1']);
  });
});

describe('reconciliationBlocks', () => {
  it('blocks on conflicts unless forced', () => {
    expect(reconciliationBlocks(0, false)).toBe(false);
    expect(reconciliationBlocks(2, false)).toBe(true);
    expect(reconciliationBlocks(2, true)).toBe(false);
  });
});
