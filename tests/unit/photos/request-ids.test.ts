import { IdempotencyKeyOutOfRange } from '../../../shared/idempotency/errors';
import { ID_PATTERN, newId, ulidTime } from '../../../shared/photos/ids';
import { requestScopedId } from '../../../shared/photos/request-ids';

const now = new Date('2026-12-01T10:00:00.000Z');
const keyAt = (ms: number) => newId(new Date(ms));

describe('requestScopedId', () => {
  it('gives every attempt of a request the same id, with the key’s time', () => {
    // Prepare
    const key = keyAt(now.getTime() - 5_000);

    // Act
    const first = requestScopedId({ scope: 'alice|POST /photos', key, now });
    const retry = requestScopedId({ scope: 'alice|POST /photos', key, now: new Date(now.getTime() + 60_000) });

    // Assess
    expect(retry).toEqual(first);
    expect(first.id).toMatch(ID_PATTERN);
    expect(first.deterministic).toBe(true);
    expect(ulidTime(first.id)).toBe(now.getTime() - 5_000);
    expect(first.at.toISOString()).toBe('2026-12-01T09:59:55.000Z');
    // Not the key itself: another caller's id cannot be chosen by sending it as a key.
    expect(first.id).not.toBe(key);
  });

  it('gives two callers (or two routes) with the same key different ids', () => {
    const key = keyAt(now.getTime());
    const alice = requestScopedId({ scope: 'alice|POST /photos', key, now });
    const bob = requestScopedId({ scope: 'bob|POST /photos', key, now });
    expect(alice.id).not.toBe(bob.id);
    expect(alice.id.slice(0, 10)).toBe(bob.id.slice(0, 10));
  });

  it('orders ids by the keys’ time', () => {
    const ids = [3, 1, 2].map((s) => requestScopedId({ scope: 'a', key: keyAt(now.getTime() - s * 1000), now }).id);
    expect([...ids].sort()).toEqual([ids[0], ids[2], ids[1]]);
  });

  it('refuses a key more than an hour old or more than 5 minutes ahead', () => {
    expect(() => requestScopedId({ scope: 'a', key: keyAt(now.getTime() - 3_600_001), now })).toThrow(IdempotencyKeyOutOfRange);
    expect(() => requestScopedId({ scope: 'a', key: keyAt(now.getTime() + 300_001), now })).toThrow(IdempotencyKeyOutOfRange);
    expect(requestScopedId({ scope: 'a', key: keyAt(now.getTime() + 300_000), now }).deterministic).toBe(true);
  });

  it('falls back to a fresh id for a key that is not a ULID, or none', () => {
    const a = requestScopedId({ scope: 'a', key: 'retry-key-0001', now });
    const b = requestScopedId({ scope: 'a', key: 'retry-key-0001', now });
    expect(a.deterministic).toBe(false);
    expect(a.id).not.toBe(b.id);
    expect(a.at).toEqual(now);
    expect(requestScopedId({ scope: 'a', key: undefined, now }).deterministic).toBe(false);
  });
});
