import { type ApplyAttempt, type ObservedChange, ReplicationEngine } from '../../../local/replication/engine';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
type Value = string | null;

const change = (key: string, value: Value, at: number): ObservedChange<Value> => ({
  key,
  fingerprint: value ?? 'removed',
  payload: value,
  observedAt: at,
  changeTime: at,
});

function newEngine(delayOf?: (job: { write: { key: string; payload: Value } }) => number): ReplicationEngine<Value> {
  return new ReplicationEngine<Value>(() => 'photos', [EAST, WEST], delayOf);
}

/** Delivers the head job of a direction as a real writer would: announce, write, report. */
function deliverHead(engine: ReplicationEngine<Value>, from: string, to: string, now: number) {
  const job = engine.due(from, to, now);
  if (!job) return { delivered: false as const };
  const attempt = engine.begin(job);
  if (!attempt) return { delivered: false as const, superseded: true };
  const announced = attempt.expectEcho(job.write.fingerprint);
  return { delivered: true as const, attempt, announced, value: job.write.payload };
}

const stat = (engine: ReplicationEngine<Value>, from: string) => engine.stats(10_000).find((s) => s.from === from);

describe('ReplicationEngine', () => {
  it('delivers a change no earlier than its delay after it was read', () => {
    // Prepare
    const engine = newEngine(() => 200);
    engine.observe(EAST, change('k', 'v1', 1_000));

    // Act
    const early = engine.due(EAST, WEST, 1_199);
    const onTime = engine.due(EAST, WEST, 1_200);

    // Assess
    expect(early).toBeUndefined();
    expect(onTime?.write.payload).toBe('v1');
    expect(engine.due(WEST, EAST, 5_000)).toBeUndefined();
  });

  it('recognises the echo of its own write and does not send it back', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'v1', 1_000));
    const delivery = deliverHead(engine, EAST, WEST, 1_300);
    if (!delivery.delivered) throw new Error('expected a delivery');
    engine.complete(delivery.attempt, 'applied-echo-pending', 1_310);

    // Act
    const kind = engine.observe(WEST, change('k', 'v1', 1_320));

    // Assess
    expect(kind).toBe('echo');
    expect(engine.due(WEST, EAST, 9_999)).toBeUndefined();
    expect(engine.idle).toBe(true);
    expect(stat(engine, EAST)).toMatchObject({ applied: 1, echoesSuppressed: 1, pending: 0, lastLagMs: 310, maxLagMs: 310, p50LagMs: 310 });
    expect(stat(engine, EAST)?.lastAppliedAt).toBe(new Date(1_310).toISOString());
    expect(stat(engine, WEST)).toMatchObject({ applied: 0, pending: 0 });
  });

  it('is not idle while an echo is still awaited', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'v1', 1_000));
    const delivery = deliverHead(engine, EAST, WEST, 1_000);
    if (!delivery.delivered) throw new Error('expected a delivery');

    // Act
    engine.complete(delivery.attempt, 'applied-echo-pending', 1_010);

    // Assess
    expect(engine.idle).toBe(false);
  });

  it('lets the later of two concurrent writes win in both regions', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'from-east', 1_000));
    engine.observe(WEST, change('k', 'from-west', 1_005));

    // Act
    const toWest = deliverHead(engine, EAST, WEST, 2_000);
    const toEast = deliverHead(engine, WEST, EAST, 2_000);

    // Assess
    expect(toWest).toEqual({ delivered: false, superseded: true });
    expect(toEast).toMatchObject({ delivered: true, announced: true, value: 'from-west' });
    expect(engine.winnerOf('k')?.payload).toBe('from-west');
    expect(stat(engine, EAST)?.superseded).toBe(1);
  });

  it('gives a tie to the region whose name sorts first', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(WEST, change('k', 'from-west', 1_000));
    engine.observe(EAST, change('k', 'from-east', 1_000));

    // Act / Assess
    expect(engine.winnerOf('k')?.payload).toBe('from-east');
    expect(deliverHead(engine, WEST, EAST, 2_000)).toEqual({ delivered: false, superseded: true });
  });

  it('repairs a region whose unseen local write was overwritten by an older replicated one', () => {
    // Prepare: east's write reaches west before west's own, later write was read from west's stream.
    const engine = newEngine();
    engine.observe(EAST, change('k', 'east', 1_000));
    const delivery = deliverHead(engine, EAST, WEST, 1_000);
    if (!delivery.delivered) throw new Error('expected a delivery');
    engine.complete(delivery.attempt, 'applied-echo-pending', 1_001);

    // Act: west's stream shows its own write, then the replicated one on top of it.
    engine.observe(WEST, change('k', 'west', 1_010));
    engine.observe(WEST, change('k', 'east', 1_011));

    // Assess: west's write won, so both regions must end up with it.
    expect(engine.winnerOf('k')?.payload).toBe('west');
    const toEast = engine.due(WEST, EAST, 2_000);
    const repairWest = engine.due(EAST, WEST, 2_000);
    expect(toEast?.write.payload).toBe('west');
    expect(repairWest).toMatchObject({ repair: true, write: { payload: 'west' } });
  });

  it('delivers successive writes to one item in order, each once', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'v1', 1_000));
    engine.observe(EAST, change('k', 'v2', 1_000));
    const written: Value[] = [];

    // Act
    for (;;) {
      const delivery = deliverHead(engine, EAST, WEST, 2_000);
      if (!delivery.delivered) break;
      written.push(delivery.value);
      engine.complete(delivery.attempt, 'applied-echo-pending', 2_000);
    }

    // Assess
    expect(written).toEqual(['v1', 'v2']);
    expect(stat(engine, EAST)?.applied).toBe(2);
  });

  it('takes an identical write as delivered without waiting for an echo that never comes', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'v1', 1_000));
    const delivery = deliverHead(engine, EAST, WEST, 1_000);
    if (!delivery.delivered) throw new Error('expected a delivery');

    // Act
    engine.complete(delivery.attempt, 'applied-no-echo', 1_001);

    // Assess
    expect(engine.idle).toBe(true);
    expect(engine.due(EAST, WEST, 9_999)).toBeUndefined();
  });

  it('keeps a failed delivery at the head and retries it after a backoff', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'v1', 1_000));
    const delivery = deliverHead(engine, EAST, WEST, 1_000);
    if (!delivery.delivered) throw new Error('expected a delivery');

    // Act
    engine.fail(delivery.attempt, 1_000);

    // Assess
    expect(engine.due(EAST, WEST, 1_000)).toBeUndefined();
    expect(engine.due(EAST, WEST, 1_100)?.attempts).toBe(1);
    expect(stat(engine, EAST)?.pending).toBe(1);
  });

  it('refuses the announcement when the target got something newer while the write was prepared', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'east', 1_000));
    const job = engine.due(EAST, WEST, 1_000);
    const attempt = job && engine.begin(job);
    if (!attempt) throw new Error('expected a delivery');

    // Act
    engine.observe(WEST, change('k', 'west', 1_050));
    const announced = attempt.expectEcho('east');
    engine.complete(attempt, 'superseded', 1_060);

    // Assess
    expect(announced).toBe(false);
    expect(stat(engine, EAST)).toMatchObject({ applied: 0, superseded: 1 });
  });

  it('reports pending changes and the age of the oldest', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('a', 'v', 1_000));
    engine.observe(EAST, change('b', 'v', 4_000));

    // Act
    const stats = engine.stats(10_000);

    // Assess
    expect(stats.find((s) => s.from === EAST)).toMatchObject({
      table: 'photos',
      to: WEST,
      pending: 2,
      oldestPendingAgeMs: 9_000,
      lastLagMs: null,
    });
    expect(stats.find((s) => s.from === WEST)).toMatchObject({ pending: 0, oldestPendingAgeMs: null, lastAppliedAt: null });
  });

  it('delivers items of one table out of order, each after its own delay', () => {
    // Prepare: "a" is slow (a hot partition), "b" is fast, though "a" was written first.
    const engine = newEngine((job) => (job.write.key === 'a' ? 5_000 : 100));
    engine.observe(EAST, change('a', 'first', 1_000));
    engine.observe(EAST, change('b', 'second', 1_010));

    // Act
    const at2s = deliverHead(engine, EAST, WEST, 2_000);
    if (!at2s.delivered) throw new Error('expected a delivery');
    engine.complete(at2s.attempt, 'applied-no-echo', 2_000);
    const stillAt2s = engine.due(EAST, WEST, 2_000);
    const at6s = engine.due(EAST, WEST, 6_000);

    // Assess
    expect(at2s.value).toBe('second');
    expect(stillAt2s).toBeUndefined();
    expect(at6s?.write.payload).toBe('first');
    expect(stat(engine, EAST)).toMatchObject({ pending: 1, applied: 1 });
  });

  it('writes one item at a time per target, while other items go in parallel', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'v1', 1_000));
    engine.observe(EAST, change('k', 'v2', 1_001));
    engine.observe(EAST, change('other', 'x', 1_002));

    // Act
    const first = deliverHead(engine, EAST, WEST, 2_000);
    const next = engine.due(EAST, WEST, 2_000);

    // Assess: v2 waits for v1's write; "other" need not.
    expect(first).toMatchObject({ delivered: true, value: 'v1' });
    expect(next?.write.key).toBe('other');
    expect(stat(engine, EAST)?.inFlight).toBe(1);
  });

  it('discards an older write of an item that arrives after a newer one, as last-writer-wins does', () => {
    // Prepare: the first write draws a long delay, the second a short one.
    let n = 0;
    const engine = newEngine(() => (n++ === 0 ? 3_000 : 100));
    engine.observe(EAST, change('k', 'old', 1_000));
    engine.observe(EAST, change('k', 'new', 1_050));
    const newer = deliverHead(engine, EAST, WEST, 1_200);
    if (!newer.delivered) throw new Error('expected a delivery');
    engine.complete(newer.attempt, 'applied-echo-pending', 1_210);
    engine.observe(WEST, change('k', 'new', 1_220));

    // Act
    const older = deliverHead(engine, EAST, WEST, 5_000);

    // Assess
    expect(newer.value).toBe('new');
    expect(older).toEqual({ delivered: false, superseded: true });
    expect(engine.idle).toBe(true);
  });

  it('does not write what the target’s own feed already shows (both regions wrote the same content)', () => {
    // Prepare
    const engine = newEngine();
    engine.observe(EAST, change('k', 'seed', 1_000));
    engine.observe(WEST, change('k', 'seed', 1_001));

    // Act
    const toEast = deliverHead(engine, WEST, EAST, 2_000);
    const toWest = deliverHead(engine, EAST, WEST, 2_000);

    // Assess
    expect(toEast.delivered).toBe(false);
    expect(toWest.delivered).toBe(false);
    expect(engine.idle).toBe(true);
    expect((stat(engine, EAST)?.superseded ?? 0) + (stat(engine, WEST)?.superseded ?? 0)).toBe(1);
    expect((stat(engine, EAST)?.alreadyThere ?? 0) + (stat(engine, WEST)?.alreadyThere ?? 0)).toBe(1);
  });

  it('rejects a single region or an unknown one', () => {
    expect(() => new ReplicationEngine<Value>(() => 't', [EAST, EAST])).toThrow(RangeError);
    expect(() => newEngine().observe('eu-west-1', change('k', 'v', 1))).toThrow(RangeError);
  });
});

