// The background verification: on a schedule in each region, the replication gate's own proof
// (./journal-check.ts, decisions/journal-verification.ts) of the peer's writes in this region's
// replica, in the direction a gate run here proves when this region is promoted (failover in the
// secondary, failback in the primary: source the peer, target this region). A complete proof moves
// the verified point, so the next gate reads on from a minute or so before now instead of from
// the last failover. Why its window ends well before now: decisions/background-verification.ts.
//
// A backlog longer than one invocation is worked through over several: the proof in progress is
// saved beside the verified point and carried on by the next run, one run at a time (a lease).
import { JOURNAL_RETENTION_SECONDS } from '../../../shared/write-journal/model';
import { peerOf } from '../config';
import { backgroundUntil, behindSeconds, planBackgroundRun } from '../decisions/background-verification';
import { describeJournal, type JournalProgress } from '../decisions/journal-verification';
import { advanceJournal, JOURNAL_BUDGET_MS } from './journal-check';
import type { RunbookDeps, SavedVerification } from './ports';

type BackgroundDeps = Pick<RunbookDeps, 'config' | 'clock' | 'journal' | 'objects' | 'verifiedPoints' | 'verificationRuns'>;

export interface BackgroundRunOptions {
  /** Names the run in its claim and in the verified point it records. */
  runId: string;
  /** Time the run may spend reading and judging; the last call may overrun it by one read. */
  budgetMs: number;
  /** How long the claim holds should the run die (the invocation's remaining time). */
  leaseMs: number;
  /** Reads and judges, records and saves nothing. */
  dryRun: boolean;
}

export interface BackgroundRunResult {
  source: string;
  target: string;
  outcome: 'verified' | 'in-progress' | 'up-to-date' | 'busy';
  /** The window of the proof worked on (null: none). */
  since: string | null;
  until: string | null;
  /** Journal entries this run read. */
  entriesRead: number;
  /** Writes read and still missing in the target. */
  missing: number;
  /** The verified point after this run (as recorded, or as it was). */
  verifiedThrough: string | null;
  /** How far that point is behind this run's clock, s. */
  behindSeconds: number | null;
  detail: string;
}

/** Something moved: more entries read, cursors further on, or fewer writes missing. */
const advanced = (before: JournalProgress, after: JournalProgress) =>
  after.entriesRead > before.entriesRead ||
  after.missing.length < before.missing.length ||
  JSON.stringify(after.cursors) !== JSON.stringify(before.cursors);

export async function verifyInBackground(deps: BackgroundDeps, options: BackgroundRunOptions): Promise<BackgroundRunResult> {
  const target = deps.config.region;
  const source = peerOf(deps.config, target);
  const started = deps.clock().getTime();
  const result = (outcome: BackgroundRunResult['outcome'], rest: Partial<BackgroundRunResult> & Pick<BackgroundRunResult, 'detail'>) => ({
    source,
    target,
    outcome,
    since: null,
    until: null,
    entriesRead: 0,
    missing: 0,
    verifiedThrough: null,
    behindSeconds: null,
    ...rest,
  });

  let saved: SavedVerification;
  if (options.dryRun) {
    saved = await deps.verificationRuns.peek(source, target);
  } else {
    const claim = await deps.verificationRuns.claim(source, target, options.runId, started, started + options.leaseMs);
    if (!claim.claimed) return result('busy', { detail: `another run is verifying ${source}>${target}` });
    saved = claim;
  }

  let progress: JournalProgress | null = saved.progress;
  let recorded: string | undefined;
  try {
    const lastVerified = await deps.verifiedPoints.latestVerified(source, target);
    const until = backgroundUntil(started, {
      writerTimeoutMs: deps.config.writerTimeoutMs,
      clockSkewMarginMs: deps.config.clockSkewMarginMs,
    });
    const plan = planBackgroundRun({
      saved: saved.progress,
      recordedThrough: saved.recordedThrough,
      lastVerified,
      now: started,
      until,
      retentionSeconds: JOURNAL_RETENTION_SECONDS,
    });
    if (plan.action === 'up-to-date') {
      progress = null;
      return result('up-to-date', {
        verifiedThrough: lastVerified,
        behindSeconds: behindSeconds(lastVerified, started),
        detail: plan.reason,
      });
    }
    progress = plan.progress;
    const readBefore = progress.entriesRead;
    const deadline = started + options.budgetMs;
    for (;;) {
      const before: JournalProgress = progress;
      const remaining = Math.max(0, deadline - deps.clock().getTime());
      progress = await advanceJournal(deps, before, source, target, Math.min(JOURNAL_BUDGET_MS, remaining));
      // Missing writes that did not arrive since the last look wait for the next run.
      if (progress.complete || deps.clock().getTime() >= deadline || !advanced(before, progress)) break;
    }
    const entriesRead = progress.entriesRead - readBefore;
    const proof = describeJournal(progress, target);
    const common = { since: progress.since, until: progress.until, entriesRead, missing: progress.missing.length };
    if (progress.complete && progress.verifiedThrough) {
      const through = progress.verifiedThrough;
      if (!options.dryRun) {
        await deps.verifiedPoints.recordVerified(source, target, through, options.runId);
        recorded = through;
      }
      progress = null;
      const point = options.dryRun ? lastVerified : through > (lastVerified ?? '') ? through : lastVerified;
      return result('verified', { ...common, verifiedThrough: point, behindSeconds: behindSeconds(point, started), detail: proof });
    }
    return result('in-progress', {
      ...common,
      verifiedThrough: lastVerified,
      behindSeconds: behindSeconds(lastVerified, started),
      detail: proof,
    });
  } finally {
    // Saved whatever happened, so that the next run carries on (or starts afresh) at once.
    if (!options.dryRun) {
      await deps.verificationRuns.release(source, target, options.runId, {
        progress,
        ...(recorded === undefined ? {} : { recordedThrough: recorded }),
      });
    }
  }
}
