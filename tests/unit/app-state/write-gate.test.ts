import { RegionIsolated, WritesFenced, WritesResuming, WrongRegion } from '../../../shared/app-state/errors';
import { type AppState, type AppStateName, initialAppState } from '../../../shared/app-state/model';
import { beforeWrite, withWriteScope, writeDeadline } from '../../../shared/app-state/write-deadline';
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
  it('renews the lease (reads the state) once a third of it is used', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock, leaseMs: 3000 });

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

  it('sees a fence at the next renewal, then refuses with WritesFenced', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });
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
    const gate = createWriteGate({ store, region: 'us-west-2', clock: fakeClock().clock, leaseMs: 2000 });

    // Act
    const attempt = gate.assertWritable();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(WrongRegion);
    await expect(gate.assertWritable()).rejects.toMatchObject({ writableRegion: 'us-east-1', code: 'WRONG_REGION' });
  });

  it('reads again before refusing from a state read more than 100 ms ago: a just-promoted region takes the write', async () => {
    // Prepare: the secondary's gate last read "active in the primary"; the failover lands after.
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-west-2', clock: time.clock, leaseMs: 2000 });
    await expect(gate.assertWritable()).rejects.toBeInstanceOf(WrongRegion);
    store.set('failover', 'us-west-2');

    // Act: within a third of the lease, so the cached read would still be used for an admission
    time.advance(50);
    const fromFreshRead = gate.assertWritable();
    await expect(fromFreshRead).rejects.toBeInstanceOf(WrongRegion);
    const readsThen = store.reads.length;
    time.advance(100);
    const state = await gate.assertWritable();

    // Assess: a refusal from a read 50 ms old stands without a read; one from 150 ms reads again
    expect(readsThen).toBe(1);
    expect(state).toMatchObject({ state: 'failover', activeRegion: 'us-west-2' });
    expect(store.reads).toHaveLength(2);
  });

  it('keeps the cached refusal when the read before refusing fails', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-west-2', clock: time.clock, leaseMs: 2000 });
    await expect(gate.assertWritable()).rejects.toBeInstanceOf(WrongRegion);
    store.get = async () => {
      throw new Error('quorum unreachable');
    };

    // Act
    time.advance(300);
    const attempt = gate.assertWritable();

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'WRONG_REGION', writableRegion: 'us-east-1' });
  });

  it('accepts writes in the secondary after a failover', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    store.set('failover', 'us-west-2');
    const gate = createWriteGate({ store, region: 'us-west-2', clock: fakeClock().clock, leaseMs: 2000 });

    // Act
    const state = await gate.assertWritable();

    // Assess
    expect(state).toMatchObject({ state: 'failover', activeRegion: 'us-west-2' });
  });

  it('shares one read between concurrent callers', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const gate = createWriteGate({ store, region: 'us-east-1', clock: fakeClock().clock, leaseMs: 2000 });

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
    const gate = createWriteGate({ store: flaky, region: 'us-east-1', clock: fakeClock().clock, leaseMs: 2000 });

    // Act: with no lease yet, a failed read means this region cannot confirm anything
    const first = gate.current();
    await expect(first).rejects.toBeInstanceOf(RegionIsolated);
    fail = false;
    const second = await gate.current();

    // Assess
    expect(second.state).toBe('active');
  });

  it('reads again when the clock goes backwards', async () => {
    // Prepare
    const store = fakeStore(initialAppState(app));
    const time = fakeClock();
    const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });
    await gate.current();

    // Act
    time.advance(-5000);
    await gate.current();

    // Assess
    expect(store.reads).toHaveLength(2);
  });

  it('refuses a lease that is not a positive duration', () => {
    const store = fakeStore(initialAppState(app));
    expect(() => createWriteGate({ store, region: 'us-east-1', leaseMs: 0 })).toThrow(RangeError);
    expect(() => createWriteGate({ store, region: 'us-east-1', leaseMs: Number.NaN })).toThrow(RangeError);
  });

  describe('the write lease', () => {
    function unreachableAfterFirstRead() {
      const store = fakeStore(initialAppState(app));
      let reachable = true;
      return {
        store,
        cut: () => {
          reachable = false;
        },
        heal: () => {
          reachable = true;
        },
        gateStore: {
          get: async (options?: { consistent?: boolean }) => {
            if (!reachable) throw Object.assign(new Error('no quorum'), { name: 'InternalServerError' });
            return store.get(options);
          },
        },
      };
    }

    it('keeps admitting writes while the lease of the last successful read runs, then refuses with RegionIsolated', async () => {
      // Prepare
      const quorum = unreachableAfterFirstRead();
      const time = fakeClock();
      const gate = createWriteGate({ store: quorum.gateStore, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });
      await gate.assertWritable();
      quorum.cut();

      // Act
      time.advance(1500); // renewal due (after 667 ms) and failing, lease still running
      const withinLease = await gate.assertWritable();
      time.advance(500); // lease over
      const afterLease = gate.assertWritable();

      // Assess
      expect(withinLease.state).toBe('active');
      await expect(afterLease).rejects.toBeInstanceOf(RegionIsolated);
      await expect(gate.assertWritable()).rejects.toMatchObject({ code: 'REGION_ISOLATED', retryAfterSeconds: 2 });
    });

    it('admits writes again by itself once the quorum answers', async () => {
      // Prepare
      const quorum = unreachableAfterFirstRead();
      const time = fakeClock();
      const gate = createWriteGate({ store: quorum.gateStore, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });
      await gate.assertWritable();
      quorum.cut();
      time.advance(3000);
      await expect(gate.assertWritable()).rejects.toBeInstanceOf(RegionIsolated);

      // Act
      quorum.heal();
      const resumed = await gate.assertWritable();

      // Assess
      expect(resumed.state).toBe('active');
    });

    it('gives an admitted write the end of its lease as deadline, counted from when the read started', async () => {
      // Prepare
      const store = fakeStore(initialAppState(app));
      const time = fakeClock();
      const started = time.clock().getTime();
      const slowStore = {
        get: async (options?: { consistent?: boolean }) => {
          time.advance(300); // the read itself takes 300 ms
          return store.get(options);
        },
      };
      const gate = createWriteGate({ store: slowStore, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });

      // Act
      const deadline = await withWriteScope(async () => {
        await gate.assertWritable();
        return writeDeadline();
      });
      const outside = writeDeadline();

      // Assess
      expect(deadline).toBe(started + 2000);
      expect(outside).toBeUndefined();
    });

    it("records each renewal's start in the quorum before reading, and counts the lease from that start", async () => {
      // Prepare
      const store = fakeStore(initialAppState(app));
      const time = fakeClock();
      const started = time.clock().getTime();
      const order: string[] = [];
      const recorded: number[] = [];
      const gate = createWriteGate({
        store: {
          get: async (options?: { consistent?: boolean }) => {
            order.push('read');
            return store.get(options);
          },
        },
        region: 'us-east-1',
        clock: time.clock,
        leaseMs: 2000,
        recordLease: async (startedAt) => {
          order.push('record');
          recorded.push(startedAt);
          time.advance(200); // the record's quorum write takes 200 ms
        },
      });

      // Act
      const deadline = await withWriteScope(async () => {
        await gate.assertWritable();
        return writeDeadline();
      });
      time.advance(700); // past a third of the lease: renewed
      await gate.assertWritable();

      // Assess
      expect(order).toEqual(['record', 'read', 'record', 'read']);
      expect(recorded).toEqual([started, started + 900]);
      expect(deadline).toBe(started + 2000);
    });

    it('fails a renewal whose record the quorum refused like a failed read: the previous lease still runs, then RegionIsolated', async () => {
      // Prepare
      const store = fakeStore(initialAppState(app));
      const time = fakeClock();
      let recordFails = false;
      const gate = createWriteGate({
        store,
        region: 'us-east-1',
        clock: time.clock,
        leaseMs: 2000,
        recordLease: async () => {
          if (recordFails) throw Object.assign(new Error('no quorum'), { name: 'ServiceUnavailable' });
        },
      });
      await gate.assertWritable();
      recordFails = true;

      // Act
      time.advance(1000);
      const withinLease = await gate.assertWritable();
      time.advance(1000);
      const afterLease = gate.assertWritable();

      // Assess
      expect(withinLease.state).toBe('active');
      await expect(afterLease).rejects.toBeInstanceOf(RegionIsolated);
      expect(store.reads).toHaveLength(1); // no read without its record
    });

    it('admits a write again when its lease ended before it was sent: a new lease while writable, a refusal once isolated', async () => {
      // Prepare
      const quorum = unreachableAfterFirstRead();
      const time = fakeClock();
      const gate = createWriteGate({ store: quorum.gateStore, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });
      const now = () => time.clock().getTime();

      // Act
      const renewed = await withWriteScope(async () => {
        await gate.assertWritable();
        time.advance(2500); // slow work between the gate and the write
        await beforeWrite(now);
        return writeDeadline();
      });
      const refused = withWriteScope(async () => {
        await gate.assertWritable();
        quorum.cut();
        time.advance(2500);
        await beforeWrite(now);
      });

      // Assess
      expect(renewed).toBe(now() + 2000); // the new lease counts from the read made at admission again
      await expect(refused).rejects.toBeInstanceOf(RegionIsolated);
    });

    it('lets a write through without a new read while its lease runs', async () => {
      const store = fakeStore(initialAppState(app));
      const time = fakeClock();
      const gate = createWriteGate({ store, region: 'us-east-1', clock: time.clock, leaseMs: 2000 });
      await withWriteScope(async () => {
        await gate.assertWritable();
        time.advance(1900);
        await beforeWrite(() => time.clock().getTime());
      });
      expect(store.reads).toHaveLength(1);
    });

    it('refuses writes in the promoted region until the previous lease has ended (WritesResuming)', async () => {
      // Prepare
      const time = fakeClock();
      const resumeAt = new Date(time.clock().getTime() + 3000);
      const promoted = {
        ...initialAppState(app),
        state: 'failover' as const,
        activeRegion: 'us-west-2',
        version: 3,
        writesResumeAt: resumeAt.toISOString(),
      };
      const gate = createWriteGate({ store: fakeStore(promoted), region: 'us-west-2', clock: time.clock, leaseMs: 2000 });

      // Act
      const early = gate.assertWritable();
      await expect(early).rejects.toBeInstanceOf(WritesResuming);
      await expect(gate.assertWritable()).rejects.toMatchObject({ code: 'WRITES_RESUMING', retryAfterSeconds: 3 });
      time.advance(3000);
      const later = await gate.assertWritable();

      // Assess
      expect(later.state).toBe('failover');
    });
  });
});
