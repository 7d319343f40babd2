// Failback's stranded-write reconciliation (see decisions/reconciliation.ts for the rules). Runs
// in the primary. Reads, never scans: the primary's write journal since the last verified point
// (its stranded writes are those admitted under a state version older than the failover's
// promotion), the secondary's journal since the promotion, and each stranded item in both
// regions. Nothing is written when the run is a practice run or is blocked by conflicts; each
// replay is conditional on the secondary's copy still being the one judged, so a concurrent
// user write turns it into a conflict instead.
import { newId } from '../../../shared/photos/ids';
import {
  type ItemKey,
  JOURNAL_RETENTION_SECONDS,
  type JournalEntry,
  journalBuckets,
  tombstoneKey,
  type WriteStamp,
} from '../../../shared/write-journal/model';
import { type DataTable, itemId, JOURNALLED_TABLES, verificationStart } from '../decisions/journal-verification';
import { judgeStranded, latestPerItem, reconciliationBlocks, type StrandedCase, type Verdict } from '../decisions/reconciliation';
import { UnresolvedConflicts } from '../errors';
import type { ConflictReport, ItemRef, ReconciliationResult, ReplayedRef, RunbookDocument, WatermarkRecord } from '../model';
import { mapLimit } from './journal-check';
import type { RunbookDeps } from './ports';
import { executeStep } from './run-step';

/** Lists in the result are capped: it travels through the state machine (256 KB) and into the report. */
export const LISTED_ITEMS_CAP = 50;
const PAGE_SIZE = 500;

type ReconcileDeps = Pick<RunbookDeps, 'config' | 'clock' | 'data' | 'journal' | 'watermarks' | 'reports' | 'stateIn'>;

interface Journalled {
  table: DataTable;
  entry: JournalEntry;
}

/** Every journal entry of a region written from `since` on, both data tables (minutes read in parallel), and the Query pages it took. */
async function readJournal(
  deps: ReconcileDeps,
  region: string,
  since: string,
  now: Date,
): Promise<{ found: Journalled[]; queries: number }> {
  const parts = JOURNALLED_TABLES.flatMap((table) => journalBuckets(since, now).map((bucket) => ({ table, bucket })));
  let queries = 0;
  const pages = await mapLimit(parts, 8, async ({ table, bucket }) => {
    const found: Journalled[] = [];
    let afterSk: string | null = null;
    for (;;) {
      queries += 1;
      const page = await deps.journal.readJournal(region, table, bucket, afterSk, PAGE_SIZE);
      for (const { entry } of page.entries) if (entry.at >= since) found.push({ table, entry });
      if (!page.more || page.entries.length === 0) return found;
      afterSk = page.entries.at(-1)?.sk ?? null;
    }
  });
  return { found: pages.flat(), queries };
}

const photoKeyOfComment = (key: ItemKey): ItemKey => ({ pk: key.pk, sk: 'PHOTO' });
const refOf = (table: string, key: ItemKey): ItemRef => ({ table, pk: key.pk, sk: key.sk });

async function newestWatermark(deps: ReconcileDeps): Promise<WatermarkRecord | null> {
  // Written in the secondary when it was promoted; read there too, in case it has not replicated here.
  const found = await Promise.all([deps.watermarks.latest(deps.config.primaryRegion), deps.watermarks.latest(deps.config.secondaryRegion)]);
  return found.reduce<WatermarkRecord | null>((newest, w) => (w && (!newest || w.promotedAt > newest.promotedAt) ? w : newest), null);
}

