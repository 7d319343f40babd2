// Fence (or lift a fence). The write goes to the replica of the region whose writers must see it
// first: the active region for the fence runbook, the primary inside a failover, the secondary
// inside a failback. The best-effort variant (ungraceful failover) never fails the run: the old
// primary is probably gone, so it tries once with a short timeout and records what happened.
import type { FenceOwner } from '../../../shared/app-state/model';
import { drainBoundMs } from '../decisions/drain';
import { actorOf, decideFence, writtenBy } from '../decisions/transitions';
import { refusalError, StaleStateVersion, TransitionRejected } from '../errors';
import type { FenceResult, RunbookDocument } from '../model';
import type { RunbookDeps } from './ports';
import { recordTransition } from './record-transition';
import { executeStep } from './run-step';

type FenceDeps = Pick<RunbookDeps, 'config' | 'clock' | 'stateIn' | 'stateInBestEffort' | 'leases' | 'audit' | 'notifier' | 'reports'>;

/**
 * The drain's end for a fence of `region` acknowledged now (decisions/drain.ts): the earlier of now
 * and the region's newest recorded lease start, + lease + margin. The record is read after the
 * fence; when it cannot be read, the bound counts from the fence.
 */
async function drainUntilAfterFence(deps: Pick<FenceDeps, 'config' | 'clock' | 'leases'>, region: string): Promise<string> {
  const acknowledgedAt = deps.clock().getTime();
  const latestLeaseStart = await deps.leases.latest(region).catch(() => null);
  return new Date(
    drainBoundMs({
      acknowledgedAt,
      latestLeaseStart,
      leaseMs: deps.config.writeLeaseMs,
      clockSkewMarginMs: deps.config.clockSkewMarginMs,
    }),
  ).toISOString();
}

export async function runFence(deps: FenceDeps, doc: RunbookDocument): Promise<FenceResult> {
  return executeStep(deps, doc, doc.plan?.fence?.bestEffort ? 'BestEffortFence' : doc.run.lift ? 'LiftFence' : 'Fence', async () => {
    const fenced = doc.plan?.fence?.bestEffort ? await bestEffortFence(deps, doc) : await fence(deps, doc);
    return { result: fenced, outcome: fenced.outcome, detail: fenced.detail };
  });
}

async function fence(deps: FenceDeps, doc: RunbookDocument): Promise<FenceResult> {
  const { run, plan } = doc;
  const action = plan ? 'fence' : run.lift ? 'lift' : 'fence';
  // Inside failover/failback the plan names the region; the fence runbook writes where the app is active.
  const region = plan?.fence?.region ?? (await deps.stateIn(deps.config.region).get()).activeRegion;
  const store = deps.stateIn(region);
  const state = await store.get();
  const expectedVersion = plan?.fence?.expectedVersion ?? run.expectedVersion;
  const decision = decideFence({ action, state, expectedVersion, executionName: run.executionName });
  const at = deps.clock().toISOString();
  // The drain ends at once unless this run's fence took effect (then: see below).
  const base = { action, region, bestEffort: false, at, drainUntil: at } as const;

  if (decision.kind === 'refuse') throw refusalError(decision.refusal.error, decision.refusal.message);
  if (decision.kind === 'already-done') {
    return {
      ...base,
      outcome: 'already-done',
      from: null,
      to: state.state,
      version: state.version,
      drainUntil: state.state === 'fenced' ? await drainUntilAfterFence(deps, region) : at,
      detail: `already ${state.state} by this run (v${state.version})`,
    };
  }
  if (run.dryRun) {
    return {
      ...base,
      outcome: action === 'fence' ? 'would-fence' : 'would-lift',
      from: decision.from,
      to: decision.to,
      version: state.version,
      detail: `would move ${region} from ${decision.from} v${state.version} to ${decision.to}`,
    };
  }
  const after = await transitionOrRecognise(
    store,
    {
      expectedState: decision.from,
      expectedVersion: decision.expectedVersion,
      to: decision.to,
      updatedBy: actorOf(run.requestedBy, run.executionName),
      reason: run.reason,
      now: deps.clock(),
      fence: fenceOwnerOf(run),
    },
    run.executionName,
  );
  // Every write admitted before the fence committed carries a lease that started by then, and by
  // the region's newest recorded lease start: the drain waits until the earlier + lease + margin.
  const drainUntil = after.state === 'fenced' ? await drainUntilAfterFence(deps, region) : at;
  const { notified } = await recordTransition(deps, {
    run,
    plan,
    from: decision.from,
    after,
    writtenIn: region,
    ungraceful: false,
    lagSeenMs: null,
  });
  return {
    ...base,
    at: after.updatedAt,
    outcome: action === 'fence' ? 'fenced' : 'lifted',
    from: decision.from,
    to: after.state,
    version: after.version,
    drainUntil,
    detail: `${region}: ${decision.from} -> ${after.state} v${after.version}${notified ? '' : ' (notification not sent)'}`,
  };
}

