import { createLocalJWKSet, decodeProtectedHeader, errors, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { InvalidToken } from './errors';

/*
 * DEVELOPMENT IDENTITY - NOT A SECRET, NEVER TRUSTED ON AWS.
 *
 * Locally there is no Cognito, yet the routes that declare `authorizer: { name: cognito }` must
 * refuse the same tokens the httpApi JWT authorizer refuses on AWS. The local runtime verifies
 * bearer tokens with verifyJwt() against this issuer, audience and public key, and tests and the
 * dev web app sign in with issueDevToken().
 *
 * The private key below is committed on purpose so that every checkout can mint tokens. It is
 * only ever accepted by the local runtime: the AWS authorizer trusts the stage's Cognito user
 * pool (infra/resources/auth.yml) and nothing else, so a token signed with this key is refused
 * there (wrong issuer, unknown key).
 */

/** The `iss` of development tokens. Deliberately not an https URL anyone could serve. */
export const DEV_ISSUER = 'urn:switchyard:dev-issuer';
/** The `aud` of development tokens (Cognito puts its app client id there). */
export const DEV_AUDIENCE = 'switchyard-dev-client';
export const DEV_KEY_ID = 'switchyard-dev-rs256-1';

// RS256 because the httpApi JWT authorizer accepts RSA signatures only (Cognito signs with RS256).
export const DEV_PUBLIC_JWK: JWK = {
  kty: 'RSA',
  kid: DEV_KEY_ID,
  alg: 'RS256',
  use: 'sig',
  e: 'AQAB',
  n: 'n2N9KsuU7HRayi8iLNyJtxyyree-XTLPC-RD32l_macPFx0wLnkCXJ1S4KortfBfEwfICFIfhxsXhgpu23pqY9cQztW4OP14H2Isqs-7-NvLSZIvyp4YAmKyoyEJ9R1AuaNKnyT22hcZIJP2fXKVEuZww1ODYyCWOlgSd_7dW-8_TzKiziTqaloxg8Cg40bvLWvJl-WQq7YAhcpDvlmnLLHu1XT_Q5ven7r1ODNyYQAZKDYbkzsQZen0EeeKnfybaGxul1mAeUt381h_5k8RYXc9vlQIDXQFT72cgLXJJymA6SsIUbouukfaU3IZFUDU8dDtbR3ZmlDWU6BN1jN4Yw',
};

// DEVELOPMENT ONLY, committed on purpose (see above). Exported for tests that sign tokens this
// issuer would never produce (no kid, no aud…).
export const DEV_PRIVATE_JWK: JWK = {
  ...DEV_PUBLIC_JWK,
  d: 'CNcFZ9Aa7ySNWINV0OWWYNqC8Y0c79qMxPIvCtR8S8hRLdQ5X4p2XksMxx6ld_k1dZQvdZzngvXEszpYroioV-eqc1AKfJ3KOofPRitM3tDYHrk-xm0PWyqDvEimexASKwfON5Z7WtpHGmBzVzCyd67iMQ3JB5Xb3yEvIJjVgW7yrz-5X0aqDQsUjpa0ujsZ7vnkqpj8CFb19qBJglhx5eXHcbhfXFAhVKT4JG4MPze0UoTqxX3yAzv9qpo6ocVJABC2vVI5eAtk9ug8MvuDXwWIs1a1J3qMLasHoTNdxExwPeQ7gFFfIq6ke_mZy8tjI_1_V4ryc1sjNsuNEyWgAQ',
  p: '2TkN-Q8z6XDjT-qqbCNZpeqKXe37Xb_sdemfC9lDdnG9jOZjwfuiM8efaGJ0EEBDTXPYmVnfYq32jGxIZYNOWO9kMYc2bRzbrpxIQkbEp2RIQp8cP4X4G1t7fPE7t4UWCzCTCsXclKTN1B56ntjerjqiAsMaoLU3NTkvJaSsiGM',
  q: 'u9dyXfRfTnwIn2qbgFWKp-wpRvlQmZQP92pbTh9AAlDYmdgaq-Eop3K0lG3TToGHQvuXzgqSrEQXjvfWWputLiH7-09A1-4O0YMlluH6I6FTN7GJTq_GmDdBKcm5K1UmtkRjhe6QTLVCrW20U4CgLIjjikvhko4rsJpQVG34UAE',
  dp: 'C39-otlQKSIllhxYywKQAz1H97LaJFs9W_xyw8DLVmCs5OFpFGKKcm01nePgOt_78ASayXs9XM7ShxpQNrddlU2OoySCGAJ4CmURWhi-3hFr1cLwTth7io8sGS_3tj4gLZVzoxVYGLIkhv7aBMB8AQLvgm_rX-hXtMSDH135F_s',
  dq: 'gqtvXbifjCNwhCVPI0leeU4psLvCu_Np3_1WotPOXU4MP4k7lJG_DC0ZPZ_gvN4SUCBhC-4C9l8v3D7AGKvvHwZ5GeuZ-hwaptiKj5mHvr18_GM-V0Sj7EOTyxQPAfvsQCL28LZyH0qApdCI_wWdZx2a3BvJQYAxGFtgwjr14AE',
  qi: 'Qbhamp-iMxnLREPkoMaacXNHwqtqNKvn8w_sLfi9EJCgoXjlnNWuMXPlbGIcyQUhJFAFtAD_HHBIuj3E_vVD9JQ9JibjcP2GHF_OviC-xHHSr0KSyTVjctPAjUjGDiy8fcgt8ilbjk5_Em6Mwirafdsfocvs5yl71cl3zk_1sY0',
};

/** The JWKS document the local issuer would publish. */
export const DEV_JWKS: { keys: JWK[] } = { keys: [DEV_PUBLIC_JWK] };

const DEFAULT_TTL_SECONDS = 3600;

export interface DevTokenRequest {
  sub: string;
  name?: string;
  ttlSeconds?: number;
  /** Overrides for tests that need a token this issuer would never produce. */
  issuer?: string;
  audience?: string;
  now?: Date;
}

/** A development token signed with the committed dev key. */
export async function issueDevToken(request: DevTokenRequest): Promise<string> {
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const ttl = request.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const key = await importJWK(DEV_PRIVATE_JWK, 'RS256');
  const claims: JWTPayload = { token_use: 'id', ...(request.name === undefined ? {} : { name: request.name }) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: DEV_KEY_ID, typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(request.issuer ?? DEV_ISSUER)
    .setAudience(request.audience ?? DEV_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(key);
}

export interface VerifyJwtOptions {
  issuer: string;
  /** Accepted audiences: the token's `aud` or, as Cognito access tokens carry it, `client_id` must be one of them. */
  audience: string | string[];
  /** Public keys to trust. Default: the development key. */
  keys?: JWK[];
  now?: Date;
  /** Default 0, like the httpApi authorizer. */
  clockToleranceSeconds?: number;
}

export interface VerifiedToken {
  /** Absent when the token has none (the authorizer does not require it). */
  sub: string | undefined;
  /** The whole verified claim set, for the local runtime to put in `requestContext.authorizer.jwt.claims`. */
  claims: JWTPayload;
}

function reasonOf(error: unknown): InvalidToken {
  if (error instanceof errors.JWTExpired) return new InvalidToken('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return new InvalidToken('issuer');
    if (error.claim === 'nbf' || error.claim === 'iat') return new InvalidToken('not-yet-valid');
    return new InvalidToken('claims');
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed
  ) {
    return new InvalidToken('signature');
  }
  return new InvalidToken('malformed');
}

/**
 * Verifies a bearer token with exactly the checks the httpApi JWT authorizer makes, and no more
 * ("Control access to HTTP APIs with JWT authorizers", API Gateway developer guide):
 * - `kid`: the header names a key of the issuer's JWKS, and that key signed the token (RSA only);
 * - `iss` equals the authorizer's issuer;
 * - `aud` is one of the audiences; `client_id` is looked at only when there is no `aud`
 *   ("When both aud and client_id are present, API Gateway evaluates aud");
 * - `exp` is after the current time, `nbf` and `iat` (when present) not after it.
 * `sub` is not the authorizer's business: the functions refuse a token without a usable one
 * (shared/auth/caller.ts). Throws InvalidToken with the reason.
 */
export async function verifyJwt(token: string | undefined, options: VerifyJwtOptions): Promise<VerifiedToken> {
  if (!token) throw new InvalidToken('missing');
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new InvalidToken('malformed');
  }
  // jose would fall back to the only key of the set; API Gateway matches the key by kid.
  if (typeof kid !== 'string' || kid === '') throw new InvalidToken('signature');
  const keys = createLocalJWKSet({ keys: options.keys ?? DEV_JWKS.keys });
  const tolerance = options.clockToleranceSeconds ?? 0;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      algorithms: ['RS256'],
      clockTolerance: tolerance,
      requiredClaims: ['exp', 'iss'],
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (error) {
    throw reasonOf(error);
  }
  // jose checks `iat` only against a maximum token age; the authorizer wants it not in the future.
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + tolerance) throw new InvalidToken('not-yet-valid');
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  const tokenAudiences =
    payload.aud !== undefined
      ? Array.isArray(payload.aud)
        ? payload.aud
        : [payload.aud]
      : typeof payload.client_id === 'string'
        ? [payload.client_id]
        : [];
  if (!tokenAudiences.some((aud) => audiences.includes(aud))) throw new InvalidToken('audience');
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  return { sub, claims: payload };
}

/**
 * The token of the Authorization header, as the authorizer's identity source reads it: either
 * `Bearer <token>` or the bare token. Undefined when the header is absent or is some other scheme.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const value = (authorization ?? '').trim();
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (match) return match[1];
  return /^\S+$/.test(value) ? value : undefined;
}
