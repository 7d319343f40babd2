import { bearerToken, DEV_AUDIENCE, DEV_ISSUER, verifyJwt } from '../../shared/auth/dev-identity';

/** Verified tokens kept, at most (the drills use a handful; a full cache starts again). */
const CACHE_LIMIT = 1_000;
const verified = new Map<string, { claims: Record<string, unknown>; expiresAtMs: number }>();

/**
 * The httpApi JWT authorizer of the local regions: the claims of a valid bearer token issued by
 * the dev identity (shared/auth/dev-identity.ts), or null (→ 401).
 *
 * A token that verified stays valid until its `exp` (its signature, issuer and audience do not
 * change, and `nbf`/`iat` were already past), so it is not verified again before then: the RSA
 * check ran on the runtime's main thread for every request (2 % of that thread under the drills'
 * load). The answers are the same as verifying every time; a token that failed is never kept.
 */
export async function devAuthorizer(
  _authorizer: string,
  authorization: string | undefined,
  now: () => number = Date.now,
): Promise<Record<string, unknown> | null> {
  const token = bearerToken(authorization);
  const known = token === undefined ? undefined : verified.get(token);
  if (known && now() < known.expiresAtMs) return known.claims;
  try {
    const result = await verifyJwt(token, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, now: new Date(now()) });
    const claims = result.claims as Record<string, unknown>;
    if (token !== undefined && typeof result.claims.exp === 'number') {
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.set(token, { claims, expiresAtMs: result.claims.exp * 1000 });
    }
    return claims;
  } catch {
    if (token !== undefined) verified.delete(token);
    return null;
  }
}
