// GET /state: the application state as THIS region can vouch for it. Clients (the web app, the
// drills' load) poll it to learn where to send writes. It answers from the quorum store
// (strongly consistent); a region cut off from the quorum still answers, from the copy its own
// replica holds (an eventually consistent read, which MRSC serves in an isolated region), and
// says it is isolated and accepts no writes: a region that cannot see its peer must still serve reads.
import { type AppState, canWrite, writableRegion, writeRefusal } from '../../shared/app-state/model';
import type { AppStateStore } from '../../shared/app-state/store';

export interface StateView {
  appId: string;
  state: AppState['state'];
  activeRegion: string;
  /** Where writes go now; null while fenced. */
  writableRegion: string | null;
  version: number;
  updatedAt: string;
  /** Why the state is what it is (set by the runbook that changed it): shown to users while fenced. */
  reason: string;
  /** When the region just made writable starts taking writes (null: it does). */
  writesResumeAt: string | null;
  /** This region cannot confirm the state with the quorum: what it shows may be stale, and it takes no writes. */
  isolated: boolean;
  /** The region that answered. */
  servedBy: string;
  allowed: { read: true; write: boolean };
}

export interface GetStateDeps {
  /** This region's replica of the quorum table: read strongly consistently, and eventually consistently when the quorum cannot be reached. */
  store: Pick<AppStateStore, 'get'>;
  region: string;
  clock?: () => Date;
}

export async function getState(deps: GetStateDeps): Promise<StateView> {
  const now = (deps.clock ?? (() => new Date()))();
  let state: AppState;
  let isolated = false;
  try {
    // Strongly consistent, on every request: after a transition the next poll shows it.
    state = await deps.store.get({ consistent: true });
  } catch {
    state = await deps.store.get({ consistent: false });
    isolated = true;
  }
  const writable = !isolated && canWrite(state, deps.region) && writeRefusal(state, deps.region, now) === undefined;
  return {
    appId: state.appId,
    state: state.state,
    activeRegion: state.activeRegion,
    writableRegion: writableRegion(state),
    version: state.version,
    updatedAt: state.updatedAt,
    reason: state.reason,
    writesResumeAt: state.writesResumeAt,
    isolated,
    servedBy: deps.region,
    allowed: { read: true, write: writable },
  };
}

/**
 * The view changes exactly when the version, the isolation or the write permission does, per
 * region (servedBy and allowed.write differ between regions), so these make a strong validator.
 */
export function stateEtag(view: Pick<StateView, 'version' | 'servedBy' | 'isolated' | 'allowed'>): string {
  return `"v${view.version}-${view.servedBy}${view.isolated ? '-isolated' : ''}${view.allowed.write ? '-w' : ''}"`;
}
