// GET /state: the application state as THIS region's replica sees it. Clients (the web app,
// the routing layer) poll it to learn where to send writes, so it answers from the local
// replica only: a region that cannot reach its peer must still say what it knows.
import { type AppState, canWrite, writableRegion } from '../../shared/app-state/model';
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
  /** The region that answered. */
  servedBy: string;
  allowed: { read: true; write: boolean };
}

export interface GetStateDeps {
  store: Pick<AppStateStore, 'get'>;
  region: string;
}

export async function getState(deps: GetStateDeps): Promise<StateView> {
  // Consistent: after a transition written in this region, the next poll must not show the old version.
  const state = await deps.store.get({ consistent: true });
  return {
    appId: state.appId,
    state: state.state,
    activeRegion: state.activeRegion,
    writableRegion: writableRegion(state),
    version: state.version,
    updatedAt: state.updatedAt,
    reason: state.reason,
    servedBy: deps.region,
    allowed: { read: true, write: canWrite(state, deps.region) },
  };
}

/**
 * The view changes exactly when the version does, per region (servedBy and allowed.write
 * differ between regions), so version and region make a strong validator.
 */
export function stateEtag(view: Pick<StateView, 'version' | 'servedBy'>): string {
  return `"v${view.version}-${view.servedBy}"`;
}
