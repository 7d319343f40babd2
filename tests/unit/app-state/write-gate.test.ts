import { WritesFenced, WrongRegion } from '../../../shared/app-state/errors';
import { type AppState, type AppStateName, initialAppState } from '../../../shared/app-state/model';
import { createWriteGate } from '../../../shared/app-state/write-gate';

const app = { appId: 'switchyard', primaryRegion: 'us-east-1', secondaryRegion: 'us-west-2' };

function fakeStore(initial: AppState) {
  let current = initial;
  const reads: Array<{ consistent?: boolean } | undefined> = [];
  return {
    reads,
    set(state: AppStateName, activeRegion: string) {
      current = { ...current, state, activeRegion, version: current.version + 1 };
    },
    async get(options?: { consistent?: boolean }) {
      reads.push(options);
      return current;
    },
  };
}

function fakeClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('write gate', () => {
  it('reads the state once per maxAgeMs and again once it is older', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock, maxAgeMs: 1000 });

    // Act
    await gate.assertWritable();
    time.advance(999);
    await gate.assertWritable();
    const readsWhileFresh = store.reads.length;
    time.advance(1);
    await gate.assertWritable();

    // Assess
    expect(readsWhileFresh).toBe(1);
    expect(store.reads).toHaveLength(2);
    expect(store.reads[0]).toEqual({ consistent: true });
  });

  it('sees a fence only after the cached state has expired, then refuses with WritesFenced', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock, maxAgeMs: 1000 });
    await gate.assertWritable();
    store.set('fenced', 'us-east-1');

    // Act
    const withinMaxAge = await gate.assertWritable();
    time.advance(1000);
    const afterMaxAge = gate.assertWritable();

    // Assess
    expect(withinMaxAge.state).toBe('active');
    await expect(afterMaxAge).rejects.toBeInstanceOf(WritesFenced);
  });

  it('refuses a write in the region that is not active with WrongRegion naming the writable one', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const gate = createWriteGate({ store, region: 'us-west-2', clock: fakeClock().clock });

    // Act
    const attempt = gate.assertWritable();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(WrongRegion);
    await expect(gate.assertWritable()).rejects.toMatchObject({ writableRegion: 'us-east-1', code: 'WRONG_REGION' });
  });

  it('accepts writes in the secondary after a failover', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    store.set('failover', 'us-west-2');
    const gate = createWriteGate({ store, region: 'us-west-2', clock: fakeClock().clock });

    // Act
    const state = await gate.assertWritable();

    // Assess
    expect(state).toMatchObject({ state: 'failover', activeRegion: 'us-west-2' });
  });

  it('shares one read between concurrent callers', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const gate = createWriteGate({ store, region: 'us-east-1', clock: fakeClock().clock });

    // Act
    await Promise.all([gate.current(), gate.current(), gate.assertWritable()]);

    // Assess
    expect(store.reads).toHaveLength(1);
  });

  it('does not cache a failed read', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    let fail = true;
    const flaky = {
      get: async (options?: { consistent?: boolean }) => {
        if (fail) throw new Error('throttled');
        return store.get(options);
      },
    };
    const gate = createWriteGate({ store: flaky, region: 'us-east-1', clock: fakeClock().clock });

    // Act
    const first = gate.current();
    await expect(first).rejects.toThrow('throttled');
    fail = false;
    const second = await gate.current();

    // Assess
    expect(second.state).toBe('active');
  });

  it('reads again when the clock goes backwards', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock });
    await gate.current();

    // Act
    time.advance(-5000);
    await gate.current();

    // Assess
    expect(store.reads).toHaveLength(2);
  });

  it('reads on every call with maxAgeMs 0 and refuses a negative maxAgeMs', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const gate = createWriteGate({ store, region: 'us-east-1', clock: fakeClock().clock, maxAgeMs: 0 });

    // Act
    await gate.current();
    await gate.current();

    // Assess
    expect(store.reads).toHaveLength(2);
    expect(() => createWriteGate({ store, region: 'us-east-1', maxAgeMs: -1 })).toThrow(RangeError);
  });
});
