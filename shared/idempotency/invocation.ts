// The running invocation's time budget, for the idempotency record's in-progress expiry. One
// execution environment may serve several invocations at once (the embedded runtime does), so
// the context travels with the async call chain rather than in a module variable.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

const current = new AsyncLocalStorage<InvocationClock>();

/** Runs `fn` as part of the invocation `context` belongs to. */
export function withInvocation<T>(context: InvocationClock | undefined, fn: () => Promise<T>): Promise<T> {
  return context && typeof context.getRemainingTimeInMillis === 'function' ? current.run(context, fn) : fn();
}

/** Milliseconds the running invocation has left, or undefined outside one. */
export function remainingInvocationMs(): number | undefined {
  const remaining = current.getStore()?.getRemainingTimeInMillis();
  return typeof remaining === 'number' && Number.isFinite(remaining) && remaining > 0 ? remaining : undefined;
}
