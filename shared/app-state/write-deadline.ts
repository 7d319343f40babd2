// The deadline of the write lease a request was admitted under (docs/fencing.md). The write gate
// sets it when it admits a write; the data clients (shared/aws-clients.ts) send no write after it:
// a write whose lease ended is admitted again first (the gate reads the state again: a region
// still writable gets a new lease, an isolated or fenced one refuses), so no write of this request
// reaches storage outside a lease, even when it was slowed down between the gate and the write.
// One scope per invocation.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  deadline: number | undefined;
  /** Admits the request again (a new lease, or a refusal); set by the gate. */
  readmit: (() => Promise<void>) | undefined;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs `fn` in a fresh scope: a deadline set inside applies to everything `fn` awaits, and to nothing else. */
export function withWriteScope<T>(fn: () => Promise<T>): Promise<T> {
  return scopes.run({ deadline: undefined, readmit: undefined }, fn);
}

/** Sets the current scope's deadline (epoch ms) and how to admit it again once it has passed. No scope: no effect. */
export function setWriteDeadline(deadline: number, readmit?: () => Promise<void>): void {
  const scope = scopes.getStore();
  if (!scope) return;
  scope.deadline = deadline;
  scope.readmit = readmit;
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

/**
 * Resolves when a write may be sent now: no lease was needed (nothing admitted in this scope), or
 * the lease still runs, or the request was admitted again under a new one. Throws the gate's
 * refusal (RegionIsolated, WritesFenced…), or WriteDeadlinePassed when it cannot be admitted again.
 */
export async function beforeWrite(clock: () => number = Date.now): Promise<void> {
  const scope = scopes.getStore();
  if (!scope || scope.deadline === undefined || clock() < scope.deadline) return;
  const expired = scope.deadline;
  if (scope.readmit) await scope.readmit();
  if (scope.deadline === undefined || clock() >= scope.deadline) throw new WriteDeadlinePassed(expired);
}
