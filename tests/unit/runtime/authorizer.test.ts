import { devAuthorizer } from '../../../local/runtime/authorizer';
import { issueDevToken } from '../../../shared/auth/dev-identity';

describe('the local JWT authorizer', () => {
  const t0 = Date.parse('2026-12-01T12:00:00Z');

  it('answers a verified token with its claims until its exp, and not a moment after, kept or not', async () => {
    const token = await issueDevToken({ sub: 'alice', ttlSeconds: 60, now: new Date(t0) });
    const first = await devAuthorizer('dev', `Bearer ${token}`, () => t0 + 1_000);
    expect(first).toMatchObject({ sub: 'alice' });
    // Kept: the same answer without verifying again…
    expect(await devAuthorizer('dev', `Bearer ${token}`, () => t0 + 59_999)).toEqual(first);
    // …but never past exp.
    expect(await devAuthorizer('dev', `Bearer ${token}`, () => t0 + 60_000)).toBeNull();
  });

  it('refuses a token whose signature does not match, even after the genuine one was kept', async () => {
    const token = await issueDevToken({ sub: 'bob', ttlSeconds: 60, now: new Date(t0) });
    expect(await devAuthorizer('dev', `Bearer ${token}`, () => t0)).not.toBeNull();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'mallory' })).toString('base64url')}.${signature}`;
    expect(await devAuthorizer('dev', `Bearer ${forged}`, () => t0)).toBeNull();
    expect(await devAuthorizer('dev', undefined, () => t0)).toBeNull();
  });

  it('refuses a token that is not valid yet, and answers it once it is', async () => {
    const token = await issueDevToken({ sub: 'carol', ttlSeconds: 60, now: new Date(t0 + 10_000) });
    expect(await devAuthorizer('dev', `Bearer ${token}`, () => t0)).toBeNull();
    expect(await devAuthorizer('dev', `Bearer ${token}`, () => t0 + 10_000)).toMatchObject({ sub: 'carol' });
  });
});
