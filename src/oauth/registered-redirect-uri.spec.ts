import { isRegisteredRedirectUri } from './registered-redirect-uri.js';

describe('isRegisteredRedirectUri', () => {
  const registered = ['http://127.0.0.1/callback', 'http://[::1]/cb', 'http://localhost/cb', 'https://app.example/cb?tab=1'];

  it('matches a registered URI exactly', () => {
    for (const uri of registered) expect(isRegisteredRedirectUri(uri, registered)).toBe(true);
  });

  it('lets a loopback IP literal redirect name any port (RFC 8252 §7.3)', () => {
    for (const uri of ['http://127.0.0.1:51234/callback', 'http://127.0.0.1:80/callback', 'http://[::1]:8080/cb'])
      expect(isRegisteredRedirectUri(uri, registered)).toBe(true);
    expect(isRegisteredRedirectUri('http://127.0.0.1/callback', ['http://127.0.0.1:3000/callback'])).toBe(true);
  });

  it.each([
    ['localhost on another port (§8.3)', 'http://localhost:8080/cb'],
    ['another path on a loopback port', 'http://127.0.0.1:51234/callback/'],
    ['another case', 'http://127.0.0.1:51234/Callback'],
    ['an added query', 'http://127.0.0.1:51234/callback?x=1'],
    ['a fragment', 'http://127.0.0.1:51234/callback#x'],
    ['https on a loopback port, where http is registered', 'https://127.0.0.1:51234/callback'],
    ['userinfo that puts the host elsewhere', 'http://127.0.0.1:80@evil.example/callback'],
    ['a host that only starts like a loopback address', 'http://127.0.0.1.evil.example/callback'],
    ['another loopback address than the one registered', 'http://127.0.0.2:51234/callback'],
    ['a port on a host that is not loopback', 'https://app.example:8443/cb?tab=1'],
    ['a port that is no number', 'http://127.0.0.1:x/callback'],
  ])('refuses %s', (_name, uri) => {
    expect(isRegisteredRedirectUri(uri, registered)).toBe(false);
  });
});
