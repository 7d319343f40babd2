import { Unauthenticated } from './errors';

/** Who is calling, as the httpApi JWT authorizer (on AWS) or the local authorizer proved it. */
export interface Caller {
  userId: string;
  /** Display name from the token's `name` claim, when it is usable as plain text. */
  name?: string;
}

/** The slice of an httpApi v2 event that carries the authorizer's verified claims. */
export interface EventWithJwtClaims {
  requestContext?: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
}

// The subject ends up inside storage keys and idempotency scopes: a strict alphabet keeps
// it from ever being read as a key separator. Cognito subjects are UUIDs.
const SUBJECT = /^[A-Za-z0-9._@:-]{1,128}$/;
const MAX_NAME_LENGTH = 100;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * The caller named by `requestContext.authorizer.jwt.claims.sub`. Throws Unauthenticated when the
 * claims are missing: a route that needs a user must never run as "nobody".
 */
export function callerFromEvent(event: EventWithJwtClaims): Caller {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || !SUBJECT.test(sub)) throw new Unauthenticated();
  const name = typeof claims?.name === 'string' ? claims.name.normalize('NFC').trim() : '';
  // A bad display name is the identity provider's data, not the caller's input: drop it rather than refuse.
  const usableName = name.length > 0 && name.length <= MAX_NAME_LENGTH && !UNPRINTABLE.test(name);
  return usableName ? { userId: sub, name } : { userId: sub };
}
