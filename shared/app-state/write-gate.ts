// What every write of the photos and comments services goes through: is this region the one
// accepting writes right now? The state is cached per container for at most `maxAgeMs`, so a
// busy function reads it about once a second rather than once per request.
//
// Why that is safe: a fence is written to the replica of the region whose writers must stop,
// and the gate reads that replica with a consistent read. Every writer there sees the fence
// within maxAgeMs (+ one request), which must stay below the runbooks' drain wait
// (thresholds.drainSeconds in infra/stages/<stage>.yml) for the fence to be complete.
import { WritesFenced, WrongRegion } from './errors';
import { type AppState, writeRefusal } from './model';
import type { AppStateStore } from './store';

export interface WriteGate {
  /** The current state if this region accepts writes; throws WritesFenced or WrongRegion otherwise. */
  assertWritable(): Promise<AppState>;
  /** The (possibly cached) current state. */
  current(): Promise<AppState>;
}

export interface WriteGateOptions {
  store: Pick<AppStateStore, 'get'>;
  /** The region this code runs in. */
  region: string;
  clock?: () => Date;
  /** How old a cached state may be; 0 reads the store on every call. */
  maxAgeMs?: number;
  /** Retry-After hint carried by WritesFenced. */
  retryAfterSeconds?: number;
}

export function createWriteGate(options: WriteGateOptions): WriteGate {
  const { store, region } = options;
  const clock = options.clock ?? (() => new Date());
  const maxAgeMs = options.maxAgeMs ?? 1000;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) throw new RangeError('maxAgeMs must be a finite number >= 0');

  let cached: { state: AppState; readAt: number } | undefined;
  // Concurrent callers share one read instead of each starting their own.
  let inFlight: Promise<AppState> | undefined;

  const fresh = (now: number): boolean =>
    // A clock that went backwards makes the age meaningless: read again.
    cached !== undefined && now >= cached.readAt && now - cached.readAt < maxAgeMs;

  async function current(): Promise<AppState> {
    const now = clock().getTime();
    if (cached && fresh(now)) return cached.state;
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        const state = await store.get({ consistent: true });
        // Age counts from when the read started: the state can only be older than that.
        cached = { state, readAt: now };
        return state;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  async function assertWritable(): Promise<AppState> {
    const state = await current();
    const refusal = writeRefusal(state, region);
    if (refusal === undefined) return state;
    if (refusal.code === 'WRITES_FENCED') throw new WritesFenced(options.retryAfterSeconds);
    throw new WrongRegion(refusal.writableRegion, region);
  }

  return { assertWritable, current };
}
