// Replication-gate steps: WriteMarkers (one round of markers in the region being left) and
// CheckReplication (one look at the target replica). The ASL loops them with a Wait state; the
// deadline set by the first round bounds the whole gate.
import { evaluateReplicationGate, startGateRound } from '../decisions/replication-gate';
import { IllegalRunbookState, ReplicationGateTimeout } from '../errors';
import type { GateProgress, RunbookDocument } from '../model';
import type { RunbookDeps } from './ports';
import { executeStep } from './run-step';

const INNER_POLL_MS = 1_000;
const INNER_POLL_INTERVAL_MS = 100;

type GateDeps = Pick<RunbookDeps, 'config' | 'clock' | 'markers' | 'parameters' | 'stateIn' | 'reports'>;
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

export async function writeGateMarkers(deps: GateDeps, doc: GateDoc): Promise<GateProgress> {
  return executeStep(deps, doc, 'WriteMarkers', async () => {
    const plan = doc.plan?.gate;
    if (!plan) throw new IllegalRunbookState('The replication gate was reached without a gate in the plan');
    const now = deps.clock();
    const progress = startGateRound({
      previous: doc.gate,
      plan,
      phase: doc.gate?.phase ?? 'final',
      executionName: doc.run.executionName,
      now: now.getTime(),
      maxLagSeconds: await maxLagSeconds(deps),
      requiredVersion: requiredVersion(doc),
    });
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
    // Looks again every 100 ms for up to a second before handing back to the state machine's Wait:
    // the measured lag is only as fine as the polling, and a Wait state is at least a second.
    const started = deps.clock().getTime();
    const lag = await maxLagSeconds(deps);
    let next: GateProgress = progress;
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
      if (next.status !== 'waiting' || deps.clock().getTime() - started >= INNER_POLL_MS) break;
      await new Promise((resolve) => setTimeout(resolve, INNER_POLL_INTERVAL_MS));
    }
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