export async function reconcileStrandedWrites(deps: ReconcileDeps, doc: RunbookDocument): Promise<ReconciliationResult> {
  return executeStep(deps, doc, 'Reconcile', async () => {
    const { run } = doc;
    const primary = deps.config.primaryRegion;
    const secondary = deps.config.secondaryRegion;
    const now = deps.clock();
    const watermark = await newestWatermark(deps);
    // Without a watermark nothing says which version took over: every journalled write is stranded,
    // and every write of the secondary counts as made since the failover.
    const promotedVersion = watermark?.promotedVersion ?? Number.POSITIVE_INFINITY;
    const since = verificationStart(watermark?.verifiedThrough ?? null, now.getTime(), JOURNAL_RETENTION_SECONDS);
    const secondarySince = watermark ? verificationStart(watermark.promotedAt, now.getTime(), JOURNAL_RETENTION_SECONDS) : since;

    const [primaryRead, secondaryRead] = await Promise.all([
      readJournal(deps, primary, since, now),
      readJournal(deps, secondary, secondarySince < since ? secondarySince : since, now),
    ]);
    const primaryJournal = primaryRead.found;
    const secondaryJournal = secondaryRead.found;
    const idOf = (j: Journalled) => itemId(j.table, j.entry.item);
    const stranded = latestPerItem(
      primaryJournal.filter((j) => j.entry.stateVersion < promotedVersion),
      idOf,
    );
    const changedSince = latestPerItem(
      secondaryJournal.filter((j) => watermark === null || j.entry.stateVersion >= promotedVersion),
      idOf,
    );

    const { cases, requests: itemBatches } = await strandedCases(
      deps,
      { primary, secondary },
      [...stranded.values()],
      (j) => changedSince.get(idOf(j))?.entry,
    );
    const verdicts = cases.map((c) => ({ c, verdict: judgeStranded(c) }));
    const conflicts: ConflictReport[] = verdicts.flatMap(({ c, verdict }) =>
      verdict.kind === 'conflict'
        ? [
            {
              ...refOf(c.table, c.key),
              primaryTime: c.stranded.at,
              secondaryTime: c.changedSince?.at ?? null,
              resolution: verdict.resolution,
            },
          ]
        : [],
    );
    const blockedBefore = reconciliationBlocks(conflicts.length, run.force);
    const planned = verdicts.filter(({ verdict }) => ['replay-put', 'replay-delete', 'remove-orphan'].includes(verdict.kind));
    const replayed: ReplayedRef[] = [];
    const orphansRemoved: ItemRef[] = [];
    let raced = 0;

    if (!run.dryRun && !blockedBefore && planned.length > 0) {
      // Reconciliation writes are the secondary's own (it is the active region): stamped with its state.
      const state = await deps.stateIn(secondary).get();
      const stampNow = (writeId = newId(deps.clock())): WriteStamp => ({
        writeId,
        stateVersion: state.version,
        at: deps.clock().toISOString(),
        region: secondary,
      });
      for (const { c, verdict } of planned) {
        const outcome = await apply(deps, { primary, secondary }, c, verdict, stampNow);
        if (outcome === 'changed') {
          raced += 1;
          conflicts.push({ ...refOf(c.table, c.key), primaryTime: c.stranded.at, secondaryTime: null, resolution: 'pending' });
        } else if (verdict.kind === 'remove-orphan') orphansRemoved.push(refOf(c.table, c.key));
        else replayed.push({ ...refOf(c.table, c.key), op: verdict.kind === 'replay-delete' ? 'delete' : 'put' });
      }
    }

    const wouldDo = run.dryRun || blockedBefore;
    const listedReplays: ReplayedRef[] = wouldDo
      ? planned
          .filter(({ verdict }) => verdict.kind !== 'remove-orphan')
          .map(({ c, verdict }) => ({ ...refOf(c.table, c.key), op: verdict.kind === 'replay-delete' ? 'delete' : 'put' }))
      : replayed;
    const listedOrphans = wouldDo
      ? planned.filter(({ verdict }) => verdict.kind === 'remove-orphan').map(({ c }) => refOf(c.table, c.key))
      : orphansRemoved;
    const blocked = reconciliationBlocks(conflicts.length, run.force);
    const result: ReconciliationResult = {
      watermark,
      failoverAt: watermark?.promotedAt ?? null,
      since,
      journalEntries: primaryJournal.length + secondaryJournal.length,
      requests: { journalQueries: primaryRead.queries + secondaryRead.queries, itemBatches },
      candidates: cases.length,
      converged: verdicts.filter(({ verdict }) => verdict.kind === 'converged').length,
      replayed: listedReplays.slice(0, LISTED_ITEMS_CAP),
      orphansRemoved: listedOrphans.slice(0, LISTED_ITEMS_CAP),
      raced,
      conflicts: conflicts.slice(0, LISTED_ITEMS_CAP),
      conflictCount: conflicts.length,
      untraceable: verdicts
        .filter(({ verdict }) => verdict.kind === 'untraceable')
        .map(({ c }) => refOf(c.table, c.key))
        .slice(0, LISTED_ITEMS_CAP),
      blocked,
      forced: run.force && conflicts.length > 0,
      dryRun: run.dryRun,
    };
    const verb = wouldDo ? 'would replay' : 'replayed';
    const lww = conflicts.filter((c) => c.resolution !== 'pending').length;
    const detail =
      `${result.journalEntries} journal entries read since ${since} (${result.requests.journalQueries} journal queries, ${itemBatches} item batch reads), ${cases.length} stranded write(s)` +
      `${watermark ? ` (failover ${watermark.promotedAt}, v${watermark.promotedVersion ?? '?'})` : ' (no watermark recorded)'}: ` +
      `${result.converged} already replicated, ${verb} ${listedReplays.length}, ` +
      `${wouldDo ? 'would remove' : 'removed'} ${listedOrphans.length} orphan comment(s), ${conflicts.length} conflict(s)` +
      `${lww > 0 ? ` (${lww} already resolved by last-writer-wins)` : ''}` +
      (result.forced ? ' (forced: conflicts keep the secondary version)' : '');
    if (blocked && !run.dryRun) {
      const listed = conflicts
        .slice(0, 10)
        .map((c) => `${c.table} ${c.pk}/${c.sk}`)
        .join(', ');
      throw new UnresolvedConflicts(
        `${conflicts.length} stranded write(s) conflict with writes made in ${secondary} since the failover (${listed}${conflicts.length > 10 ? ', …' : ''}). ${replayed.length > 0 ? `${replayed.length} safe replay(s) were made; nothing was fenced` : 'Nothing was replayed or fenced'}. Resolve them, or run again with force and a reason to keep the secondary's versions.`,
      );
    }
    return { result, outcome: blocked ? 'would-block' : result.forced ? 'forced' : 'reconciled', detail };
  });
}

