import { InvalidIdempotencyKey } from './errors';

/** JSON the idempotency store can keep and give back on a retry. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

export interface IdempotentRequest {
  /**
   * Who and what: a key is only ever matched within its scope (user + route), so two users,
   * or one user on two routes, can never collide on the same key.
   */
  scope: string;
  /** From the Idempotency-Key header; without one the write simply runs. */
  key: string | undefined;
  /** What the request asked for: a retry must ask for the same, or it is refused. */
  payload: Json;
}

/** Port: runs a write at most once per (scope, key); a retry gets the first result back (so it must be plain JSON). */
export interface IdempotentWrites {
  run<T>(request: IdempotentRequest, write: () => Promise<T>): Promise<T>;
}

const KEY = /^[A-Za-z0-9_-]{8,128}$/;

/** The Idempotency-Key header (any casing), undefined when absent; throws InvalidIdempotencyKey when malformed. */
export function idempotencyKeyFrom(headers: Record<string, string | undefined> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'idempotency-key');
  if (entry === undefined || entry[1] === undefined) return undefined;
  if (!KEY.test(entry[1])) throw new InvalidIdempotencyKey();
  return entry[1];
}
