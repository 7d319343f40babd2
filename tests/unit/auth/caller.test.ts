import { callerFromEvent } from '../../../shared/auth/caller';
import { Unauthenticated } from '../../../shared/auth/errors';

const withClaims = (claims: Record<string, unknown> | undefined) => ({ requestContext: { authorizer: { jwt: { claims } } } });

describe('callerFromEvent', () => {
  it('names the caller by the verified subject', () => {
    // Act
    const caller = callerFromEvent(withClaims({ sub: '5f1c2d3e-0000-4000-8000-000000000001', name: 'Alice' }));

    // Assess
    expect(caller).toEqual({ userId: '5f1c2d3e-0000-4000-8000-000000000001', name: 'Alice' });
  });

  it.each([
    ['no authorizer at all', {}],
    ['no claims', withClaims(undefined)],
    ['no subject', withClaims({ name: 'Alice' })],
    ['an empty subject', withClaims({ sub: '' })],
    ['a subject with a key separator', withClaims({ sub: 'alice|admin' })],
    ['a subject with a path', withClaims({ sub: '../alice' })],
  ])('refuses %s', (_label, event) => {
    // Act / Assess
    expect(() => callerFromEvent(event)).toThrow(Unauthenticated);
  });

  it('drops an unusable display name rather than refusing the caller', () => {
    // Act
    const caller = callerFromEvent(withClaims({ sub: 'alice', name: 'evil\u202ename' }));

    // Assess
    expect(caller).toEqual({ userId: 'alice' });
  });
});
