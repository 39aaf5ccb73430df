import { ConfigError } from './config.error.js';
import { parseConfig } from './config.loader.js';

const ISSUER = 'https://auth.example/realms/nemlogin';

/** A realm with one client granted `roles`, naming `audience` when given. */
const withClient = (client: { roles: string[]; audience?: string[] }, realm: { defaultAudience?: string } = {}) => ({
  environment: 'development',
  publicUrl: 'https://auth.example/',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [
    {
      name: 'nemlogin',
      ...realm,
      clients: [{ clientId: 'auditor', type: 'confidential', secret: 's3cret', grantTypes: ['client_credentials'], ...client }],
    },
  ],
});

const problemsOf = (raw: unknown): string[] => {
  try {
    parseConfig(raw, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('config schema: admin clients and their audience (RFC 9068 §4)', () => {
  it('refuses an admin client whose audience leaves out the realm’s issuer', () => {
    expect(problemsOf(withClient({ roles: ['view-events'], audience: ['xis'] }))).toEqual([
      `realms[0].clients[0].audience: an admin client's tokens must name the realm's issuer ${ISSUER}, or the admin API refuses them`,
    ]);
  });

  it('refuses an admin client without an audience where the realm’s defaultAudience replaces the issuer', () => {
    expect(problemsOf(withClient({ roles: ['manage-users'] }, { defaultAudience: 'xis' }))).toEqual([
      `realms[0].clients[0].audience: an admin client needs an audience naming the realm's issuer ${ISSUER}: the realm's defaultAudience would replace it`,
    ]);
  });

  it('accepts an admin client whose tokens carry the issuer, and any audience for a client without an admin role', () => {
    expect(problemsOf(withClient({ roles: ['view-events'] }))).toEqual([]);
    expect(problemsOf(withClient({ roles: ['view-events'], audience: ['xis', ISSUER] }, { defaultAudience: 'xis' }))).toEqual([]);
    expect(problemsOf(withClient({ roles: ['view-events'] }, { defaultAudience: ISSUER }))).toEqual([]);
    expect(problemsOf(withClient({ roles: ['system'], audience: ['xis'] }, { defaultAudience: 'xis' }))).toEqual([]);
  });
});
