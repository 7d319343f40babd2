import { bearerToken, DEV_AUDIENCE, DEV_ISSUER, verifyJwt } from '../../shared/auth/dev-identity';

/**
 * The httpApi JWT authorizer of the local regions: the claims of a valid bearer token issued by
 * the dev identity (shared/auth/dev-identity.ts), or null (→ 401).
 */
export async function devAuthorizer(_authorizer: string, authorization: string | undefined): Promise<Record<string, unknown> | null> {
  try {
    const verified = await verifyJwt(bearerToken(authorization), { issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
    return verified.claims as Record<string, unknown>;
  } catch {
    return null;
  }
}
