// The gate's journal reading against a slow source region: every read costs seconds of the
// injected clock. A check must stay within its budget (the function's timeout is 10 s) and the
// next checks must carry on from where it stopped, until the whole window is verified.
import { startJournalVerification } from '../../../services/runbooks/decisions/journal-verification';
import { advanceJournal, JOURNAL_BUDGET_MS } from '../../../services/runbooks/steps/journal-check';
import type { WriteJournalTables } from '../../../services/runbooks/steps/ports';
import { journalBucket, journalKey } from '../../../shared/write-journal/model';

const READ_MS = 2_000;

function slowJournal(entryAt: string) {
  let now = Date.parse('2026-12-01T12:00:00.000Z');
  let reads = 0;
  const stamp = { writeId: '01M8RVT9J15Z3FWH7T6AHAMRPY', stateVersion: 1, at: entryAt, region: 'us-east-1' };
  const item = { pk: 'PHOTO#p1', sk: 'COMMENT#c1' };
  const journal: WriteJournalTables = {
    async readJournal(_region, table, bucket, afterSk) {
      // Reads sent together take READ_MS together, as concurrent requests do.
      reads += 1;
      const sentAt = now;
      await Promise.resolve();
      now = Math.max(now, sentAt + READ_MS);
      const hit = table === 'comments' && bucket === journalBucket(entryAt) && afterSk === null;
      return {
        entries: hit ? [{ sk: journalKey(stamp, item).sk, entry: { item, op: 'put', ...stamp } }] : [],
        more: false,
      };
    },
    async heldVersions(_region, _table, keys) {
      return keys.map(() => ({ itemWriteId: stamp.writeId, tombstoneWriteId: null }));
    },
  };
  return { deps: { journal, objects: undefined, clock: () => new Date(now) }, now: () => now, reads: () => reads };
}

describe('the journal check against a slow source region', () => {
  it('stays within its budget per call and verifies the whole hour over several calls', async () => {
    const since = '2026-12-01T11:00:00.000Z';
    const entryAt = '2026-12-01T11:50:10.000Z';
    const { deps, now, reads } = slowJournal(entryAt);
    let progress = startJournalVerification({ since, until: null });
    const spans: number[] = [];
    for (let call = 0; call < 40 && !progress.complete; call += 1) {
      const started = now();
      progress = await advanceJournal(deps as never, progress, 'us-east-1', 'us-west-2');
      spans.push(now() - started);
    }
    expect(progress.complete).toBe(true);
    expect(progress.verified.items).toBe(1);
    expect(progress.missing).toEqual([]);
    // A call overruns its budget by one round of reads at most, far from the 10 s timeout.
    expect(Math.max(...spans)).toBeLessThanOrEqual(JOURNAL_BUDGET_MS + 2 * READ_MS);
    expect(spans.length).toBeGreaterThan(1);
    expect(reads()).toBeGreaterThan(0);
  });
});
