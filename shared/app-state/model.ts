// The application state: which region serves writes, and whether writes are paused while
// the regions switch. Pure: no I/O. The DynamoDB store (./store.ts), the write gate, the
// state API and the runbooks all decide from these functions.
import { IllegalTransition } from './errors';

export type AppStateName = 'active' | 'fenced' | 'failover';

export const APP_STATE_NAMES: readonly AppStateName[] = ['active', 'fenced', 'failover'];

export interface AppState {
  appId: string;
  state: AppStateName;
  /** The region that serves writes in `active`/`failover`, and the one that did before the fence in `fenced`. */
  activeRegion: string;
  primaryRegion: string;
  secondaryRegion: string;
  /** Bumped by exactly 1 on every transition: the fencing token a conditional write compares. */
  version: number;
  /** ISO 8601. */
  updatedAt: string;
  updatedBy: string;
  reason: string;
  /**
   * Who set the fence, while `fenced` (null otherwise): an automatic run never resumes or lifts a
   * fence it did not set (RUNBOOK.md, "The fence's owner").
   */
  fence: FenceOwner | null;
  /**
   * ISO 8601, or null: the region that became writable accepts writes only from then on, once
   * every write lease the region it replaces could still hold has ended (docs/fencing.md).
   */
  writesResumeAt: string | null;
}

export interface FenceOwner {
  requestedBy: string;
  /** The runbook execution that set it, when a runbook did. */
  executionId: string | null;
  automatic: boolean;
}

export interface AppIdentity {
  appId: string;
  primaryRegion: string;
  secondaryRegion: string;
}

export interface TransitionOptions {
  /** Allows active → failover without a fence, for when the primary cannot be reached to fence it. */
  ungraceful?: boolean;
}

/**
 * The edges of the state machine. `ungraceful` edges exist only when the caller says so: a
 * planned failover always fences first, so that no write lands in the region being left.
 */
const EDGES: Record<AppStateName, Partial<Record<AppStateName, 'always' | 'ungraceful'>>> = {
  active: { fenced: 'always', failover: 'ungraceful' },
  fenced: { active: 'always', failover: 'always' },
  failover: { fenced: 'always' },
};

/**
 * Which region becomes the active one when a state is entered. `fenced` keeps the current one,
 * so that lifting a fence returns to where writes were, and the store can write it without
 * reading first.
 */
export const ACTIVE_REGION_ON_ENTERING: Readonly<Record<AppStateName, 'primary' | 'secondary' | 'unchanged'>> = {
  active: 'primary',
  failover: 'secondary',
  fenced: 'unchanged',
};

/** The state when nothing has been recorded yet: active in the primary, at the virtual version 0. */
export function initialAppState(app: AppIdentity): AppState {
  return {
    appId: app.appId,
    state: 'active',
    activeRegion: app.primaryRegion,
    primaryRegion: app.primaryRegion,
    secondaryRegion: app.secondaryRegion,
    version: 0,
    updatedAt: new Date(0).toISOString(),
    updatedBy: 'initial',
    reason: 'No state recorded yet',
    fence: null,
    writesResumeAt: null,
  };
}

export function isLegalTransition(from: AppStateName, to: AppStateName, options: TransitionOptions = {}): boolean {
  const edge = EDGES[from][to];
  return edge === 'always' || (edge === 'ungraceful' && options.ungraceful === true);
}

export function assertLegalTransition(from: AppStateName, to: AppStateName, options: TransitionOptions = {}): void {
  if (!isLegalTransition(from, to, options)) throw new IllegalTransition(from, to);
}

export function activeRegionAfter(current: Pick<AppState, 'activeRegion' | 'primaryRegion' | 'secondaryRegion'>, to: AppStateName): string {
  switch (ACTIVE_REGION_ON_ENTERING[to]) {
    case 'primary':
      return current.primaryRegion;
    case 'secondary':
      return current.secondaryRegion;
    case 'unchanged':
      return current.activeRegion;
  }
}

export interface TransitionRequest extends TransitionOptions {
  to: AppStateName;
  updatedBy: string;
  reason: string;
  now: Date;
  /** Required when entering `fenced`: who sets the fence. */
  fence?: FenceOwner;
  /** When the newly writable region may accept writes (default: at once). */
  writesResumeAt?: Date;
}

/** The state after a legal transition (version + 1); throws IllegalTransition otherwise. */
export function nextAppState(current: AppState, request: TransitionRequest): AppState {
  assertLegalTransition(current.state, request.to, request);
  return {
    ...current,
    state: request.to,
    activeRegion: activeRegionAfter(current, request.to),
    version: current.version + 1,
    updatedAt: request.now.toISOString(),
    updatedBy: request.updatedBy,
    reason: request.reason,
    fence: request.to === 'fenced' ? (request.fence ?? null) : null,
    writesResumeAt: request.to !== 'fenced' && request.writesResumeAt ? request.writesResumeAt.toISOString() : null,
  };
}

/** The region that accepts writes now, or null while fenced. */
export function writableRegion(state: AppState): string | null {
  return state.state === 'fenced' ? null : state.activeRegion;
}

export function canWrite(state: AppState, region: string): boolean {
  return writableRegion(state) === region;
}

export type WriteRefusal =
  | { code: 'WRITES_FENCED' }
  | { code: 'WRONG_REGION'; writableRegion: string }
  | { code: 'WRITES_RESUMING'; resumeAt: Date };

/** Why a write in `region` at `now` must be refused, or undefined when it may proceed. */
export function writeRefusal(state: AppState, region: string, now: Date): WriteRefusal | undefined {
  const writable = writableRegion(state);
  if (writable === null) return { code: 'WRITES_FENCED' };
  if (writable !== region) return { code: 'WRONG_REGION', writableRegion: writable };
  if (state.writesResumeAt !== null) {
    const resumeAt = new Date(state.writesResumeAt);
    if (now.getTime() < resumeAt.getTime()) return { code: 'WRITES_RESUMING', resumeAt };
  }
  return undefined;
}
