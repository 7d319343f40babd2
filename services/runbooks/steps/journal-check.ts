// One step of the gate's per-write proof (decisions/journal-verification.ts): re-checks what was
// still missing, then reads the journal of the region being left onward from where the last
// check stopped, and looks each write up in the target. Bounded per call, so a long backlog is
// worked through over several checks of the state machine's loop.
import { coversWrite, type JournalEntry, journalBucket, journalBuckets, nextJournalBucket } from '../../../shared/write-journal/model';
import {
  type DataTable,
  type HeldVersion,
  JOURNALLED_TABLES,
  type JournalCursor,
  type JournalProgress,
  MISSING_CAP,
  type MissingWrite,
  mergeMissing,
  missingReason,
  missingWrite,
} from '../decisions/journal-verification';
import type { RunbookDeps } from './ports';

const PAGE_SIZE = 200;
/** Journal partitions looked into at once when skipping quiet minutes. */
const PROBE_CONCURRENCY = 16;
/** Per CheckReplication call (the function's timeout is 10 s; the marker checks take up to 1 s). */
export const JOURNAL_BUDGET_MS = 3_000;

type JournalDeps = Pick<RunbookDeps, 'journal' | 'objects' | 'clock'>;

interface Judged {
  missing: MissingWrite[];
  verifiedItems: number;
  verifiedObjects: number;
}

/** Looks each entry up in the target: its item (and tombstone), then its objects when they apply. */
async function judge(deps: JournalDeps, target: string, table: DataTable, entries: JournalEntry[]): Promise<Judged> {
  const held =
    entries.length === 0
      ? []
      : await deps.journal.heldVersions(
          target,
          table,
          entries.map((e) => e.item),
        );
  const etags = new Map<string, string | null | undefined>();
  // Objects belong to the item's latest write: checked when the target holds exactly this write.
  const needsObjects = (entry: JournalEntry, version: HeldVersion) =>
    (entry.objects?.length ?? 0) > 0 &&
    (entry.op === 'put'
      ? version.itemWriteId === entry.writeId
      : version.itemWriteId === null && coversWrite(version.tombstoneWriteId, entry));
  const lookups: string[] = [];
  entries.forEach((entry, i) => {
    if (needsObjects(entry, held[i] as HeldVersion)) for (const object of entry.objects ?? []) lookups.push(object.key);
  });
  await Promise.all(
    [...new Set(lookups)].map(async (key) => {
      etags.set(key, deps.objects ? await deps.objects.etagOf(key) : undefined);
    }),
  );
  const result: Judged = { missing: [], verifiedItems: 0, verifiedObjects: 0 };
  entries.forEach((entry, i) => {
    const version = held[i] as HeldVersion;
    const reason = missingReason(entry, version, (key) => etags.get(key));
    if (reason !== null) {
      result.missing.push(missingWrite(table, entry, reason));
      return;
    }
    result.verifiedItems += 1;
    if (needsObjects(entry, version)) result.verifiedObjects += entry.objects?.length ?? 0;
  });
  return result;
}

const asEntry = (m: MissingWrite): JournalEntry => ({
  item: m.item,
  op: m.op,
  writeId: m.writeId,
  at: m.at,
  stateVersion: 0,
  region: '',
  ...(m.objects ? { objects: m.objects } : {}),
});

/** Runs `work` over `items` with at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The first journal partition from `from` to `to` that holds an entry, or `to`: most minutes of an
 * hour-long window are quiet, and reading them one after the other would take the whole budget.
 * Looks in rounds of PROBE_CONCURRENCY partitions and stops when the call is out of time, at the
 * first partition not looked into: a slow source region (each read seconds long) costs checks of
 * the state machine's loop, never the function's timeout.
 */
