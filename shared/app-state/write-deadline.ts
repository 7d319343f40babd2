// The deadline of the write lease a request was admitted under (docs/fencing.md). The write gate
// sets it when it admits a write; the data clients (shared/aws-clients.ts) refuse to send a
// write after it, so no write of this request can reach storage once its lease has ended, even
// when it was slowed down between the gate and the write. One scope per invocation.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  deadline: number | undefined;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs `fn` in a fresh scope: a deadline set inside applies to everything `fn` awaits, and to nothing else. */
export function withWriteScope<T>(fn: () => Promise<T>): Promise<T> {
  return scopes.run({ deadline: undefined }, fn);
}

/** Sets the current scope's deadline (epoch ms); keeps the earlier one if already set. No scope: no effect. */
export function setWriteDeadline(deadline: number): void {
  const scope = scopes.getStore();
  if (scope) scope.deadline = scope.deadline === undefined ? deadline : Math.min(scope.deadline, deadline);
}

/** The current scope's deadline, if a write was admitted in it. */
export function writeDeadline(): number | undefined {
  return scopes.getStore()?.deadline;
}

/** Thrown instead of sending a write whose lease has ended. */
export class WriteDeadlinePassed extends Error {
  override readonly name = 'WriteDeadlinePassed';
  readonly code = 'WRITE_LEASE_EXPIRED';
  constructor(readonly deadline: number) {
    super('The write was not sent: the lease it was admitted under has ended; retry');
  }
}

/** Throws WriteDeadlinePassed when the current scope's deadline has passed at `now`. */
export function assertBeforeWriteDeadline(now: number = Date.now()): void {
  const deadline = writeDeadline();
  if (deadline !== undefined && now >= deadline) throw new WriteDeadlinePassed(deadline);
}
