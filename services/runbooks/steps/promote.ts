// Promotion: one conditional write in the replica of the region being activated. Before a
// failover promotion, the watermark is recorded: the version this promotion writes (writes
// admitted under an older one were the old primary's) and up to when the old primary's writes
// were verified here (the gate's journal proof, or the last verified point for an ungraceful
// run). No table is read for it: promotion takes as long with a million items as with ten.
// Refusals leave the state as it was (fenced): a run never half-promotes.
import { actorOf, decidePromotion, type TransitionDecision, writtenBy } from '../decisions/transitions';
import { IllegalRunbookState, refusalError, StaleStateVersion, TransitionRejected } from '../errors';
import type { PromotionResult, RunbookDocument, StateSnapshot, WatermarkRecord } from '../model';
import type { RunbookDeps } from './ports';
import { recordTransition } from './record-transition';
import { executeStep, type StepOutput } from './run-step';

type PromoteDeps = Pick<
  RunbookDeps,
  'config' | 'clock' | 'stateIn' | 'stateForPromotion' | 'watermarks' | 'verifiedPoints' | 'audit' | 'notifier' | 'reports'
>;

/**
 * An ungraceful failover's best-effort fence may reach this replica between the read and the
 * write; when what changed underneath is this run's own write, decide again on the new state.
 */
const ATTEMPTS = 3;

/**
 * An ungraceful failover whose best-effort fence did reach the old primary promotes on top of
 * that fence once it has replicated here: a successor version both regions agree on. Promoting
 * from `active` instead would give two different states the same version, and the fence, if it
 * replicated later, could win last-writer-wins and undo the promotion. Bounded: a fence that has
 * not arrived by then means replication is down, and the run promotes from `active`.
 */
export const OWN_FENCE_WAIT_MS = 5_000;
const POLL_MS = 200;

