// How a run ended, for its report, its output and the CLI: status, verdict, the error as an
// operator should see it, and the measured recovery time.
import { REFUSAL_ERRORS } from '../errors';
import type { FailureInfo, RecoveryTimes, RunbookDocument, RunStatus } from '../model';

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  /** Practice runs: would the real run have succeeded? Real runs: what happened. */
  verdict: 'succeeded' | 'failed' | 'refused' | 'would-succeed' | 'would-refuse' | 'would-fail';
  error: { name: string; message: string } | null;
  recovery: RecoveryTimes;
  summary: string;
}

const MAX_MESSAGE = 600;

/** Errors raised before anything changed: the run was refused rather than failed. */
const REFUSALS = new Set<string>([...Object.keys(REFUSAL_ERRORS), 'InvalidRunbookInput']);

/**
 * Step Functions gives a Lambda failure's Cause as the runtime's JSON ({errorType,
 * errorMessage, trace}); the local runner gives the message itself. Only the message is kept:
 * stack traces stay in the function's logs.
 */
export function describeFailure(failure: FailureInfo | undefined): { name: string; message: string } {
  const name = failure?.Error || 'RunbookStepFailed';
  let message = failure?.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // not JSON: already the message
  }
  if (name === 'States.Timeout') message = 'A step or the execution ran out of time.';
  message = message.replace(/\s+at\s.+$/s, '').trim();
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}…`;
  return { name, message: message || 'No detail given.' };
}

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? null : value;
}

export function recoveryTimes(doc: RunbookDocument, now: Date): RecoveryTimes {
  const { run, fence, promotion } = doc;
  const promotedAt = promotion?.at ?? null;
  const fencedAt = fence && (fence.outcome === 'fenced' || fence.outcome === 'already-done') && fence.action === 'fence' ? fence.at : null;
  // An ungraceful failover starts from an outage: writes stopped when it was detected, or at the latest when the run started.
  const writesStoppedAt = fencedAt ?? (promotion?.ungraceful ? (run.detectedAt ?? run.startedAt) : null);
  const stopped = ms(writesStoppedAt);
  const promoted = ms(promotedAt);
  const origin = ms(run.detectedAt) ?? ms(run.startedAt);
  return {
    writesStoppedAt,
    promotedAt,
    writeUnavailableMs: stopped !== null && promoted !== null ? Math.max(0, promoted - stopped) : null,
    recoveryTimeMs: origin !== null && promoted !== null ? Math.max(0, promoted - origin) : null,
    runDurationMs: Math.max(0, now.getTime() - (ms(run.startedAt) ?? now.getTime())),
  };
}

export function summariseOutcome(doc: RunbookDocument, now: Date): RunOutcome {
  const { run, plan, gate, reconciliation } = doc;
  const recovery = recoveryTimes(doc, now);
  if (doc.failure) {
    const error = describeFailure(doc.failure);
    // A refusal after this run already changed something (e.g. the promotion refused after its fence) is a failure.
    const changed = doc.fence?.outcome === 'fenced' || doc.fence?.outcome === 'lifted' || (doc.reconciliation?.replayed.length ?? 0) > 0;
    const refused = REFUSALS.has(error.name) && !changed && !run.dryRun;
    const status = refused ? 'refused' : 'failed';
    const verdict = run.dryRun ? (REFUSALS.has(error.name) ? 'would-refuse' : 'would-fail') : refused ? 'refused' : 'failed';
    return {
      status: run.dryRun ? 'practice' : status,
      verdict,
      error,
      recovery,
      summary: `${run.runbook} ${verdict}: ${error.name}: ${error.message}`,
    };
  }
  if (run.dryRun) {
    const blockers = [
      ...(plan?.refusals ?? []).map((r) => `${r.error}: ${r.message}`),
      ...(gate?.status === 'timed-out' ? [`ReplicationGateTimeout: ${gate.reason}`] : []),
      ...(reconciliation?.blocked ? [`UnresolvedConflicts: ${reconciliation.conflictCount} conflict(s)`] : []),
      ...(doc.fence?.outcome === 'failed' ? [`fence: ${doc.fence.detail}`] : []),
    ];
    const verdict = blockers.length === 0 ? 'would-succeed' : 'would-refuse';
    return {
      status: 'practice',
      verdict,
      error: null,
      recovery,
      summary:
        blockers.length === 0
          ? `practice ${run.runbook}: would succeed`
          : `practice ${run.runbook}: would not succeed: ${blockers.join(' | ')}`,
    };
  }
  const promoted = doc.promotion ? `, ${doc.promotion.region} ${doc.promotion.to} at version ${doc.promotion.version}` : '';
  const fenced = !doc.promotion && doc.fence ? `, ${doc.fence.outcome} in ${doc.fence.region}` : '';
  return { status: 'succeeded', verdict: 'succeeded', error: null, recovery, summary: `${run.runbook} succeeded${promoted}${fenced}` };
}
