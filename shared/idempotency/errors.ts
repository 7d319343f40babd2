/** The Idempotency-Key header is present but not a usable key. */
export class InvalidIdempotencyKey extends Error {
  override readonly name = 'InvalidIdempotencyKey';
  constructor() {
    super('Idempotency-Key must be 8 to 128 characters of letters, digits, "-" or "_"');
  }
}

/** The same key was sent again with a different request: it cannot be a retry. */
export class IdempotencyKeyReused extends Error {
  override readonly name = 'IdempotencyKeyReused';
  constructor() {
    super('This Idempotency-Key was already used with a different request');
  }
}

/** A request with the same key is still being processed; the client should retry shortly. */
export class IdempotentRequestInProgress extends Error {
  override readonly name = 'IdempotentRequestInProgress';
  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly');
  }
}

/** The Idempotency-Key is a ULID, but its time is too far from now to be a fresh request. */
export class IdempotencyKeyOutOfRange extends Error {
  override readonly name = 'IdempotencyKeyOutOfRange';
  constructor() {
    super('The Idempotency-Key is a ULID whose time is more than an hour old or more than 5 minutes ahead; use a new key');
  }
}