/**
 * Two simulated regions with a change feed each, under random interleavings of application
 * writes, feed reads, and deliveries whose write lands long before it is reported complete.
 * Whatever the order, once everything is read and delivered both regions must hold the same
 * value, and it must be the engine's winner.
 */
describe('ReplicationEngine convergence under random interleavings', () => {
  function prng(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  interface SimRegion {
    content: Map<string, Value>;
    feed: ObservedChange<Value>[];
  }

  /** 'stream': DynamoDB (feed read later, no record for a write that changes nothing). 'notify': s3rver (reported before the write returns). */
  function run(
    seed: number,
    feed: 'stream' | 'notify',
  ): { regions: Record<string, SimRegion>; engine: ReplicationEngine<Value>; keys: string[] } {
    const random = prng(seed);
    // Each job draws its own delay: deliveries overtake each other, within and across items.
    const engine = newEngine(() => Math.floor(random() * 8));
    const keys = ['k1', 'k2', 'k3'];
    const regions: Record<string, SimRegion> = { [EAST]: { content: new Map(), feed: [] }, [WEST]: { content: new Map(), feed: [] } };
    // Several deliveries in flight per target at once, at most one per item (the engine's rule).
    const inFlight = new Map<string, Array<{ attempt: ApplyAttempt<Value>; echo: boolean }>>();
    let clock = 1_000;
    let writes = 0;

    const write = (region: string, key: string, value: Value): boolean => {
      const target = regions[region] as SimRegion;
      const before = target.content.get(key) ?? null;
      if (feed === 'stream' && before === value) return false;
      if (feed === 'notify' && before === null && value === null) return false;
      if (value === null) target.content.delete(key);
      else target.content.set(key, value);
      if (feed === 'notify') {
        engine.observe(region, change(key, value, clock));
        return false;
      }
      target.feed.push(change(key, value, 0));
      return true;
    };
    const read = (region: string): boolean => {
      const next = (regions[region] as SimRegion).feed.shift();
      if (!next) return false;
      engine.observe(region, { ...next, observedAt: clock, changeTime: clock });
      return true;
    };
    const startDelivery = (from: string, to: string): boolean => {
      const flights = inFlight.get(to) ?? [];
      if (flights.length >= 2) return false;
      const job = engine.due(from, to, clock);
      if (!job) return false;
      const attempt = engine.begin(job);
      if (!attempt) return true;
      if (!attempt.expectEcho(job.write.fingerprint)) {
        engine.complete(attempt, 'superseded', clock);
        return true;
      }
      inFlight.set(to, [...flights, { attempt, echo: write(to, job.write.key, job.write.payload) }]);
      return true;
    };
    const finishDelivery = (to: string): boolean => {
      const flights = inFlight.get(to) ?? [];
      if (flights.length === 0) return false;
      // Either delivery may finish first.
      const index = Math.floor(random() * flights.length);
      const [flight] = flights.splice(index, 1);
      inFlight.set(to, flights);
      if (!flight) return false;
      engine.complete(flight.attempt, flight.echo ? 'applied-echo-pending' : 'applied-no-echo', clock);
      return true;
    };

    const regionNames = [EAST, WEST];
    for (let step = 0; step < 400; step++) {
      clock += Math.floor(random() * 3);
      const region = regionNames[Math.floor(random() * 2)] as string;
      const peer = region === EAST ? WEST : EAST;
      const action = random();
      if (action < 0.25 && writes < 60) {
        const key = keys[Math.floor(random() * keys.length)] as string;
        const value = random() < 0.2 ? null : `${region}-${writes}`;
        writes++;
        write(region, key, value);
      } else if (action < 0.55) read(region);
      else if (action < 0.8) startDelivery(peer, region);
      else finishDelivery(region);
    }
    // Quiesce: read everything, finish and start deliveries until nothing moves.
    for (let guard = 0; guard < 10_000; guard++) {
      clock += 1;
      let moved = false;
      for (const region of regionNames) {
        const peer = region === EAST ? WEST : EAST;
        moved = read(region) || moved;
        moved = finishDelivery(region) || moved;
        moved = startDelivery(peer, region) || moved;
      }
      if (!moved) break;
    }
    return { regions, engine, keys };
  }

  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  it.each(seeds.flatMap((seed) => [[seed, 'stream'] as const, [seed, 'notify'] as const]))(
    'converges with seed %i (%s feed)',
    (seed, feed) => {
      // Act
      const { regions, engine, keys } = run(seed, feed);

      // Assess
      expect(engine.idle).toBe(true);
      for (const key of keys) {
        const east = regions[EAST]?.content.get(key) ?? null;
        const west = regions[WEST]?.content.get(key) ?? null;
        expect({ key, west }).toEqual({ key, west: east });
        expect(east).toBe(engine.winnerOf(key)?.payload ?? null);
      }
    },
  );
});
