import { generateKeyPair, importJWK, SignJWT } from 'jose';
import {
  bearerToken,
  DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_KEY_ID,
  DEV_PRIVATE_JWK,
  issueDevToken,
  verifyJwt,
} from '../../../shared/auth/dev-identity';
import { InvalidToken } from '../../../shared/auth/errors';

const options = { issuer: DEV_ISSUER, audience: DEV_AUDIENCE };

/** A token signed with the dev key, shaped by `edit`; what the dev issuer would never produce is opted out. */
async function signed(
  edit: (jwt: SignJWT) => SignJWT,
  claims: Record<string, unknown> = {},
  omit: { audience?: false; kid?: false; subject?: false } = {},
): Promise<string> {
  const key = await importJWK(DEV_PRIVATE_JWK, 'RS256');
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', ...(omit.kid === false ? {} : { kid: DEV_KEY_ID }) })
    .setIssuer(DEV_ISSUER)
    .setIssuedAt()
    .setExpirationTime('1h');
  if (omit.subject !== false) jwt = jwt.setSubject('alice');
  if (omit.audience !== false) jwt = jwt.setAudience(DEV_AUDIENCE);
  return edit(jwt).sign(key);
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidToken) return error.reason;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('development identity', () => {
  it('issues tokens that verify, with the subject and name', async () => {
    // Prepare
    const token = await issueDevToken({ sub: 'alice', name: 'Alice' });

    // Act
    const verified = await verifyJwt(token, options);

    // Assess
    expect(verified.sub).toBe('alice');
    expect(verified.claims).toEqual(expect.objectContaining({ sub: 'alice', name: 'Alice', iss: DEV_ISSUER, aud: DEV_AUDIENCE }));
  });

  it('refuses a missing token', async () => {
    // Act / Assess
    await expect(reasonOf(verifyJwt(undefined, options))).resolves.toBe('missing');
  });

  it('refuses an expired token', async () => {
    // Prepare: issued two hours ago, valid for one
    const token = await issueDevToken({ sub: 'alice', now: new Date(Date.now() - 7_200_000), ttlSeconds: 3600 });

    // Act / Assess
    await expect(reasonOf(verifyJwt(token, options))).resolves.toBe('expired');
  });

  it('refuses a token signed by another key with the dev key id (forged)', async () => {
    // Prepare: an attacker's RSA key, claiming to be the dev key
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: DEV_KEY_ID })
      .setSubject('alice')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

    // Act / Assess
    await expect(reasonOf(verifyJwt(forged, options))).resolves.toBe('signature');
  });

  it('refuses a token whose payload was edited after signing', async () => {
    // Prepare: swap the payload of a genuine token for one naming another user
    const [header, , signature] = (await issueDevToken({ sub: 'alice' })).split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'mallory', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString('base64url');

    // Act / Assess
    await expect(reasonOf(verifyJwt(`${header}.${payload}.${signature}`, options))).resolves.toBe('signature');
  });

  it('refuses an unsigned (alg: none) token', async () => {
    // Prepare
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'alice', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: 9_999_999_999 })).toString(
      'base64url',
    );

    // Act / Assess
    await expect(reasonOf(verifyJwt(`${header}.${payload}.`, options))).resolves.toBe('signature');
  });

  it('refuses a token of another issuer', async () => {
    // Prepare
    const token = await issueDevToken({ sub: 'alice', issuer: 'https://evil.example' });

    // Act / Assess
    await expect(reasonOf(verifyJwt(token, options))).resolves.toBe('issuer');
  });

  it('refuses a token for another audience', async () => {
    // Prepare
    const token = await issueDevToken({ sub: 'alice', audience: 'some-other-app' });

    // Act / Assess
    await expect(reasonOf(verifyJwt(token, options))).resolves.toBe('audience');
  });

  it('refuses a token issued in the future (iat after now), as the httpApi authorizer does', async () => {
    // Prepare: iat one minute from now, still unexpired
    const token = await issueDevToken({ sub: 'alice', now: new Date(Date.now() + 60_000), ttlSeconds: 3600 });

    // Act / Assess
    await expect(reasonOf(verifyJwt(token, options))).resolves.toBe('not-yet-valid');
  });

  it('refuses a token whose nbf lies in the future', async () => {
    // Prepare
    const token = await signed((jwt) => jwt.setNotBefore(Math.floor(Date.now() / 1000) + 60));

    // Act / Assess
    await expect(reasonOf(verifyJwt(token, options))).resolves.toBe('not-yet-valid');
  });

  it('evaluates aud when the token has one, client_id only when it has none', async () => {
    // Prepare: a matching client_id does not rescue a foreign aud; it counts when aud is absent
    const foreignAud = await signed((jwt) => jwt.setAudience('some-other-app'), { client_id: DEV_AUDIENCE });
    const clientIdOnly = await signed((jwt) => jwt, { client_id: DEV_AUDIENCE }, { audience: false });

    // Act / Assess
    await expect(reasonOf(verifyJwt(foreignAud, options))).resolves.toBe('audience');
    await expect(verifyJwt(clientIdOnly, options)).resolves.toEqual(expect.objectContaining({ sub: 'alice' }));
  });

  it('refuses a token without a key id, even when the only trusted key signed it', async () => {
    // Prepare
    const token = await signed((jwt) => jwt, {}, { kid: false });

    // Act / Assess
    await expect(reasonOf(verifyJwt(token, options))).resolves.toBe('signature');
  });

  it('does not require sub: that is for the functions to refuse', async () => {
    // Prepare
    const token = await signed((jwt) => jwt, {}, { subject: false });

    // Act
    const verified = await verifyJwt(token, options);

    // Assess
    expect(verified.sub).toBeUndefined();
  });

  it('refuses garbage', async () => {
    // Act / Assess
    await expect(reasonOf(verifyJwt('not.a.jwt', options))).resolves.toBe('malformed');
  });

  it('reads the token of a Bearer header, or a bare token, as the identity source does', () => {
    // Act / Assess
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