/**
 * Each stranded write with what both regions hold of its item: the old primary's items, the
 * secondary's items and tombstones, and for comments whether the secondary still lists their photo.
 * Read in batches of keys (BatchGetItem), not one request per write: the step's requests follow
 * the stranded writes divided by the batch size, and none depends on the tables' size.
 */
async function strandedCases(
  deps: ReconcileDeps,
  { primary, secondary }: { primary: string; secondary: string },
  stranded: Journalled[],
  changedSinceOf: (j: Journalled) => JournalEntry | undefined,
): Promise<{ cases: StrandedCase[]; requests: number }> {
  let requests = 0;
  const read = async (region: string, table: DataTable, keys: ItemKey[]) => {
    if (keys.length === 0) return [];
    const { items, requests: made } = await deps.data.getMany(region, table, keys);
    requests += made;
    return items;
  };
  const photoKeys = [
    ...new Map(
      stranded.filter((j) => j.table === 'comments').map((j) => [j.entry.item.pk, photoKeyOfComment(j.entry.item)] as const),
    ).values(),
  ];
  // The secondary's photos are read once: the stranded photos, then the photos of stranded comments.
  const livenessKeys = [...photoKeys, ...photoKeys.map(tombstoneKey)];
  const perTable = await Promise.all(
    JOURNALLED_TABLES.map(async (table) => {
      const mine = stranded.filter((j) => j.table === table);
      const keys = mine.map((j) => j.entry.item);
      const [primaryItems, secondaryItems] = await Promise.all([
        read(primary, table, keys),
        // The secondary's items, then their tombstones, in one list.
        read(secondary, table, [...keys, ...keys.map(tombstoneKey), ...(table === 'photos' ? livenessKeys : [])]),
      ]);
      return { table, mine, primaryItems, secondaryItems };
    }),
  );
  const photos =
    perTable.find((t) => t.table === 'photos')?.secondaryItems.slice(2 * stranded.filter((j) => j.table === 'photos').length) ?? [];
  const photoAlive = new Map(
    photoKeys.map((key, i) => {
      const photo = photos[i];
      return [key.pk, photo !== undefined && photo.status === 'ready' && photos[photoKeys.length + i] === undefined] as const;
    }),
  );
  const order = new Map(stranded.map((j, i) => [j, i]));
  const cases = perTable.flatMap(({ table, mine, primaryItems, secondaryItems }) =>
    mine.map((j, i): [number, StrandedCase] => {
      const tombstone = secondaryItems[mine.length + i];
      return [
        order.get(j) ?? 0,
        {
          table,
          key: j.entry.item,
          stranded: j.entry,
          changedSince: changedSinceOf(j),
          primaryItem: primaryItems[i],
          secondaryItem: secondaryItems[i],
          secondaryTombstone: tombstone ? String(tombstone.writeId ?? '') : undefined,
          ...(table === 'comments' ? { photoInSecondary: photoAlive.get(j.entry.item.pk) ?? false } : {}),
        },
      ];
    }),
  );
  // In the journal's order, as before: the replays are applied in it.
  return { cases: cases.sort((a, b) => a[0] - b[0]).map(([, c]) => c), requests };
}

