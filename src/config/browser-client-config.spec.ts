import { parseConfig } from './config.loader.js';
import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const raw = (client: Record<string, unknown>, realm: Record<string, unknown> = {}) => ({
  environment: 'test',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [
    {
      name: 'r',
      ...realm,
      clients: [
        { clientId: 'spa', type: 'public', redirectUris: ['https://spa.example/cb'], grantTypes: ['authorization_code'], ...client },
      ],
    },
  ],
});

describe('client webOrigins, redirect URIs and realm scopes', () => {
  it('defaults to no web origins and no realm scopes', () => {
    const config = parseConfig(raw({}), 'test', {});
    expect(config.realms[0].clients[0].webOrigins).toEqual([]);
    expect(config.realms[0].scopes).toEqual([]);
  });

  it('takes origins, "+" and scope tokens', () => {
    const config = parseConfig(raw({ webOrigins: ['+', 'http://localhost:3000'] }, { scopes: ['xis'] }), 'test', {});
    expect(config.realms[0].clients[0].webOrigins).toEqual(['+', 'http://localhost:3000']);
    expect(config.realms[0].scopes).toEqual(['xis']);
  });

  it.each([
    ['a path', 'https://spa.example/app'],
    ['a trailing slash', 'https://spa.example/'],
    ['an upper-case host', 'https://SPA.example'],
    ['a wildcard', '*'],
    ['another scheme', 'ftp://spa.example'],
  ])('refuses a web origin with %s, naming the key', (_name, origin) => {
    expect(problemsOf(raw({ webOrigins: [origin] }))).toEqual([
      expect.stringMatching(/^realms\[0\]\.clients\[0\]\.webOrigins\[0\]: must be an origin/),
    ]);
  });

  it.each([
    ['a fragment', 'https://spa.example/cb#x', /must not have a fragment/],
    ['an empty fragment', 'https://spa.example/cb#', /must not have a fragment/],
    ['a javascript: URI', 'javascript:alert(1)', /must not be a javascript: URI/],
    ['a data: URI', 'data:text/html,hi', /must not be a data: URI/],
    ['only a path', '/callback', /must be an absolute URI/],
    ['no URI at all', 'not a url', /must be an absolute URI/],
    ['a scheme and nothing after it', 'http://', /must be an absolute URI/],
  ])('refuses a redirect URI with %s, naming the key, for logout too', (_name, uri, message) => {
    expect(problemsOf(raw({ redirectUris: [uri] }))).toEqual([expect.stringMatching(/^realms\[0\]\.clients\[0\]\.redirectUris\[0\]: /)]);
    expect(problemsOf(raw({ redirectUris: [uri] }))[0]).toMatch(message);
    expect(problemsOf(raw({ postLogoutRedirectUris: [uri] }))).toEqual([
      expect.stringMatching(/^realms\[0\]\.clients\[0\]\.postLogoutRedirectUris\[0\]: /),
    ]);
  });

  it('takes a redirect URI with a query, a loopback port or a native app’s own scheme', () => {
    const uris = ['https://spa.example/cb?tab=1', 'http://127.0.0.1:8123/cb', 'com.example.app:/oauth2redirect'];
    expect(parseConfig(raw({ redirectUris: uris }), 'test', {}).realms[0].clients[0].redirectUris).toEqual(uris);
  });

  it('refuses a realm scope that is not a scope token', () => {
    expect(problemsOf(raw({}, { scopes: ['two words'] }))).toEqual([
      expect.stringMatching(/^realms\[0\]\.scopes\[0\]: is not a valid scope token/),
    ]);
  });
});
