// Whether and how a step moves the application state. The steps read the state fresh from the
// replica they will write, ask these functions, then make the conditional write (expected state
// AND version). A step retried after its write succeeded (lost response, Lambda retry) finds
// its own write, recognised by the execution name in updatedBy, and does not fail on it.
import type { AppStateName, Refusal, StateSnapshot } from '../model';
import { refusal } from './safety-rules';

export type TransitionDecision =
  | { kind: 'transition'; from: AppStateName; to: AppStateName; expectedVersion: number; ungraceful: boolean }
  | { kind: 'already-done'; version: number }
  | { kind: 'refuse'; refusal: Refusal };

/** `updatedBy` of every state write a runbook makes: who asked, and which execution wrote it. */
export function actorOf(requestedBy: string, executionName: string): string {
  return `${requestedBy} (runbook ${executionName})`;
}

export function writtenBy(state: StateSnapshot, executionName: string): boolean {
  return state.updatedBy.endsWith(`(runbook ${executionName})`);
}

function versionCheck(state: StateSnapshot, expectedVersion: number | null): Refusal | null {
  if (expectedVersion === null || expectedVersion === state.version) return null;
  return refusal(
    'expected-version',
    'StaleStateVersion',
    `The state changed since this run read it: expected version ${expectedVersion}, found ${state.version} (${state.state}, by ${state.updatedBy}).`,
  );
}

/**
 * Fence: active or failover → fenced. Lift: fenced → the state it fenced (active when the
 * primary is the active region, failover when the secondary is), so a failover stopped at its
 * gate can be abandoned without touching any data.
 */
export function decideFence(args: {
  action: 'fence' | 'lift';
  state: StateSnapshot;
  expectedVersion: number | null;
  executionName: string;
}): TransitionDecision {
  const { state } = args;
  const target: AppStateName = args.action === 'fence' ? 'fenced' : state.activeRegion === state.primaryRegion ? 'active' : 'failover';
  if (state.state === target && writtenBy(state, args.executionName)) return { kind: 'already-done', version: state.version };
  if (args.action === 'fence' && state.state === 'fenced') {
    return {
      kind: 'refuse',
      refusal: refusal('fence-allowed', 'IllegalRunbookState', `Already fenced (version ${state.version}, by ${state.updatedBy}).`),
    };
  }
  if (args.action === 'lift' && state.state !== 'fenced') {
    return {
      kind: 'refuse',
      refusal: refusal('lift-allowed', 'IllegalRunbookState', `Nothing to lift: the state is ${state.state}, not fenced.`),
    };
  }
  const stale = versionCheck(state, args.expectedVersion);
  if (stale) return { kind: 'refuse', refusal: stale };
  return { kind: 'transition', from: state.state, to: target, expectedVersion: state.version, ungraceful: false };
}

/**
 * Promotion, in the replica of the region being activated:
 *  - to `failover`: from `fenced` (the fence this run set, visible here: `requiredVersion`), or,
 *    for an ungraceful failover only, straight from `active` when the fence could not be set or
 *    has not replicated yet;
 *  - to `active` (failback): from `fenced` with the secondary named active.
 * Anything else leaves the state as it is (fenced): never half-promoted.
 */
export function decidePromotion(args: {
  state: StateSnapshot;
  to: 'failover' | 'active';
  ungracefulAllowed: boolean;
  requiredVersion: number | null;
  executionName: string;
}): TransitionDecision {
  const { state, to } = args;
  if (state.state === to && writtenBy(state, args.executionName)) return { kind: 'already-done', version: state.version };
  const leaving = to === 'failover' ? state.primaryRegion : state.secondaryRegion;
  if (state.state === 'fenced' && state.activeRegion === leaving) {
    if (args.requiredVersion !== null && state.version !== args.requiredVersion) {
      return {
        kind: 'refuse',
        refusal: refusal(
          'promote-from-own-fence',
          'StaleStateVersion',
          `The fence this run relies on is version ${args.requiredVersion}, but the state is at version ${state.version} (by ${state.updatedBy}): not promoting.`,
        ),
      };
    }
    return { kind: 'transition', from: 'fenced', to, expectedVersion: state.version, ungraceful: false };
  }
  if (to === 'failover' && args.ungracefulAllowed && state.state === 'active' && state.activeRegion === state.primaryRegion) {
    return { kind: 'transition', from: 'active', to, expectedVersion: state.version, ungraceful: true };
  }
  return {
    kind: 'refuse',
    refusal: refusal(
      'promote-allowed',
      'IllegalRunbookState',
      `Cannot promote to ${to}: the state here is ${state.state} with ${state.activeRegion} active (version ${state.version}, by ${state.updatedBy}).`,
    ),
  };
}
