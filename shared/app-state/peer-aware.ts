// The state as the newer of two replicas. Replication is asynchronous: a region that comes back
// after an outage keeps saying "active, write here" until the failover written in the other
// region replicates to it. The state's version is a fencing token (every transition bumps it), so
// when the peer's replica answers with a higher version, that view wins and this region stops
// accepting writes at once. When the peer does not answer in time, the local replica decides, as
// before: a region that cannot see its peer must still serve.
import type { AppState } from './model';
import type { AppStateStore } from './store';

export interface PeerAwareOptions {
  local: Pick<AppStateStore, 'get'>;
  peer: Pick<AppStateStore, 'get'>;
  /** The peer's answer is not waited for longer than this (default 300 ms). */
  timeoutMs?: number;
  /** How long a peer answer is reused (default 1000 ms), and a peer failure remembered (default 5000 ms). */
  peerMaxAgeMs?: number;
  peerFailureMaxAgeMs?: number;
  clock?: () => number;
  onPeerUnavailable?(error: unknown): void;
}

class PeerTimeout extends Error {
  override readonly name = 'PeerTimeout';
}

export function peerAwareStateStore(options: PeerAwareOptions): Pick<AppStateStore, 'get'> {
  const timeoutMs = options.timeoutMs ?? 300;
  const maxAge = options.peerMaxAgeMs ?? 1000;
  const failureMaxAge = options.peerFailureMaxAgeMs ?? 5000;
  const clock = options.clock ?? Date.now;
  let cached: { state: AppState | null; at: number } | undefined;
  let inFlight: Promise<AppState | null> | undefined;

  async function readPeer(): Promise<AppState | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PeerTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      return await Promise.race([options.peer.get({ consistent: true }), deadline]);
    } catch (error) {
      options.onPeerUnavailable?.(error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  function peerState(): Promise<AppState | null> {
    const now = clock();
    if (cached && now >= cached.at && now - cached.at < (cached.state ? maxAge : failureMaxAge)) return Promise.resolve(cached.state);
    inFlight ??= readPeer().then((state) => {
      cached = { state, at: now };
      inFlight = undefined;
      return state;
    });
    return inFlight;
  }

  return {
    async get(getOptions) {
      const [local, peer] = await Promise.all([options.local.get(getOptions), peerState()]);
      return peer && peer.version > local.version ? peer : local;
    },
  };
}
