// The background verification (steps/background-verify.ts): the replication gate's own proof
// (./journal-verification.ts), run on a schedule in each region over the peer's journal, so that
// the verified point stays close to now and a gate only proves the last minute or so. Pure: where
// a run's window ends, and whether a run carries on with the saved proof or starts a new one.
//
// Why it is safe. A verified point T claims: every write the source journalled before T is in
// the target. A gate or a failback reads on from T minus VERIFIED_POINT_MARGIN_MS and trusts the
// rest, so T must never run ahead of a write that can still appear in the source's journal with
// `at` < T. A journal entry's `at` is the writer's clock when it made the write; the entry commits
// with its item in one transaction, possibly later:
//   - every data write is sent only within a write lease (shared/app-state/write-deadline.ts), but
//     a write whose lease ran out is admitted again under a new one and keeps its stamp: the lease
//     does not bound how late a stamp commits. The writer's invocation does: the functions that
//     journal writes (the API's, provider.timeout in serverless.yml, WRITER_TIMEOUT_SECONDS here;
//     tests/template checks none has more) are stopped at their timeout, and a request sent just
//     before is in flight for at most its round trip;
//   - the clocks of the writer and of this function differ, and that flight takes time: the
//     stage's clock-skew margin (quorum.clockSkewMarginMillis, docs/fencing.md) covers both;
//   - the reconciliation's replays (steps/reconcile.ts) stamp each write just before sending it.
// So an entry stamped before now − (writer timeout + skew margin) by this function's clock has
// committed by now, or will never commit: a run whose window ends there (`until`) and whose proof
// is complete (every table read to `until`, nothing missing) may record `until`. A gate still
// re-reads the margin (a minute) before it: the bound above is the claim, the margin a second line.
// The next background window starts where the last one this verification recorded ended, without
// the margin: by the bound above that proof saw every entry stamped before its end. Re-reading a
// minute on every run would cost a minute of writes per run (locally, at a run every 6 s, ten
// times the new writes). A point some other writer moved (a gate's, whose end is its own start, not
// settled) is read on from with the margin, as a gate does (verificationStart).
// A proof with writes missing (replication in flight or stalled) is not recorded: it is saved and
// re-judged by the next run, with the same `until`. The point only moves forward (the adapter's
// conditional update), and a dry run records nothing.
import type { JournalProgress } from './journal-verification';
import { startJournalVerification, verificationStart } from './journal-verification';

export interface SettleBounds {
  /** The longest a function that journals writes runs (its Lambda timeout), ms. */
  writerTimeoutMs: number;
  /** Clocks of two functions that disagree, and a request's flight (quorum.clockSkewMarginMillis). */
  clockSkewMarginMs: number;
}

/** The end of a background run's window: every write stamped before it has committed in the source by `now`. */
export function backgroundUntil(now: number, bounds: SettleBounds): string {
  return new Date(now - bounds.writerTimeoutMs - bounds.clockSkewMarginMs).toISOString();
}

export type BackgroundPlan =
  /** Carry on with the saved proof: its cursors, its missing writes, its `until`. */
  | { action: 'continue'; progress: JournalProgress }
  /** A new proof from the last verified point (minus the margin) to `until`. */
  | { action: 'start'; progress: JournalProgress; reason: string }
  /** The verified point is already at or past `until`: nothing to prove. */
  | { action: 'up-to-date'; reason: string };

export function planBackgroundRun(args: {
  saved: JournalProgress | null;
  /** The end of the last proof this verification recorded (null: none kept). */
  recordedThrough: string | null;
  lastVerified: string | null;
  now: number;
  until: string;
  retentionSeconds: number;
}): BackgroundPlan {
  const { saved, recordedThrough, lastVerified, now, until, retentionSeconds } = args;
  const oldest = new Date(now - retentionSeconds * 1000).toISOString();
  const fresh = (reason: string): BackgroundPlan => {
    if (lastVerified !== null && lastVerified >= until) return { action: 'up-to-date', reason: `verified through ${lastVerified}` };
    // Still the point this verification recorded: its proof covered everything stamped before it.
    const own = lastVerified !== null && recordedThrough === lastVerified;
    const since = own ? (lastVerified > oldest ? lastVerified : oldest) : verificationStart(lastVerified, now, retentionSeconds);
    return { action: 'start', progress: startJournalVerification({ since, until }), reason };
  };
  if (saved === null || saved.until === null) return fresh('no proof in progress');
  // A gate (or a run) got as far already: the saved window has nothing left to add.
  if (lastVerified !== null && lastVerified >= saved.until) return fresh(`the point (${lastVerified}) is past the saved window`);
  // A window stuck for the journal's whole retention (writes that never arrive): its entries
  // expire; start again from what the journal still keeps.
  if (saved.until < oldest) return fresh(`the saved window (to ${saved.until}) is older than the journal's retention`);
  return { action: 'continue', progress: saved };
}

/** How far the run left the verified point behind its own clock, for the log. */
export function behindSeconds(through: string | null, now: number): number | null {
  return through === null ? null : Math.round((now - Date.parse(through)) / 100) / 10;
}
