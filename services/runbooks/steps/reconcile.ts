// Failback's stranded-write reconciliation (see decisions/reconciliation.ts for the rules). Runs
// in the primary: scans its photo and comment tables for items newer than the failover
// watermark and compares each with the secondary's copy. Nothing is written when the run is a
// practice run or is blocked by conflicts; each replay is conditional on the secondary's copy
// still being what was compared, so a concurrent user write turns it into a conflict instead.
import {
  classifyStrandedWrites,
  isAfterWatermark,
  isRunbookMarker,
  itemTime,
  reconciliationBlocks,
  type StrandedCandidate,
} from '../decisions/reconciliation';
import { UnresolvedConflicts } from '../errors';
import {
  type ConflictReport,
  DATA_TABLES,
  type ItemRef,
  type ReconciliationResult,
  type RunbookDocument,
  type WatermarkRecord,
} from '../model';
import type { RunbookDeps } from './ports';
import { executeStep } from './run-step';

/** Lists in the result are capped: it travels through the state machine (256 KB) and into the report. */
export const LISTED_ITEMS_CAP = 50;

const watermarkMs = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

export async function reconcileStrandedWrites(
  deps: Pick<RunbookDeps, 'config' | 'clock' | 'data' | 'watermarks' | 'reports'>,
  doc: RunbookDocument,
): Promise<ReconciliationResult> {
  return executeStep(deps, doc, 'Reconcile', async () => {
    const { run } = doc;
    const primary = deps.config.primaryRegion;
    const secondary = deps.config.secondaryRegion;
    // Written in the secondary when it was promoted; read there too, in case it has not replicated here.
    const found = await Promise.all([deps.watermarks.latest(primary), deps.watermarks.latest(secondary)]);
    const watermark = found.reduce<WatermarkRecord | null>(
      (newest, w) => (w && (!newest || w.promotedAt > newest.promotedAt) ? w : newest),
      null,
    );
    const failoverAt = watermarkMs(watermark?.promotedAt);

    let scanned = 0;
    const candidates: StrandedCandidate[] = [];
    const untimed: ItemRef[] = [];
    for (const table of DATA_TABLES) {
      const tableWatermark = watermark ? watermarkMs(watermark.tables[table]) : null;
      for await (const page of deps.data.scan(primary, table)) {
        scanned += page.length;
        for (const item of page) {
          if (isRunbookMarker(item)) continue;
          if (itemTime(item) === null) {
            // No timestamp: cannot be placed before or after the failover, so it is listed for a human.
            if (untimed.length < LISTED_ITEMS_CAP) untimed.push({ table, pk: String(item.pk), sk: String(item.sk) });
            continue;
          }
          if (!isAfterWatermark(item, tableWatermark)) continue;
          const secondaryItem = await deps.data.get(secondary, table, { pk: String(item.pk), sk: String(item.sk) });
          candidates.push({ table, primaryItem: item, secondaryItem });
        }
      }
    }

    // Without a watermark nothing says when the failover happened: a differing secondary copy is a conflict.
    const classification = classifyStrandedWrites(candidates, failoverAt ?? Number.NEGATIVE_INFINITY);
    const conflicts: ConflictReport[] = [...classification.conflicts];
    const blockedBefore = reconciliationBlocks(conflicts.length, run.force);
    const replayed: ItemRef[] = [];
    let raced = 0;

    if (!run.dryRun && !blockedBefore) {
      for (const replay of classification.replay) {
        const outcome = await deps.data.putIfUnchanged(secondary, replay.table, replay.item, replay.secondaryItem);
        if (outcome === 'written') {
          replayed.push({ table: replay.table, pk: replay.pk, sk: replay.sk });
        } else {
          raced += 1;
          conflicts.push({ table: replay.table, pk: replay.pk, sk: replay.sk, primaryTime: null, secondaryTime: null });
        }
      }
    }

    const blocked = reconciliationBlocks(conflicts.length, run.force);
    const result: ReconciliationResult = {
      watermark,
      failoverAt: watermark?.promotedAt ?? null,
      scanned,
      candidates: candidates.length,
      converged: classification.converged,
      replayed: (run.dryRun || blockedBefore ? classification.replay.map(({ table, pk, sk }) => ({ table, pk, sk })) : replayed).slice(
        0,
        LISTED_ITEMS_CAP,
      ),
      raced,
      conflicts: conflicts.slice(0, LISTED_ITEMS_CAP),
      conflictCount: conflicts.length,
      untimed,
      blocked,
      forced: run.force && conflicts.length > 0,
      dryRun: run.dryRun,
    };
    const verb = run.dryRun || blockedBefore ? 'would replay' : 'replayed';
    const replayCount = run.dryRun || blockedBefore ? classification.replay.length : replayed.length;
    const detail =
      `${scanned} item(s) scanned, ${candidates.length} after the watermark${watermark ? ` (failover ${watermark.promotedAt})` : ' (no watermark recorded)'}: ` +
      `${classification.converged} already replicated, ${verb} ${replayCount}, ${conflicts.length} conflict(s)` +
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
