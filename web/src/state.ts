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

/**
 * Where writes go now, or why they cannot, in words for the people using the app. The operator's
 * reason is not shown to them: it is written for operators (`runbook status` shows it). While
 * writes wait for writesResumeAt the target stays: the region answers WRITES_RESUMING and the
 * write is sent again with the same key at the time it names (region-client.ts, which the web app
 * and the drills' load share).
 */
export function writeTarget(
  view: StateView | null,
  regions: readonly RegionConfig[],
): { ok: true; region: RegionConfig } | { ok: false; why: string } {
  if (!view) return { ok: false, why: 'The service cannot be reached right now, so nothing can be saved. Your text is kept.' };
  if (view.isolated)
    return { ok: false, why: 'Saving is unavailable: the service cannot confirm where to save right now. Your text is kept.' };
  if (view.writableRegion === null)
    return {
      ok: false,
      why: 'Saving is paused for a moment while the service moves to keep running. Your text is kept; try again in a minute.',
    };
  const region = regions.find((r) => r.region === view.writableRegion);
  if (!region) return { ok: false, why: 'Saving is unavailable: this app has no address for the site that takes writes.' };
  return { ok: true, region };
}

const resumesLater = (view: StateView, now: Date) =>
  typeof view.writesResumeAt === 'string' && Date.parse(view.writesResumeAt) > now.getTime();

/**
 * The order in which a read tries the regions: the writable region, then the active one, then the
 * others; among them first those believed reachable, then the rest (a mark is a guess from one
 * failed request, and trying costs less than failing the read for sure). Every region serves reads.
 */
export function readOrder(
  view: StateView | null,
  regions: readonly RegionConfig[],
  isReachable: (region: string) => boolean,
): RegionConfig[] {
  const wanted = [view?.writableRegion, view?.activeRegion, ...regions.map((r) => r.region)];
  const preferred = [...new Set(wanted)].flatMap((name) => regions.filter((r) => r.region === name));
  return [...preferred.filter((r) => isReachable(r.region)), ...preferred.filter((r) => !isReachable(r.region))];
}

/** The look of each situation: one tone per state, so a failover never looks like "paused". */
export type BannerTone = 'ok' | 'paused' | 'failover' | 'isolated' | 'alert';

/** What the banner's data-state says (the browser tests and the CSS read it). */
export type BannerState = AppStateName | 'isolated' | 'unreachable';

export interface Banner {
  state: BannerState;
  tone: BannerTone;
  /** For the people using the app: what it means for them, no operator jargon. */
  title: string;
  detail: string;
  /** Where the answer came from, for the curious and for support (small print). */
  technical: string;
}

export function bannerFor(view: StateView | null, lastSeen: Date | null, now: Date): Banner {
  if (!view) {
    const since = lastSeen ? ` Last answer ${Math.round((now.getTime() - lastSeen.getTime()) / 1000)} s ago.` : '';
    return {
      state: 'unreachable',
      tone: 'alert',
      title: 'The service cannot be reached',
      detail: 'Showing what was already loaded; nothing can be saved until it answers again. Your text is kept.',
      technical: `Cannot reach either region.${since}`,
    };
  }
  const technical = `State ${view.state} (v${view.version}), active region ${view.activeRegion}, answered by ${view.servedBy}${view.isolated ? ' (isolated from the quorum)' : ''}.`;
  if (view.isolated || (view.state !== 'fenced' && view.writableRegion === null))
    return {
      state: 'isolated',
      tone: 'isolated',
      title: 'Saving is unavailable',
      detail: 'The service lost contact with its other sites: what you see may be out of date, and nothing can be saved right now.',
      technical,
    };
  if (view.state === 'fenced')
    return {
      state: 'fenced',
      tone: 'paused',
      title: 'Saving is paused for a moment',
      detail: 'The service is moving to keep running. You can keep browsing; what you type is kept, and saving comes back shortly.',
      technical,
    };
  if (view.state === 'failover')
    return {
      state: 'failover',
      tone: 'failover',
      title: 'Running on the backup site',
      detail: resumesLater(view, now)
        ? 'The service moved to its backup site; saving resumes in a few seconds.'
        : 'Everything works as usual. The newest items from just before the move may take a moment to appear.',
      technical,
    };
  return {
    state: 'active',
    tone: 'ok',
    title: 'All is working',
    detail: 'You can browse, upload and comment.',
    technical,
  };
}