async function ownFenceVisible(store: ReturnType<RunbookDeps['stateIn']>, version: number, clock: () => Date): Promise<boolean> {
  const deadline = clock().getTime() + OWN_FENCE_WAIT_MS;
  for (;;) {
    if ((await store.get()).version >= version) return true;
    if (clock().getTime() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function recordWatermark(
  deps: PromoteDeps,
  doc: RunbookDocument,
  region: string,
  promotedAt: string,
  promotedVersion: number,
): Promise<WatermarkRecord> {
  const { primaryRegion } = deps.config;
  const proven = doc.gate?.phase === 'final' && doc.gate.status === 'passed' ? (doc.gate.journal?.verifiedThrough ?? null) : null;
  const verifiedThrough = proven ?? (await deps.verifiedPoints.latestVerified(primaryRegion, region));
  const watermark: WatermarkRecord = {
    promotedAt,
    executionId: doc.run.executionId,
    mode: doc.run.mode ?? 'planned',
    promotedVersion,
    verifiedThrough,
  };
  await deps.watermarks.save(watermark, doc.run.executionName);
  return watermark;
}

export async function promote(deps: PromoteDeps, doc: RunbookDocument): Promise<PromotionResult> {
  return executeStep(deps, doc, 'Promote', async () => {
    const target = doc.plan?.promote;
    if (!target) throw new IllegalRunbookState('Promotion was reached without a promotion in the plan');
    const store = deps.stateIn(target.region);
    const { fence } = doc;
    const ownFence = fence?.bestEffort && fence.outcome === 'fenced' && fence.version !== null ? fence.version : null;
    const buildOnFence = ownFence !== null && (await ownFenceVisible(store, ownFence, deps.clock));
    for (let attempt = 1; ; attempt += 1) {
      const state = await store.get();
      const decision = decidePromotion({
        state,
        to: target.to === 'active' ? 'active' : 'failover',
        ungracefulAllowed: target.ungraceful && !buildOnFence,
        requiredVersion: doc.gate?.requiredVersion ?? (buildOnFence ? ownFence : null),
        executionName: doc.run.executionName,
      });
      try {
        return await apply(deps, doc, state, decision);
      } catch (error) {
        const raced = error instanceof StaleStateVersion || error instanceof TransitionRejected;
        if (!raced || attempt >= ATTEMPTS) throw error;
        if (!writtenBy(await store.get(), doc.run.executionName)) throw error;
      }
    }
  });
}

/**
 * The drain end of this run's best-effort fence, when the state being promoted is that fence
 * (same version, still fenced): no write of the region it fenced can land after it.
 */
function ownFenceDrain(doc: RunbookDocument, state: StateSnapshot): Date | null {
  const { fence } = doc;
  if (!fence?.bestEffort || fence.outcome !== 'fenced' || !fence.drainUntil) return null;
  if (state.state !== 'fenced' || state.version !== fence.version) return null;
  return new Date(fence.drainUntil);
}

/** Did this run set the fence itself and wait out its drain? */
function drainedByThisRun(doc: RunbookDocument): boolean {
  const { fence } = doc;
  return fence !== undefined && fence !== null && !fence.bestEffort && (fence.outcome === 'fenced' || fence.outcome === 'already-done');
}

/** The end of every write lease another region could hold at `committedBy`: + the lease + the clock-skew margin. */
function leaseWaitFrom(deps: Pick<PromoteDeps, 'config'>, committedBy: Date): Date {
  return new Date(committedBy.getTime() + deps.config.writeLeaseMs + deps.config.clockSkewMarginMs);
}

async function apply(
  deps: PromoteDeps,
  doc: RunbookDocument,
  initial: StateSnapshot,
  decision: TransitionDecision,
): Promise<StepOutput<PromotionResult>> {
  let state = initial;
  const { run, plan } = doc;
  const target = plan?.promote as NonNullable<NonNullable<RunbookDocument['plan']>['promote']>;
  const lagSeenMs = doc.gate?.lagMs ?? null;
  if (decision.kind === 'refuse') throw refusalError(decision.refusal.error, decision.refusal.message);

  if (decision.kind === 'already-done') {
    // A retry after the write succeeded: make sure the watermark and the audit record exist.
    // The state no longer says where it came from: an ungraceful run without a fence of its own promoted from active.
    const ownFence = doc.fence?.outcome === 'fenced' || doc.fence?.outcome === 'already-done' || plan?.fromState === 'fenced';
    const from = target.ungraceful && !ownFence ? 'active' : 'fenced';
    let watermark = await deps.watermarks.latest();
    if (target.to === 'failover' && watermark?.executionId !== run.executionId) {
      watermark = await recordWatermark(deps, doc, target.region, state.updatedAt, state.version);
    }
    const ungraceful = from === 'active';
    // The first attempt's write may have committed after it was abandoned: hold writes for a
    // lease counted from now, which is after that commit (docs/fencing.md).
    if (target.ungraceful && target.to === 'failover') {
      state = await deps.stateIn(target.region).holdWritesUntil(state.version, leaseWaitFrom(deps, deps.clock()));
    }
    const { notified } = await recordTransition(deps, { run, plan, from, after: state, writtenIn: target.region, ungraceful, lagSeenMs });
    return {
      result: {
        from,
        to: state.state,
        region: target.region,
        version: state.version,
        ungraceful,
        at: state.updatedAt,
        watermark: target.to === 'failover' ? watermark : null,
        notified,
      },
      outcome: 'already-done',
      detail: `already ${state.state} by this run (v${state.version})`,
    };
  }

  const now = deps.clock();
  // Recorded before the write, so no retry can promote without one. The region being activated
  // accepts no writes before this promotion: what it holds now is what it will have received.
  // The transition raises the version by exactly one (shared/app-state/model.ts).
  const watermark =
    target.to === 'failover' ? await recordWatermark(deps, doc, target.region, now.toISOString(), decision.expectedVersion + 1) : null;
  const sentAt = deps.clock();
  const after = await deps.stateForPromotion(target.region).transition({
    expectedState: decision.from,
    expectedVersion: decision.expectedVersion,
    to: decision.to,
    ungraceful: decision.ungraceful,
    updatedBy: actorOf(run.requestedBy, run.executionName),
    reason: run.reason,
    now,
    // An ungraceful run did not drain the region it replaces: that region may still hold a write
    // lease, so the promoted region takes writes only once it has ended. The write is abandoned
    // after stateWriteTimeoutMs, so if it succeeds it committed before sentAt + that.
    // A planned run that did not fence (it resumes a fence set earlier) did not drain either: its
    // wait counts from that fence's write, and has usually passed already.
    // When this run's own best-effort fence landed and the state is still at it, every write the
    // old region admitted has ended by that fence's drainUntil (acknowledged + lease + margin),
    // as after a planned drain: the promoted region resumes from there, usually at once.
    ...(target.ungraceful
      ? { writesResumeAt: ownFenceDrain(doc, state) ?? leaseWaitFrom(deps, new Date(sentAt.getTime() + deps.config.stateWriteTimeoutMs)) }
      : drainedByThisRun(doc)
        ? {}
        : { writesResumeAt: leaseWaitFrom(deps, new Date(Date.parse(state.updatedAt) + deps.config.stateWriteTimeoutMs)) }),
  });
  const { notified } = await recordTransition(deps, {
    run,
    plan,
    from: decision.from,
    after,
    writtenIn: target.region,
    ungraceful: decision.ungraceful,
    lagSeenMs,
  });
  return {
    result: {
      from: decision.from,
      to: after.state,
      region: target.region,
      version: after.version,
      ungraceful: decision.ungraceful,
      at: after.updatedAt,
      watermark,
      notified,
    },
    outcome: 'promoted',
    detail:
      `${target.region}: ${decision.from} -> ${after.state} v${after.version}${decision.ungraceful ? ' (ungraceful)' : ''}` +
      `${lagSeenMs !== null ? `, replication lag seen ${lagSeenMs} ms` : ''}${notified ? '' : ' (notification not sent)'}`,
  };
}
