// Ids fixed by the request itself, so that a retry in the other region after a failover writes
// the same item instead of a second one (server side: it hashes with node:crypto).
import { createHash } from 'node:crypto';
import { IdempotencyKeyOutOfRange } from '../idempotency/errors';
import { ID_PATTERN, newId, ulidTime } from './ids';

/** 80 bits of sha256(parts), as the 16 base32 digits of a ULID's random part. */
function hashedRandomPart(parts: string[]): Uint8Array {
  return new Uint8Array(createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 10));
}

/**
 * How far the time of a client-generated key may be from the server's clock. Past: a client
 * retries for minutes at most (the idempotency record is kept a day, so an older retry of a
 * write that succeeded is answered from it before any id is made). Future: clock skew.
 */
export const REQUEST_ID_MAX_AGE_MS = 60 * 60 * 1000;
export const REQUEST_ID_MAX_SKEW_MS = 5 * 60 * 1000;

export interface RequestScopedId {
  id: string;
  /** When the request was first made (the key's time) for a ULID key, else now. */
  at: Date;
  /** True when the id is the same for every attempt of the request, in any region. */
  deterministic: boolean;
}

/**
 * The id of the item a creating request makes. With a ULID Idempotency-Key (what the web app
 * and the drills send) the id is fixed by the request itself: the key's time part (so ids still
 * sort by when the request was first made, which orders comments) and 80 bits hashed from the
 * caller's scope and the key (so two callers' keys never collide). Every attempt, in either
 * region, writes the same item: a retry after a failover cannot create a second one. Any other
 * key, or none, gets a fresh random ULID (exactly-once then holds within a region only, by the
 * idempotency record).
 */
export function requestScopedId(args: { scope: string; key: string | undefined; now: Date }): RequestScopedId {
  const { key, now } = args;
  if (key === undefined || !ID_PATTERN.test(key)) return { id: newId(now), at: now, deterministic: false };
  const time = ulidTime(key);
  if (time < now.getTime() - REQUEST_ID_MAX_AGE_MS || time > now.getTime() + REQUEST_ID_MAX_SKEW_MS) throw new IdempotencyKeyOutOfRange();
  const at = new Date(time);
  return { id: newId(at, () => hashedRandomPart([args.scope, key])), at, deterministic: true };
}