async function apply(
  deps: ReconcileDeps,
  { primary, secondary }: { primary: string; secondary: string },
  c: StrandedCase,
  verdict: Verdict,
  stampNow: (writeId?: string) => WriteStamp,
): Promise<'written' | 'changed'> {
  switch (verdict.kind) {
    case 'replay-put': {
      // The stranded write itself: its item keeps its own stamp, its journal entry is new here.
      const writeId = String(verdict.item.writeId ?? c.stranded.writeId);
      return deps.data.replayPut(secondary, c.table, verdict.item, verdict.expectedWriteId, {
        ...stampNow(writeId),
        stateVersion: c.stranded.stateVersion,
      });
    }
    case 'replay-delete': {
      const outcome = await deps.data.replayDelete(secondary, c.table, c.key, verdict.expectedWriteId, stampNow());
      if (outcome === 'written' && c.table === 'photos') await removeCommentsOf(deps, secondary, c.key, stampNow);
      return outcome;
    }
    case 'remove-orphan': {
      // In both regions, with one stamp: deleting a comment the secondary never received writes no
      // stream record there, so nothing would replicate the delete to the primary. Unconditional,
      // with a tombstone: the stranded comment, should it still arrive, loses to this later delete.
      const stamp = stampNow();
      await deps.data.replayDelete(primary, 'comments', c.key, 'any', stamp);
      return deps.data.replayDelete(secondary, 'comments', c.key, 'any', stamp);
    }
    default:
      return 'written';
  }
}

/** A photo deleted by a replayed delete takes its comments in the secondary with it: no orphan remains. */
async function removeCommentsOf(deps: ReconcileDeps, region: string, photo: ItemKey, stampNow: () => WriteStamp): Promise<void> {
  for (const key of await deps.data.partitionKeys(region, 'comments', photo.pk)) {
    if (key.sk.startsWith('COMMENT#')) await deps.data.replayDelete(region, 'comments', key, 'any', stampNow());
  }
}
