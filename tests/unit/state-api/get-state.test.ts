import { getState, stateEtag } from '../../../services/state-api/get-state';
import { type AppState, type AppStateName, initialAppState } from '../../../shared/app-state/model';
import { ifNoneMatchMatches } from '../../../shared/http/conditional';

const app = { appId: 'switchyard', primaryRegion: 'us-east-1', secondaryRegion: 'us-west-2' };

function storeHolding(state: AppStateName, activeRegion: string, version = 3) {
  const current: AppState = { ...initialAppState(app), state, activeRegion, version, updatedAt: '2026-01-01T00:00:00.000Z' };
  const reads: Array<{ consistent?: boolean } | undefined> = [];
  return {
    reads,
    get: async (options?: { consistent?: boolean }) => {
      reads.push(options);
      return current;
    },
  };
}

describe('get state', () => {
  it.each([
    // state, active region, asking region, writableRegion, write allowed
    ['active', 'us-east-1', 'us-east-1', 'us-east-1', true],
    ['active', 'us-east-1', 'us-west-2', 'us-east-1', false],
    ['fenced', 'us-east-1', 'us-east-1', null, false],
    ['fenced', 'us-west-2', 'us-west-2', null, false],
    ['failover', 'us-west-2', 'us-west-2', 'us-west-2', true],
    ['failover', 'us-west-2', 'us-east-1', 'us-west-2', false],
  ] as const)('%s with %s active, served by %s', async (state, active, region, writable, write) => {
    // Prepare
    const store = storeHolding(state, active);

    // Act
    const view = await getState({ store, region });

    // Assess
    expect(view).toEqual({
      appId: 'switchyard',
      state,
      activeRegion: active,
      writableRegion: writable,
      version: 3,
      updatedAt: '2026-01-01T00:00:00.000Z',
      reason: 'No state recorded yet',
      servedBy: region,
      allowed: { read: true, write },
    });
  });

  it('reads the local replica consistently', async () => {
    // Prepare
    const store = storeHolding('active', 'us-east-1');

    // Act
    await getState({ store, region: 'us-east-1' });

    // Assess
    expect(store.reads).toEqual([{ consistent: true }]);
  });

  it('gives each version and each region its own ETag', () => {
    // Act / Assess
    expect(stateEtag({ version: 3, servedBy: 'us-east-1' })).toBe('"v3-us-east-1"');
    expect(stateEtag({ version: 4, servedBy: 'us-east-1' })).not.toBe(stateEtag({ version: 3, servedBy: 'us-east-1' }));
    expect(stateEtag({ version: 3, servedBy: 'us-west-2' })).not.toBe(stateEtag({ version: 3, servedBy: 'us-east-1' }));
  });
});

describe('If-None-Match', () => {
  it.each([
    [undefined, false],
    ['"v3-us-east-1"', true],
    ['W/"v3-us-east-1"', true],
    ['"v2-us-east-1", "v3-us-east-1"', true],
    ['*', true],
    ['"v2-us-east-1"', false],
    ['"v3-us-west-2"', false],
    ['v3-us-east-1', false],
  ])('%s matches "v3-us-east-1": %s', (header, expected) => {
    // Act / Assess
    expect(ifNoneMatchMatches(header, '"v3-us-east-1"')).toBe(expected);
  });
});
