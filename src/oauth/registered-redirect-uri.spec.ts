import { isRegisteredRedirectUri } from './registered-redirect-uri.js';

describe('isRegisteredRedirectUri', () => {
  const registered = ['http://127.0.0.1/callback', 'http://[::1]/cb', 'http://localhost/cb', 'https://app.example/cb?tab=1'];
  const native = { type: 'public', redirectUris: registered } as const;

  it('matches a registered URI exactly', () => {
    for (const uri of registered) expect(isRegisteredRedirectUri(uri, native)).toBe(true);
  });

  it('lets a loopback IP literal redirect name any port (RFC 8252 §7.3)', () => {
    for (const uri of [
      'http://127.0.0.1:51234/callback',
      'http://127.0.0.1:1/callback',
      'http://127.0.0.1:65535/callback',
      'http://[::1]:8080/cb',
    ])
      expect(isRegisteredRedirectUri(uri, native)).toBe(true);
    expect(isRegisteredRedirectUri('http://127.0.0.1/callback', { type: 'public', redirectUris: ['http://127.0.0.1:3000/callback'] })).toBe(
      true,
    );
  });

  it('keeps a confidential client’s loopback redirect exact: a web server’s, not a native app’s', () => {
    const confidential = { type: 'confidential', redirectUris: registered } as const;
    expect(isRegisteredRedirectUri('http://127.0.0.1/callback', confidential)).toBe(true);
    expect(isRegisteredRedirectUri('http://127.0.0.1:51234/callback', confidential)).toBe(false);
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
    // No URL parser takes these: a code could never be sent there (RFC 6335 §6: ports are 0–65535, 0 reserved).
    ['a port past 65535', 'http://127.0.0.1:65536/callback'],
    ['a five-digit port past 65535', 'http://127.0.0.1:99999/callback'],
    ['port 0', 'http://127.0.0.1:0/callback'],
  ])('refuses %s', (_name, uri) => {
    expect(isRegisteredRedirectUri(uri, native)).toBe(false);
  });
});
