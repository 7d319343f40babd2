// One way to wait for something asynchronous (replication, an alarm, an execution's end) in the
// tests and the drills. It lives under local/ because the drills cannot depend on test code;
// tests/support/runtime.ts re-exports it for the tests.

type Falsy = undefined | null | false;

/**
 * Polls `probe` until it returns a truthy value and returns that value. A probe that throws is
 * polled again (a region may be cut while it is asked); after `timeoutMs` it rejects, naming
 * `what` it waited for, with the last value or error the probe gave. The deadline only keeps a
 * broken run from hanging: callers assert on what was reached, never on how long it took.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | Falsy> | T | Falsy,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } = { value: undefined };
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        'error' in last
          ? `last error: ${(last.error as Error)?.message ?? String(last.error)}`
          : `last value: ${JSON.stringify(last.value)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
