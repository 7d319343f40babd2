// Replication-gate steps: WriteMarkers (one round of markers in the region being left) and
// CheckReplication (one look at the target replica). The ASL loops them with a Wait state; the
// deadline set by the first round bounds the whole gate. Markers are the fast first check; the
// gate passes only once every write journalled in the region being left since the last verified
// point is in the target (decisions/journal-verification.ts), and then moves that point.
import { JOURNAL_RETENTION_SECONDS } from '../../../shared/write-journal/model';
import { describeJournal, type JournalProgress, startJournalVerification, verificationStart } from '../decisions/journal-verification';
import { evaluateReplicationGate, startGateRound } from '../decisions/replication-gate';
import { IllegalRunbookState, ReplicationGateTimeout } from '../errors';
import type { GateProgress, RunbookDocument } from '../model';
import { advanceJournal } from './journal-check';
import type { RunbookDeps } from './ports';
import { executeStep } from './run-step';

const INNER_POLL_MS = 1_000;
const INNER_POLL_INTERVAL_MS = 100;

type GateDeps = Pick<RunbookDeps, 'config' | 'clock' | 'markers' | 'stateIn' | 'reports' | 'journal' | 'objects' | 'verifiedPoints'>;
/**
 * WriteMarkers reads its round's lag threshold (SSM) and no photo object; CheckReplication judges
 * by that threshold and proves the journal, photo objects included (S3): each function carries
 * one of the two clients.
 */
type MarkerDeps = Omit<GateDeps, 'objects' | 'journal' | 'stateIn'> & Pick<RunbookDeps, 'parameters'>;
/** The ASL seeds `$.gate` with `{ phase }` before the first round. */
type GateDoc = RunbookDocument & { gate?: Partial<GateProgress> & Pick<GateProgress, 'phase'> };

async function maxLagSeconds(deps: Pick<RunbookDeps, 'parameters' | 'config'>): Promise<number> {
  return (await deps.parameters.maxReplicationLagSeconds().catch(() => null)) ?? deps.config.defaultMaxReplicationLagSeconds;
}

/** The fence version the target must show before promotion (final phase of a real run only). */
function requiredVersion(doc: GateDoc): number | null {
  if (doc.run.dryRun || doc.gate?.phase !== 'final') return null;
  const { fence, plan } = doc;
  if (fence && !fence.bestEffort && fence.action === 'fence' && (fence.outcome === 'fenced' || fence.outcome === 'already-done'))
    return fence.version;
  return plan?.fromState === 'fenced' ? plan.fromVersion : null;
}

export async function writeGateMarkers(deps: MarkerDeps, doc: GateDoc): Promise<GateProgress> {
  return executeStep(deps, doc, 'WriteMarkers', async () => {
    const plan = doc.plan?.gate;
    if (!plan) throw new IllegalRunbookState('The replication gate was reached without a gate in the plan');
    const now = deps.clock();
    const round = startGateRound({
      previous: doc.gate,
      plan,
      phase: doc.gate?.phase ?? 'final',
      executionName: doc.run.executionName,
      now: now.getTime(),
      maxLagSeconds: await maxLagSeconds(deps),
      requiredVersion: requiredVersion(doc),
    });
    // A new round of markers (remeasure) keeps the journal check where it was.
    const journal: JournalProgress =
      round.round > 1 && doc.gate?.journal
        ? doc.gate.journal
        : startJournalVerification({
            since: verificationStart(
              await deps.verifiedPoints.latestVerified(plan.sourceRegion, plan.targetRegion),
              now.getTime(),
              JOURNAL_RETENTION_SECONDS,
            ),
            // Catch-up: the source still takes writes; what it acknowledged before now is the gate's.
            until: round.phase === 'catch-up' ? now.toISOString() : null,
          });
    const progress = { ...round, journal };
    await deps.markers.write(plan.sourceRegion, progress.markerId, now.toISOString());
    return {
      result: progress,
      outcome: `round-${progress.round}`,
      detail: `${progress.phase} gate: markers written in ${plan.sourceRegion}, waiting for them in ${plan.targetRegion} (until ${new Date(progress.deadline).toISOString()})`,
      record: progress.round === 1,
    };
  });
}

