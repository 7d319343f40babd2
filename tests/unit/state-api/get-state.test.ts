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
      writesResumeAt: null,
      isolated: false,
      servedBy: region,
      allowed: { read: true, write },
    });
  });

  it('answers from its own copy, isolated and not writable, when the quorum cannot confirm the state', async () => {
    // Prepare
    const local = storeHolding('active', 'us-east-1');
    const store = {
      get: async (options?: { consistent?: boolean }) => {
        if (options?.consistent) throw Object.assign(new Error('no quorum'), { name: 'InternalServerError' });
        return local.get(options);
      },
    };

    // Act
    const view = await getState({ store, region: 'us-east-1' });

    // Assess
    expect(view).toMatchObject({ state: 'active', writableRegion: 'us-east-1', isolated: true, allowed: { read: true, write: false } });
    expect(local.reads).toEqual([{ consistent: false }]);
  });

  it('reads the quorum strongly consistently on every request', async () => {
    const store = storeHolding('active', 'us-east-1');
    await getState({ store, region: 'us-east-1' });
    await getState({ store, region: 'us-east-1' });
    expect(store.reads).toEqual([{ consistent: true }, { consistent: true }]);
  });

  it('is not writable in the promoted region before its writes resume', async () => {
    const now = new Date('2026-01-01T00:00:10.000Z');
    const promoted: AppState = {
      ...initialAppState(app),
      state: 'failover',
      activeRegion: 'us-west-2',
      version: 4,
      writesResumeAt: '2026-01-01T00:00:12.000Z',
    };
    const deps = { store: { get: async () => promoted }, region: 'us-west-2' };
    expect((await getState({ ...deps, clock: () => now })).allowed.write).toBe(false);
    expect((await getState({ ...deps, clock: () => new Date('2026-01-01T00:00:12.000Z') })).allowed.write).toBe(true);
  });

  it('gives each version, region, isolation and write permission its own ETag', () => {
    // Act / Assess
    const view = { version: 3, servedBy: 'us-east-1', isolated: false, allowed: { read: true as const, write: false } };
    expect(stateEtag(view)).toBe('"v3-us-east-1"');
    expect(stateEtag({ ...view, version: 4 })).not.toBe(stateEtag(view));
    expect(stateEtag({ ...view, servedBy: 'us-west-2' })).not.toBe(stateEtag(view));
    expect(stateEtag({ ...view, isolated: true })).not.toBe(stateEtag(view));
    expect(stateEtag({ ...view, allowed: { read: true, write: true } })).not.toBe(stateEtag(view));
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
