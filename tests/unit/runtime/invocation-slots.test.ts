import { invocationSlots } from '../../../local/runtime/invocation-slots';

/** A task that settles when the test says so. */
function gate<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('local invocation slots', () => {
  it('runs at most `limit` tasks at once and starts the rest in arrival order', async () => {
    const slots = invocationSlots(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map(() => gate<number>());
    const results = gates.map((g, i) =>
      slots.run(() => {
        started.push(i);
        return g.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([slots.running, slots.waiting]).toEqual([2, 2]);

    gates[1]?.resolve(1);
    await tick();
    expect(started).toEqual([0, 1, 2]);

    gates[0]?.resolve(0);
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]?.resolve(2);
    gates[3]?.resolve(3);
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3]);
    expect([slots.running, slots.waiting]).toEqual([0, 0]);
  });

  it('frees the slot of a task that fails, or throws before it returns a promise, and hands back its error', async () => {
    const slots = invocationSlots(1);
    const failing = gate<never>();
    const first = slots.run(() => failing.promise);
    const second = slots.run(() => {
      throw new Error('at once');
    });
    const third = slots.run(async () => 'ran');
    failing.reject(new Error('later'));
    await expect(first).rejects.toThrow('later');
    await expect(second).rejects.toThrow('at once');
    await expect(third).resolves.toBe('ran');
    expect([slots.running, slots.waiting]).toEqual([0, 0]);
  });

  it('lets the next task start once the running one has held its slot for releaseAfterMs, and frees that slot only once', async () => {
    jest.useFakeTimers();
    try {
      const slots = invocationSlots(1, { releaseAfterMs: 1_000 });
      const slow = gate<string>();
      const started: string[] = [];
      const first = slots.run(() => {
        started.push('slow');
        return slow.promise;
      });
      const second = slots.run(async () => {
        started.push('next');
        return 'next';
      });
      await Promise.resolve();
      jest.advanceTimersByTime(999);
      await Promise.resolve();
      expect(started).toEqual(['slow']);
      jest.advanceTimersByTime(1);
      await expect(second).resolves.toBe('next');
      expect(started).toEqual(['slow', 'next']);
      // The slow one settling later does not free a slot it no longer holds.
      slow.resolve('slow');
      await expect(first).resolves.toBe('slow');
      expect([slots.running, slots.waiting]).toEqual([0, 0]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('starts a task that waited maxWaitMs for a slot beside the running ones, and then keeps to the limit again', async () => {
    jest.useFakeTimers();
    try {
      const slots = invocationSlots(1, { maxWaitMs: 500 });
      const first = gate<string>();
      const started: string[] = [];
      const track = (name: string, promise: Promise<string>) => () => {
        started.push(name);
        return promise;
      };
      const second = gate<string>();
      const running = [slots.run(track('first', first.promise)), slots.run(track('second', second.promise))];
      await Promise.resolve();
      jest.advanceTimersByTime(499);
      expect(started).toEqual(['first']);
      jest.advanceTimersByTime(1);
      expect(started).toEqual(['first', 'second']);
      expect([slots.running, slots.waiting]).toEqual([2, 0]);
      // Two run where one may: a third waits until both have ended, not one.
      const third = slots.run(async () => {
        started.push('third');
        return 'third';
      });
      first.resolve('first');
      await running[0];
      await Promise.resolve();
      expect(started).toEqual(['first', 'second']);
      second.resolve('second');
      await expect(third).resolves.toBe('third');
      expect([slots.running, slots.waiting]).toEqual([0, 0]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a limit that would run nothing', () => {
    expect(() => invocationSlots(0)).toThrow(RangeError);
    expect(() => invocationSlots(1.5)).toThrow(RangeError);
  });
});
