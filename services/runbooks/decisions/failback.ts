import type { Refusal, RegionHealth, RunbookPlan, StateSnapshot } from '../model';
import { applyForce, refusal, staleVersionRefusal, verdictOf } from './safety-rules';

export interface FailbackPreconditions {
  /** Where this execution runs: a failback runs in the region it re-activates (the primary). */
  region: string;
  primaryRegion: string;
  secondaryRegion: string;
  automatic: boolean;
  force: boolean;
  expectedVersion: number | null;
  /** An operator vouches for the primary's health because no probe record says it. */
  primaryHealthConfirmed: boolean;
  /** As the primary's replica shows it. */
  state: StateSnapshot;
  primaryHealth: RegionHealth;
  now: Date;
  thresholds: { primaryHealthySecondsBeforeFailback: number; drainSeconds: number; gateTimeoutSeconds: number; gatePollSeconds: number };
}

/** The primary must have been healthy, by its own probe, for the configured period. */
export function primaryReadiness(
  p: Pick<FailbackPreconditions, 'primaryRegion' | 'primaryHealth' | 'primaryHealthConfirmed' | 'now' | 'thresholds'>,
): { refusal: Refusal | null; warning: string | null } {
  const { primaryHealth: health } = p;
  const needed = p.thresholds.primaryHealthySecondsBeforeFailback;
  if (health.status === 'unknown') {
    if (p.primaryHealthConfirmed) {
      return {
        refusal: null,
        warning: `No probe reports the health of ${p.primaryRegion} (${health.detail}); the operator confirmed it instead.`,
      };
    }
    return {
      refusal: refusal(
        'primary-healthy-for-period',
        'PrimaryNotReady',
        `No probe reports the health of ${p.primaryRegion} (${health.detail}). Check it has been healthy for ${needed} s, then run again with primaryHealthConfirmed (CLI: --primary-healthy).`,
      ),
      warning: null,
    };
  }
  if (health.status === 'unhealthy') {
    return {
      refusal: refusal(
        'primary-healthy-for-period',
        'PrimaryNotReady',
        `${p.primaryRegion} reports itself unhealthy (${health.detail}).`,
        true,
      ),
      warning: null,
    };
  }
  const since = health.healthySince ? Date.parse(health.healthySince) : Number.NaN;
  const healthyFor = Number.isNaN(since) ? 0 : (p.now.getTime() - since) / 1000;
  if (healthyFor < needed) {
    return {
      refusal: refusal(
        'primary-healthy-for-period',
        'PrimaryNotReady',
        `${p.primaryRegion} has been healthy for ${Math.max(0, Math.floor(healthyFor))} s; failback needs ${needed} s.`,
        true,
      ),
      warning: null,
    };
  }
  return { refusal: null, warning: null };
}

/**
 * Failback: replication secondary → primary caught up (gate, catch-up phase) → stranded-write
 * reconciliation → fence the secondary → drain → gate again (final) → `active` in the primary.
 * Never automatic. A run that finds the secondary already fenced resumes after the fence.
 */
export function decideFailback(p: FailbackPreconditions): RunbookPlan {
  const refusals: Refusal[] = [];
  const warnings: string[] = [];
  const { state } = p;

  if (p.automatic) {
    refusals.push(
      refusal('never-automatic', 'FailbackNeverAutomatic', 'Failback is never automatic: a human starts it after checking the primary.'),
    );
  }
  if (p.region !== p.primaryRegion) {
    refusals.push(
      refusal(
        'run-in-target-region',
        'WrongRegion',
        `A failback runs in the region it re-activates (${p.primaryRegion}), not in ${p.region}: start it there.`,
      ),
    );
  }

  const fencedForFailback = state.state === 'fenced' && state.activeRegion === p.secondaryRegion;
  const canStart = (state.state === 'failover' && state.activeRegion === p.secondaryRegion) || fencedForFailback;
  if (!canStart) {
    const why =
      state.state === 'active'
        ? `the primary ${state.activeRegion} is already active`
        : state.state === 'fenced'
          ? `a failover stopped at its fence (${state.activeRegion} still named active): resume it with failover, or lift the fence`
          : `the active region is ${state.activeRegion}`;
    refusals.push(refusal('state-allows-failback', 'IllegalRunbookState', `Cannot fail back: ${why}.`));
  }

  const stale = staleVersionRefusal(state, p.expectedVersion);
  if (stale) refusals.push(stale);

  const readiness = primaryReadiness(p);
  if (readiness.refusal) refusals.push(readiness.refusal);
  if (readiness.warning) warnings.push(readiness.warning);
  if (fencedForFailback)
    warnings.push(`The secondary is already fenced (version ${state.version}): resuming a failback that stopped after its fence.`);

  const { standing, overridden } = applyForce(refusals, p.force && !p.automatic);
  const steps: RunbookPlan['steps'] = canStart
    ? { fence: !fencedForFailback, bestEffortFence: false, gate: true, reconcile: true, promote: true }
    : { fence: false, bestEffortFence: false, gate: false, reconcile: false, promote: false };

  return {
    runbook: 'failback',
    verdict: verdictOf(standing),
    fromState: state.state,
    fromVersion: state.version,
    activeRegion: state.activeRegion,
    steps,
    fence: steps.fence ? { region: p.secondaryRegion, bestEffort: false, expectedVersion: state.version } : null,
    gate: steps.gate
      ? {
          sourceRegion: p.secondaryRegion,
          targetRegion: p.primaryRegion,
          timeoutSeconds: p.thresholds.gateTimeoutSeconds,
          pollSeconds: p.thresholds.gatePollSeconds,
        }
      : null,
    promote: steps.promote ? { to: 'active', region: p.primaryRegion, ungraceful: false } : null,
    drainSeconds: p.thresholds.drainSeconds,
    refusals: standing,
    overrides: overridden,
    warnings,
  };
}