export async function checkReplicationGate(deps: GateDeps, doc: GateDoc): Promise<GateProgress> {
  return executeStep(deps, doc, 'CheckReplication', async () => {
    const progress = doc.gate as GateProgress | undefined;
    if (!progress?.markerId) throw new IllegalRunbookState('CheckReplication ran before WriteMarkers');
    // Looks again every 100 ms for up to a second before handing back to the state machine's Wait,
    // for the markers and then for the writes still missing: the measured lag is only as fine as
    // the polling, and a Wait state is a whole second at least (Step Functions truncates less).
    const started = deps.clock().getTime();
    // The threshold WriteMarkers read for this round: a change in SSM counts from the next round
    // (a lag over the old threshold starts one, RUNBOOK.md).
    const lag = progress.maxLagSeconds;
    let next: GateProgress = progress;
    let proven = false;
    for (;;) {
      const [visible, target] = await Promise.all([
        deps.markers.visible(progress.targetRegion, progress.markerId),
        progress.requiredVersion === null ? Promise.resolve(null) : deps.stateIn(progress.targetRegion).get(),
      ]);
      next = evaluateReplicationGate(next, {
        now: deps.clock().getTime(),
        visible,
        targetVersion: target?.version ?? 0,
        maxLagSeconds: lag,
      });
      // The journal is proven once the markers passed; a proof that still misses writes looks again
      // while the second lasts (each look is bounded by JOURNAL_BUDGET_MS).
      proven = next.status === 'passed';
      if (proven) next = await proveWrites(deps, doc, next);
      if (next.status !== 'waiting' || deps.clock().getTime() - started >= INNER_POLL_MS) break;
      await new Promise((resolve) => setTimeout(resolve, INNER_POLL_INTERVAL_MS));
    }
    // Markers still on their way (or a remeasure, or the deadline): the journal is read on anyway,
    // so a long backlog is worked through while they come, and a timeout names what is missing.
    if (!proven) next = await proveWrites(deps, doc, next);
    if (next.status !== 'waiting') {
      // This round is over: its markers are not needed any more (the delete replicates too).
      await deps.markers.remove(progress.sourceRegion, progress.markerId).catch(() => undefined);
    }
    if (next.status === 'timed-out' && !doc.run.dryRun) {
      throw new ReplicationGateTimeout(
        `Replication gate (${next.phase}) timed out after ${Math.round((next.deadline - next.startedAt) / 1000)} s: ${next.reason}. The state stays fenced; see RUNBOOK.md, "When the replication gate times out".`,
      );
    }
    return {
      result: next,
      outcome: next.status,
      detail: `${next.phase} gate, round ${next.round}, check ${next.checks}: ${next.reason}`,
      record: next.status !== 'waiting',
    };
  });
}

/**
 * The markers say replication moves; the journal says whether each write arrived. The gate
 * passes only when both do; while writes are missing it waits (and lists them), and past the
 * deadline it times out with them in the reason.
 */
async function proveWrites(deps: GateDeps, doc: GateDoc, markers: GateProgress): Promise<GateProgress> {
  if (!markers.journal) return markers;
  const journal = await advanceJournal(deps, markers.journal, markers.sourceRegion, markers.targetRegion);
  const proof = describeJournal(journal, markers.targetRegion);
  const next: GateProgress = { ...markers, journal, reason: `${markers.reason}; ${proof}` };
  if (markers.status !== 'passed') return next;
  if (!journal.complete) {
    const expired = deps.clock().getTime() >= markers.deadline;
    return { ...next, status: expired ? 'timed-out' : 'waiting', reason: `markers visible, but not every write yet: ${proof}` };
  }
  if (!doc.run.dryRun && journal.verifiedThrough) {
    await deps.verifiedPoints.recordVerified(markers.sourceRegion, markers.targetRegion, journal.verifiedThrough, doc.run.executionName);
  }
  return next;
}
