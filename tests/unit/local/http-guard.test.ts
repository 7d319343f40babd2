import { isLoopbackHost, parseTarget } from '../../../local/http-guard';

describe('the request guard of the local servers', () => {
  it.each([
    ['/photos/%ZZ', 'a malformed escape'],
    ['/photos/%E2%82', 'a truncated UTF-8 sequence'],
    ['/a/%', 'a lone percent sign'],
    ['/%C0%AF', 'an overlong UTF-8 encoding'],
    ['*', 'the asterisk form'],
    ['http://evil.example/x', 'the absolute form'],
    [undefined, 'no target'],
  ])('refuses %s (%s)', (url, _label) => {
    // Act / Assess
    expect(parseTarget(url)).toBeUndefined();
  });

  it('keeps the raw path for routing and signatures, and decodes each segment once', () => {
    // Act
    const target = parseTarget('/bucket/uploads/a%20b/%2e%2e/%2F?x-id=PutObject&q=%ZZ');

    // Assess: dot segments are not resolved; the query is parsed leniently, never thrown on
    expect(target).toEqual(
      expect.objectContaining({
        rawPath: '/bucket/uploads/a%20b/%2e%2e/%2F',
        rawQuery: 'x-id=PutObject&q=%ZZ',
        segments: ['', 'bucket', 'uploads', 'a b', '..', '/'],
      }),
    );
    expect(target?.query.get('q')).toBe('%ZZ');
  });

  it.each([
    ['127.0.0.1:4100', true],
    ['localhost:4100', true],
    ['LOCALHOST', true],
    ['[::1]:4100', true],
    ['evil.example:4100', false],
    ['127.0.0.1.evil.example', false],
    [undefined, false],
  ])('Host %s names this machine: %s', (host, expected) => {
    // Act / Assess
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
