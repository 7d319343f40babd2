import type { FailoverMode, Refusal, RegionHealth, RunbookPlan, StateSnapshot } from '../model';
import { applyForce, automaticRunRefusals, refusal, staleVersionRefusal, targetHealthCheck, verdictOf } from './safety-rules';

export interface FailoverPreconditions {
  /** Where this execution runs: a failover runs in the region it activates (the secondary). */
  region: string;
  primaryRegion: string;
  secondaryRegion: string;
  mode: FailoverMode;
  automatic: boolean;
  force: boolean;
  expectedVersion: number | null;
  /** As the secondary's replica shows it. */
  state: StateSnapshot;
  killSwitch: string | null;
  lastAutomaticFailoverAt: string | null;
  targetHealth: RegionHealth;
  /**
   * The primary's heartbeat in the quorum store (automatic runs read it): when it was last renewed
   * and whether that is stale, or 'unreadable' when this region cannot reach the quorum.
   */
  primaryHeartbeat: { at: string | null; stale: boolean } | 'unreadable' | null;
  now: Date;
  thresholds: { minSecondsBetweenAutoFailovers: number; drainSeconds: number; gateTimeoutSeconds: number; gatePollSeconds: number };
}

const NO_STEPS: RunbookPlan['steps'] = { fence: false, bestEffortFence: false, gate: false, reconcile: false, promote: false };

/**
 * Planned: fence the primary, drain, replication gate (primary → secondary), promote.
 * Ungraceful: best-effort fence of the primary, no gate, promote even from `active`.
 * A run that finds the state already fenced by an earlier, interrupted planned failover resumes
 * at the gate (planned) or the promotion (ungraceful).
 */
export function decideFailover(p: FailoverPreconditions): RunbookPlan {
  const refusals: Refusal[] = [];
  const warnings: string[] = [];
  const { state } = p;

  if (p.region !== p.secondaryRegion) {
    refusals.push(
      refusal(
        'run-in-target-region',
        'WrongRegion',
        `A failover runs in the region it activates (${p.secondaryRegion}), not in ${p.region}: start it there.`,
      ),
    );
  }

  const fencedForFailover = state.state === 'fenced' && state.activeRegion === p.primaryRegion;
  const canStart = (state.state === 'active' && state.activeRegion === p.primaryRegion) || fencedForFailover;
  if (!canStart) {
    const why =
      state.state === 'failover'
        ? `the application already runs in ${state.activeRegion} (failover)`
        : state.state === 'fenced'
          ? `the application is fenced with ${state.activeRegion} active: lift the fence or fail back instead`
          : `the active region is ${state.activeRegion}, not the primary ${p.primaryRegion}`;
    refusals.push(refusal('state-allows-failover', 'IllegalRunbookState', `Cannot fail over: ${why}.`));
  }

  const stale = staleVersionRefusal(state, p.expectedVersion);
  if (stale) refusals.push(stale);

  refusals.push(
    ...automaticRunRefusals({
      automatic: p.automatic,
      force: p.force,
      killSwitch: p.killSwitch,
      lastAutomaticFailoverAt: p.lastAutomaticFailoverAt,
      minSecondsBetweenAutoFailovers: p.thresholds.minSecondsBetweenAutoFailovers,
      now: p.now,
    }),
  );

  if (p.automatic && state.state === 'fenced') {
    // Whoever set it (on-call after a bad deploy, or a planned run that stopped), the fence is
    // theirs to lift or resume: an alarm does not know why it is there.
    const owner = state.fence ? `${state.fence.requestedBy}${state.fence.automatic ? ' (automatic)' : ''}` : 'an unknown owner';
    refusals.push(
      refusal(
        'automatic-never-resumes-a-fence',
        'FenceNotOwned',
        `The application is fenced by ${owner} (v${state.version}: ${state.reason}); an automatic run never resumes or lifts a fence it did not set. On-call decides: lift it, or run the failover by hand.`,
      ),
    );
  }

  if (p.automatic && p.mode === 'ungraceful') {
    const beat = p.primaryHeartbeat;
    if (beat === 'unreadable' || beat === null) {
      refusals.push(
        refusal(
          'quorum-reachable',
          'QuorumUnreachable',
          `${p.region} cannot read the primary's heartbeat from the quorum store: it is cut off from the quorum itself, so it can neither tell a dead primary from a cut link nor promote itself.`,
        ),
      );
    } else if (!beat.stale) {
      refusals.push(
        refusal(
          'primary-heartbeat-stale',
          'PrimaryStillAlive',
          `The primary renewed its heartbeat in the quorum at ${beat.at}: it is alive and reaches the quorum, so the link between the regions is cut, not the primary. No automatic failover.`,
        ),
      );
    }
  }

  const health = targetHealthCheck(p.secondaryRegion, p.targetHealth, p.automatic);
  if (health.refusal) refusals.push(health.refusal);
  if (health.warning) warnings.push(health.warning);

  const { standing, overridden } = applyForce(refusals, p.force && !p.automatic);
  const planned = p.mode === 'planned';
  if (fencedForFailover)
    warnings.push(`The state is already fenced (version ${state.version}): resuming a failover that stopped after its fence.`);

  const steps = canStart
    ? {
        ...NO_STEPS,
        fence: planned && !fencedForFailover,
        bestEffortFence: !planned && !fencedForFailover,
        gate: planned,
        promote: true,
      }
    : NO_STEPS;

  return {
    runbook: 'failover',
    verdict: verdictOf(standing),
    fromState: state.state,
    fromVersion: state.version,
    activeRegion: state.activeRegion,
    steps,
    fence: steps.fence || steps.bestEffortFence ? { region: p.primaryRegion, bestEffort: !planned, expectedVersion: state.version } : null,
    gate: steps.gate
      ? {
          sourceRegion: p.primaryRegion,
          targetRegion: p.secondaryRegion,
          timeoutSeconds: p.thresholds.gateTimeoutSeconds,
          pollSeconds: p.thresholds.gatePollSeconds,
        }
      : null,
    promote: steps.promote ? { to: 'failover', region: p.secondaryRegion, ungraceful: !planned } : null,
    drainSeconds: p.thresholds.drainSeconds,
    refusals: standing,
    overrides: overridden,
    warnings,
  };
}