async function skipQuietMinutes(
  deps: JournalDeps,
  region: string,
  table: DataTable,
  from: string,
  to: string,
  budget: Budget,
): Promise<JournalCursor> {
  const buckets = journalBuckets(`${from.slice('JOURNAL#'.length)}:00.000Z`, `${to.slice('JOURNAL#'.length)}:00.000Z`);
  for (let start = 0; start < buckets.length; start += PROBE_CONCURRENCY) {
    if (budget.spent()) return { bucket: buckets[start] as string, afterSk: null };
    const round = buckets.slice(start, start + PROBE_CONCURRENCY);
    const found = await Promise.all(
      round.map(async (bucket) => (await deps.journal.readJournal(region, table, bucket, null, 1)).entries.length > 0),
    );
    budget.progressed = true;
    const first = found.indexOf(true);
    if (first >= 0) return { bucket: round[first] as string, afterSk: null, holdsEntries: true };
  }
  return { bucket: to, afterSk: null };
}

/**
 * A call's time: spent once the budget is used up AND the call has made one read of progress, so
 * that a source whose every read takes longer than the budget still advances, one read per call.
 */
interface Budget {
  progressed: boolean;
  spent(): boolean;
}

/** The table whose cursor is furthest behind goes first: no table waits on another's backlog. */
function byCursor(cursors: Record<DataTable, JournalCursor>): DataTable[] {
  const position = (c: JournalCursor) => `${c.bucket}#${c.afterSk ?? ''}`;
  return [...JOURNALLED_TABLES].sort((a, b) =>
    position(cursors[a]) < position(cursors[b]) ? -1 : position(cursors[a]) > position(cursors[b]) ? 1 : 0,
  );
}

export async function advanceJournal(
  deps: JournalDeps,
  progress: JournalProgress,
  source: string,
  target: string,
  /** This call's time (the background verification gives what its invocation has left, at most this). */
  budgetMs: number = JOURNAL_BUDGET_MS,
): Promise<JournalProgress> {
  const started = deps.clock().getTime();
  const outOfTime = () => deps.clock().getTime() - started > budgetMs;
  const budget: Budget = { progressed: false, spent: () => budget.progressed && outOfTime() };
  const verified = { ...progress.verified };
  let missing: MissingWrite[] = [];
  for (const table of JOURNALLED_TABLES) {
    const judged = await judge(deps, target, table, progress.missing.filter((m) => m.table === table).map(asEntry));
    missing.push(...judged.missing);
    verified.items += judged.verifiedItems;
    verified.objects += judged.verifiedObjects;
  }

  const until = progress.until;
  const endBucket = journalBucket(until ?? started);
  const cursors = { ...progress.cursors };
  let entriesRead = progress.entriesRead;
  let everyTableRead = true;
  for (const table of byCursor(cursors)) {
    let cursor: JournalCursor = { ...cursors[table] };
    if (cursor.afterSk === null && !cursor.holdsEntries && cursor.bucket < endBucket) {
      cursor = await skipQuietMinutes(deps, source, table, cursor.bucket, endBucket, budget);
    }
    let read = false;
    while (!read && missing.length < MISSING_CAP && !budget.spent()) {
      const page = await deps.journal.readJournal(source, table, cursor.bucket, cursor.afterSk, PAGE_SIZE);
      budget.progressed = true;
      let entries = page.entries;
      const beyond = until === null ? -1 : entries.findIndex((e) => e.entry.at > until);
      if (beyond >= 0) entries = entries.slice(0, beyond);
      if (entries.length > 0) {
        const judged = await judge(
          deps,
          target,
          table,
          entries.map((e) => e.entry),
        );
        missing = mergeMissing(missing, judged.missing);
        verified.items += judged.verifiedItems;
        verified.objects += judged.verifiedObjects;
        entriesRead += entries.length;
        cursor = { bucket: cursor.bucket, afterSk: (entries.at(-1) as { sk: string }).sk };
      }
      if (beyond >= 0) read = true;
      else if (page.more) continue;
      else if (cursor.bucket >= endBucket) read = true;
      else {
        const next = nextJournalBucket(cursor.bucket);
        cursor = next < endBucket ? await skipQuietMinutes(deps, source, table, next, endBucket, budget) : { bucket: next, afterSk: null };
      }
    }
    cursors[table] = cursor;
    if (!read) everyTableRead = false;
  }
  const complete = everyTableRead && missing.length === 0;
  return {
    ...progress,
    cursors,
    missing,
    verified,
    entriesRead,
    complete,
    verifiedThrough: complete ? (until ?? new Date(started).toISOString()) : null,
  };
}
