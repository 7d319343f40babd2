// What the app makes of the regions' answers to GET /state. Pure: unit-tested without a browser.

export type AppStateName = 'active' | 'fenced' | 'failover';

export interface StateView {
  appId: string;
  state: AppStateName;
  activeRegion: string;
  writableRegion: string | null;
  version: number;
  updatedAt: string;
  reason?: string;
  /** When the region just made writable starts taking writes (null or absent: it does). */
  writesResumeAt?: string | null;
  /** The answering region cannot confirm the state with the quorum: its view may be stale, and it takes no writes. */
  isolated?: boolean;
  servedBy: string;
  allowed: { read: boolean; write: boolean };
}

export interface RegionConfig {
  region: string;
  role: 'primary' | 'secondary';
  apiUrl: string;
}

/**
 * The freshest view among the regions that answered: the highest version (a fencing token, so
 * the newer transition wins even when one copy lags), and at equal versions the answer a region
 * confirmed with the quorum over an isolated one, then the answer of the region that accepts writes.
 */
export function pickState(views: ReadonlyArray<StateView | null>): StateView | null {
  const rank = (v: StateView) => [v.version, v.isolated ? 0 : 1, v.allowed.write ? 1 : 0] as const;
  let best: StateView | null = null;
  for (const view of views) {
    if (!view) continue;
    if (!best) {
      best = view;
      continue;
    }
    const [a, b] = [rank(view), rank(best)];
    if (a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])))) best = view;
  }
  return best;
}

/** Where writes go now, or why they cannot. */
export function writeTarget(
  view: StateView | null,
  regions: readonly RegionConfig[],
): { ok: true; region: RegionConfig } | { ok: false; why: string } {
  if (!view) return { ok: false, why: 'Neither region can be reached right now, so nothing can be saved. Your text is kept.' };
  if (view.isolated)
    return { ok: false, why: 'No region can confirm where writes go right now, so nothing can be saved. Your text is kept.' };
  if (view.writableRegion === null)
    return {
      ok: false,
      why: `Writes are paused while the application switches regions${view.reason ? ` (${view.reason})` : ''}. Your text is kept; try again in a moment.`,
    };
  const region = regions.find((r) => r.region === view.writableRegion);
  if (!region) return { ok: false, why: `Writes go to ${view.writableRegion}, which this app has no address for.` };
  return { ok: true, region };
}

/** Where reads go: the writable region, else the active one, else any that answered. */
export function readRegion(view: StateView | null, regions: readonly RegionConfig[], reachable: ReadonlySet<string>): RegionConfig | null {
  const wanted = [view?.writableRegion, view?.activeRegion, ...regions.map((r) => r.region)];
  for (const name of wanted) {
    const region = regions.find((r) => r.region === name && reachable.has(r.region));
    if (region) return region;
  }
  return null;
}

export interface Banner {
  tone: 'ok' | 'warn' | 'alert';
  title: string;
  detail: string;
}

export function bannerFor(view: StateView | null, lastSeen: Date | null, now: Date): Banner {
  if (!view) {
    const since = lastSeen ? ` Last answer ${Math.round((now.getTime() - lastSeen.getTime()) / 1000)} s ago.` : '';
    return {
      tone: 'alert',
      title: 'Cannot reach either region',
      detail: `Showing what was already loaded; nothing can be saved until a region answers.${since}`,
    };
  }
  if (view.state === 'fenced')
    return {
      tone: 'warn',
      title: 'Writes paused',
      detail: `The application is switching regions${view.reason ? `: ${view.reason}` : ''}. Reading still works. Served by ${view.servedBy}.`,
    };
  if (view.state === 'failover')
    return {
      tone: 'warn',
      title: `Failover: ${view.activeRegion} is serving`,
      detail: `Reads and writes go to ${view.activeRegion}. Served by ${view.servedBy}.`,
    };
  return {
    tone: 'ok',
    title: `Active in ${view.activeRegion}`,
    detail: `Reads and writes go to ${view.activeRegion}. Served by ${view.servedBy}.`,
  };
}