/** Who sets a fence: recorded with it, so an automatic run never resumes or lifts a fence it did not set. */
export function fenceOwnerOf(run: RunbookDocument['run']): FenceOwner {
  return { requestedBy: run.requestedBy, executionId: run.executionId, automatic: run.automatic };
}

/** Conditional write; if it lost, re-read: a retry of this very step may have made it already. */
export async function transitionOrRecognise(
  store: ReturnType<RunbookDeps['stateIn']>,
  command: Parameters<ReturnType<RunbookDeps['stateIn']>['transition']>[0],
  executionName: string,
) {
  try {
    return await store.transition(command);
  } catch (error) {
    if (!(error instanceof TransitionRejected) && !(error instanceof StaleStateVersion)) throw error;
    const now = await store.get();
    if (now.state === command.to && writtenBy(now, executionName)) return now;
    throw error;
  }
}

async function bestEffortFence(deps: FenceDeps, doc: RunbookDocument): Promise<FenceResult> {
  const { run, plan } = doc;
  const region = plan?.fence?.region ?? deps.config.primaryRegion;
  const at = deps.clock().toISOString();
  const base = { action: 'fence', region, bestEffort: true, at } as const;
  const store = deps.stateInBestEffort(region);
  let state: Awaited<ReturnType<typeof store.get>>;
  try {
    state = await store.get();
  } catch (error) {
    return {
      ...base,
      outcome: 'unreachable',
      from: null,
      to: null,
      version: null,
      detail: `${region} unreachable (${(error as Error).name}): not fenced`,
    };
  }
  if (state.state !== 'active' || state.activeRegion !== region) {
    return {
      ...base,
      outcome: 'skipped',
      from: state.state,
      to: null,
      version: state.version,
      detail: `${region} shows ${state.state} v${state.version}: nothing to fence`,
    };
  }
  if (run.dryRun) {
    return {
      ...base,
      outcome: 'reachable',
      from: 'active',
      to: 'fenced',
      version: state.version,
      detail: `${region} reachable: would fence v${state.version}`,
    };
  }
  try {
    const after = await transitionOrRecognise(
      store,
      {
        expectedState: 'active',
        expectedVersion: state.version,
        to: 'fenced',
        updatedBy: actorOf(run.requestedBy, run.executionName),
        reason: run.reason,
        now: deps.clock(),
        fence: fenceOwnerOf(run),
      },
      run.executionName,
    );
    // Acknowledged now: every write the fenced region admitted before it has ended by now + lease +
    // margin, or by its newest recorded lease start + lease + margin if earlier (docs/fencing.md):
    // for a region cut off since its detection began, that is already past. The promotion resumes
    // writes from this bound, not a later one.
    const drainUntil = await drainUntilAfterFence(deps, region);
    const { notified } = await recordTransition(deps, {
      run,
      plan,
      from: 'active',
      after,
      writtenIn: region,
      ungraceful: false,
      lagSeenMs: null,
    }).catch(() => ({
      notified: false,
    }));
    return {
      ...base,
      at: after.updatedAt,
      outcome: 'fenced',
      from: 'active',
      to: 'fenced',
      version: after.version,
      drainUntil,
      detail: `${region} fenced at v${after.version}${notified ? '' : ' (audit/notification not confirmed)'}`,
    };
  } catch (error) {
    return {
      ...base,
      outcome: 'failed',
      from: 'active',
      to: null,
      version: state.version,
      detail: `fencing ${region} failed (${(error as Error).name})`,
    };
  }
}
