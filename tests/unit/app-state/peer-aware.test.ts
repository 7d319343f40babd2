import type { AppState } from '../../../shared/app-state/model';
import { peerAwareStateStore } from '../../../shared/app-state/peer-aware';

const state = (version: number, over: Partial<AppState> = {}): AppState => ({
  appId: 'switchyard',
  state: 'active',
  activeRegion: 'us-east-1',
  primaryRegion: 'us-east-1',
  secondaryRegion: 'us-west-2',
  version,
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'test',
  reason: 'test',
  ...over,
});

const fixed = (s: AppState) => ({ get: async () => s });

describe('peerAwareStateStore', () => {
  it('takes the peer’s view when it is newer: a region back from an outage stops accepting writes', async () => {
    const failedOver = state(1, { state: 'failover', activeRegion: 'us-west-2' });
    const store = peerAwareStateStore({ local: fixed(state(0)), peer: fixed(failedOver) });
    expect(await store.get()).toBe(failedOver);
  });

  it('keeps the local view when it is as new or newer', async () => {
    const local = state(2, { state: 'fenced' });
    expect(await peerAwareStateStore({ local: fixed(local), peer: fixed(state(1)) }).get()).toBe(local);
    expect(await peerAwareStateStore({ local: fixed(local), peer: fixed(state(2)) }).get()).toBe(local);
  });

  it('serves from the local replica when the peer fails or does not answer in time', async () => {
    const problems: string[] = [];
    const local = state(0);
    const failing = peerAwareStateStore({
      local: fixed(local),
      peer: { get: async () => Promise.reject(new Error('ECONNREFUSED')) },
      onPeerUnavailable: (e) => problems.push(String(e)),
    });
    expect(await failing.get()).toBe(local);
    const hanging = peerAwareStateStore({
      local: fixed(local),
      peer: { get: () => new Promise<AppState>(() => undefined) },
      timeoutMs: 20,
      onPeerUnavailable: (e) => problems.push((e as Error).name),
    });
    expect(await hanging.get()).toBe(local);
    expect(problems).toEqual(['Error: ECONNREFUSED', 'PeerTimeout']);
  });

  it('asks the peer at most once per second, and an unavailable peer once per five seconds', async () => {
    let now = 0;
    let peerReads = 0;
    let peerUp = true;
    const store = peerAwareStateStore({
      local: fixed(state(0)),
      peer: {
        get: async () => {
          peerReads += 1;
          if (!peerUp) throw new Error('down');
          return state(0);
        },
      },
      clock: () => now,
    });
    await store.get();
    now = 999;
    await store.get();
    expect(peerReads).toBe(1);
    now = 1000;
    peerUp = false;
    await store.get();
    expect(peerReads).toBe(2);
    now = 5999;
    await store.get();
    expect(peerReads).toBe(2);
    now = 6000;
    await store.get();
    expect(peerReads).toBe(3);
  });
});
