import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/config.loader.js';
import type { Config } from '../../src/config/config.schema.js';

export const TEST_SECRETS = {
  portal: 'test-portal-secret-0123456789abcdef',
  system: 'test-system-secret-0123456789abcdef',
  web: 'test-web-secret-0123456789abcdef0123',
} as const;

/** `allowed` and `other` are both the portal's tenants; `forbidden` is nobody's. */
export const TEST_TENANTS = { allowed: '01234567', other: '07654321', forbidden: '11111111' } as const;

/** A target the portal's exchange policy names by URI, as an RFC 8707 `resource` names one. */
export const XIS_ARCHIVE_RESOURCE = 'https://xis-archive.example/fhir';

/** The test client's private key for `private_key_jwt` (a clearly named test-only fixture). */
export const XIS_CLIENT_PRIVATE_JWK = JSON.parse(
  readFileSync('fixtures/keys/demo-xis-client.TEST-ONLY-private.jwk.json', 'utf8'),
) as Record<string, string>;

/** A config for one test instance: in-memory PGlite unless a database is handed in. */
export function testConfig(publicUrl: string, patch: (raw: Record<string, any>) => void = () => {}): Config {
  const raw: Record<string, any> = {
    environment: 'test',
    publicUrl,
    logLevel: 'info',
    database: { url: '', dataDir: 'memory://' },
    fhir: { baseUrl: 'embedded', seed: 'fixtures/fhir/demo.json', timeoutMs: 2000 },
    keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
    realms: [
      {
        name: 'nemlogin',
        accessTokenTtl: 300,
        patientIdentifierSystem: 'urn:oid:1.2.208.176.1.2',
        minimumLoa: 'Substantial',
        mockUsers: [
          { username: 'alice', kind: 'citizen', ssn: '0101011234', name: { given: ['Alice'], family: 'Andersen' } },
          { username: 'lowloa', kind: 'citizen', ssn: '0202021234', loa: 'Low' },
        ],
        clients: [
          {
            clientId: 'portal',
            type: 'confidential',
            secret: TEST_SECRETS.portal,
            grantTypes: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token'],
            scopes: ['xis', 'patient/*.read'],
            tenants: [TEST_TENANTS.allowed, TEST_TENANTS.other],
            audience: ['xis'],
            tokenExchange: { audiences: ['xis', 'xis-archive', XIS_ARCHIVE_RESOURCE], refreshTokens: true },
          },
          {
            clientId: 'system',
            type: 'confidential',
            secret: TEST_SECRETS.system,
            grantTypes: ['client_credentials'],
            scopes: ['system/*.read'],
            roles: ['system'],
          },
          {
            clientId: 'xis',
            type: 'confidential',
            jwksFile: 'fixtures/keys/demo-xis-client.jwks.json',
            grantTypes: ['client_credentials'],
            scopes: ['portal'],
          },
          {
            clientId: 'patient-app',
            type: 'public',
            redirectUris: ['http://127.0.0.1/callback', 'https://app.example/cb?tab=1'],
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'profile', 'patient/*.read'],
          },
          {
            clientId: 'web',
            type: 'confidential',
            secret: TEST_SECRETS.web,
            redirectUris: ['http://127.0.0.1/web/callback'],
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'profile'],
          },
        ],
      },
      { name: 'ehealth', signingAlg: 'RS256', clients: [] },
      { name: 'ssl', signingAlg: 'EdDSA', clients: [] },
    ],
  };
  patch(raw);
  return parseConfig(raw, 'test config', {});
}
