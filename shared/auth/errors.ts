/** Why a bearer token was refused. Kept coarse on purpose: clients get the reason, never the verifier's internals. */
export type InvalidTokenReason = 'missing' | 'malformed' | 'expired' | 'not-yet-valid' | 'signature' | 'issuer' | 'audience' | 'claims';

/** A JWT that does not prove who the caller is (the local authorizer answers 401). */
export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';
  constructor(readonly reason: InvalidTokenReason) {
    super(`The bearer token was refused (${reason})`);
  }
}

/** A request reached a handler without the identity the authorizer should have attached. */
export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
  constructor(message = 'A valid bearer token is required') {
    super(message);
  }
}
