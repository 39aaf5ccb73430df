import { ConfigError } from './config.error.js';
import { parseConfig } from './config.loader.js';

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

const problemsOf = (config: unknown): string[] => {
  try {
    parseConfig(config, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('client webOrigins and realm scopes', () => {
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

  it('refuses a realm scope that is not a scope token', () => {
    expect(problemsOf(raw({}, { scopes: ['two words'] }))).toEqual([
      expect.stringMatching(/^realms\[0\]\.scopes\[0\]: is not a valid scope token/),
    ]);
  });
});
