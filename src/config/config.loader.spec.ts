import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkConfig } from '../cli/config-check.js';
import { ConfigError } from './config.error.js';
import { loadConfigFile, parseConfig } from './config.loader.js';
import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const minimal = () => ({
  environment: 'development',
  publicUrl: 'https://auth.example/',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [
    { name: 'nemlogin', clients: [{ clientId: 'portal', type: 'confidential', secret: 's3cret', grantTypes: ['client_credentials'] }] },
  ],
});

/** A config production takes, with `patch` on top. */
const production = (patch: object = {}) => ({
  ...minimal(),
  environment: 'production',
  keys: { encryptionKey: 'production-grade-key-encryption-key-0123456789' },
  fhir: { baseUrl: 'https://fhir.example/R4' },
  realms: [{ name: 'nemlogin' }],
  ...patch,
});

describe('config loading', () => {
  it('applies defaults and strips the trailing slash of publicUrl', () => {
    const config = parseConfig(minimal(), 'test', {});
    expect(config.publicUrl).toBe('https://auth.example');
    expect(config.database).toEqual({ url: '', dataDir: 'data/pglite' });
    expect(config.realms[0]).toMatchObject({ accessTokenTtl: 300, sessionIdle: 1800, sessionMax: 36000, signingAlg: 'ES256' });
  });

  it('reports every offending path with its reason, not just the first', () => {
    const raw: any = minimal();
    raw.realms[0].signingAlg = 'HS256';
    raw.realms[0].clients[0].grantTypes = ['password'];
    raw.realms[0].clients.push({ clientId: 'portal', type: 'public', grantTypes: ['client_credentials'] });
    raw.realms.push({ name: 'Bad Name' });
    raw.unknownKey = 1;
    const problems = problemsOf(raw);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^realms\[0\]\.signingAlg: /),
        expect.stringMatching(/^realms\[0\]\.clients\[0\]\.grantTypes\[0\]: /),
        expect.stringMatching(/^realms\[0\]\.clients\[1\]\.grantTypes: a public client may only use/),
        expect.stringMatching(/^realms\[1\]\.name: may contain only/),
        expect.stringMatching(/unknownKey/),
      ]),
    );
  });

  it('names a client’s or trusted issuer’s key that cannot verify a signature, inline or in its file, by key path and index', () => {
    const raw: any = minimal();
    const privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const dir = mkdtempSync(join(tmpdir(), 'client-keys-'));
    const file = join(dir, 'client.jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [privateJwk] }));
    raw.realms[0].clients.push(
      { clientId: 'inline', type: 'confidential', jwks: { keys: [{ kty: 'oct', k: 'AAAA' }] }, grantTypes: ['client_credentials'] },
      { clientId: 'filed', type: 'confidential', jwksFile: file, grantTypes: ['client_credentials'] },
    );
    raw.realms[0].trustedIssuers = [{ issuer: 'https://partner.example', jwks: { keys: [privateJwk] }, algorithms: ['ES256'] }];
    expect(problemsOf(raw).sort()).toEqual([
      'realms[0].clients[1].jwks: keys[0] is not an asymmetric key (kty EC, RSA or OKP)',
      'realms[0].trustedIssuers[0].jwks: keys[0] holds private key material: register the public key alone',
    ]);
    const config = join(dir, 'config.json');
    raw.realms[0].clients.splice(1, 1);
    delete raw.realms[0].trustedIssuers;
    writeFileSync(config, JSON.stringify(raw));
    expect(() => loadConfigFile(config, {})).toThrow(
      `realms[0].clients[1].jwksFile: ${file}: keys[0] holds private key material: register the public key alone`,
    );
  });

  it('reports duplicate client ids and realm names once the entries themselves are valid', () => {
    const raw: any = minimal();
    raw.realms[0].clients.push({ ...raw.realms[0].clients[0] });
    raw.realms.push({ name: 'nemlogin' });
    expect(problemsOf(raw)).toEqual([
      'realms[0].clients[1].clientId: duplicate clientId "portal"',
      'realms[1].name: duplicate name "nemlogin"',
    ]);
  });

  it('substitutes ${VAR} and ${VAR:-default} from the environment, inside values only', () => {
    const raw: any = minimal();
    raw.realms[0].clients[0].secret = '${PORTAL_SECRET}';
    raw.keys.encryptionKey = '${KEY:-a-default-encryption-key-of-32-chars}';
    const config = parseConfig(raw, 'test', { PORTAL_SECRET: 'from-env: {not: yaml}' });
    expect(config.realms[0]!.clients[0]!.secret).toBe('from-env: {not: yaml}');
    expect(config.keys.encryptionKey).toBe('a-default-encryption-key-of-32-chars');
  });

  it('names the key whose environment variable is missing', () => {
    const raw: any = minimal();
    raw.realms[0].clients[0].secret = '${PORTAL_SECRET}';
    expect(problemsOf(raw)).toContain('realms[0].clients[0].secret: environment variable PORTAL_SECRET is not set');
  });

  it('lets PORT, PUBLIC_URL, DATABASE_URL and FHIR_BASE_URL override the file', () => {
    const config = parseConfig(minimal(), 'test', {
      PORT: '9090',
      PUBLIC_URL: 'https://other.example',
      DATABASE_URL: 'postgres://db/fed',
      FHIR_BASE_URL: 'https://fhir.example/R4',
    });
    expect(config).toMatchObject({
      port: 9090,
      publicUrl: 'https://other.example',
      database: { url: 'postgres://db/fed' },
      fhir: { baseUrl: 'https://fhir.example/R4' },
    });
    expect(problemsOf(minimal(), { PORT: 'eighty' })).toEqual([expect.stringMatching(/^port: /)]);
  });

  it('refuses a managementPort equal to port, naming the key (the second listen would fail with EADDRINUSE alone)', () => {
    expect(problemsOf({ ...minimal(), port: 9000, managementPort: 9000 })).toEqual([
      'managementPort: must differ from port (9000): it serves /metrics apart from the public port',
    ]);
    expect(problemsOf(minimal(), { MANAGEMENT_PORT: '8080' })).toHaveLength(1);
    expect(problemsOf({ ...minimal(), port: 9000, managementPort: 9001 })).toEqual([]);
    // Port 0: each listen gets a port of its own from the system.
    expect(problemsOf({ ...minimal(), port: 0, managementPort: 0 })).toEqual([]);
  });

  it('refuses in production: mocked users, embedded FHIR, a demo key and short secrets', () => {
    const raw: any = {
      ...minimal(),
      environment: 'production',
      keys: { encryptionKey: 'demo-only-key-encryption-key-not-for-production' },
    };
    raw.realms[0].mockUsers = [{ username: 'supplier', kind: 'generic' }];
    expect(problemsOf(raw).sort()).toEqual([
      'fhir.baseUrl: the embedded FHIR server is refused in production',
      'keys.encryptionKey: a demo key is refused in production',
      'realms[0].clients[0].secret: must be at least 32 characters in production',
      'realms[0].mockUsers: mocked users are refused in production',
    ]);
  });

  it('takes a previous secret only beside a secret, in one form, not the current one, with an ISO 8601 until', () => {
    const withPrevious = (client: object) => {
      const raw: any = minimal();
      raw.realms[0].clients = [{ clientId: 'portal', type: 'confidential', grantTypes: ['client_credentials'], ...client }];
      return problemsOf(raw);
    };
    const until = '2027-01-31T12:00:00Z';
    const sha = (secret: string) => createHash('sha256').update(secret).digest('hex');
    expect(withPrevious({ secret: 'new-secret', previousSecret: { secret: 'old-secret', until } })).toEqual([]);
    expect(withPrevious({ secretSha256: sha('new-secret'), previousSecret: { secretSha256: sha('old-secret'), until } })).toEqual([]);
    expect(withPrevious({ secret: 'new-secret', previousSecret: { secret: 'old-secret' } })).toEqual([
      'realms[0].clients[0].previousSecret.until: must be an ISO 8601 time with its offset, such as 2027-01-31T12:00:00Z',
    ]);
    expect(withPrevious({ secret: 'new-secret', previousSecret: { secret: 'old-secret', until: '31-01-2027' } })).toEqual([
      'realms[0].clients[0].previousSecret.until: must be an ISO 8601 time with its offset, such as 2027-01-31T12:00:00Z',
    ]);
    expect(withPrevious({ secret: 'new-secret', previousSecret: { secret: 'old-secret', until: '2027-01-31T12:00:00' } })).toHaveLength(1);
    expect(withPrevious({ secret: 'new-secret', previousSecret: { until } })).toEqual([
      'realms[0].clients[0].previousSecret: needs exactly one of secret, secretSha256',
    ]);
    expect(
      withPrevious({ secret: 'new-secret', previousSecret: { secret: 'old-secret', secretSha256: sha('old-secret'), until } }),
    ).toEqual(['realms[0].clients[0].previousSecret: needs exactly one of secret, secretSha256']);
    expect(withPrevious({ secret: 'new-secret', previousSecret: { secretSha256: sha('new-secret'), until } })).toEqual([
      'realms[0].clients[0].previousSecret: is the current secret: give the one being replaced',
    ]);
    expect(
      withPrevious({ jwks: { keys: [] }, previousSecret: { secret: 'old-secret', until } }).filter((p) => p.includes('previousSecret')),
    ).toEqual(['realms[0].clients[0].previousSecret: only a client authenticated by secret or secretSha256 has a previous secret']);
  });

  it('refuses in production a short previous secret, or the digest of a demo secret as one', () => {
    const raw = production({
      realms: [
        {
          name: 'nemlogin',
          clients: [
            {
              clientId: 'portal',
              type: 'confidential',
              secret: 'x'.repeat(40),
              previousSecret: { secret: 'short', until: '2027-01-31T12:00:00Z' },
              grantTypes: ['client_credentials'],
            },
            {
              clientId: 'system',
              type: 'confidential',
              secret: 'y'.repeat(40),
              previousSecret: {
                secretSha256: createHash('sha256').update('demo-portal-secret').digest('hex'),
                until: '2027-01-31T12:00:00Z',
              },
              grantTypes: ['client_credentials'],
            },
          ],
        },
      ],
    });
    expect(problemsOf(raw)).toEqual([
      'realms[0].clients[0].previousSecret.secret: must be at least 32 characters in production',
      "realms[0].clients[1].previousSecret.secretSha256: the digest of the demo config's portal secret, published with this repository's source, is refused in production",
    ]);
  });

  it('refuses in production the digest of a secret the demo config publishes, where no length check sees it', () => {
    const withDigest = (secret: string) =>
      production({
        realms: [
          {
            name: 'nemlogin',
            clients: [
              {
                clientId: 'portal',
                type: 'confidential',
                secretSha256: createHash('sha256').update(secret).digest('hex'),
                grantTypes: ['client_credentials'],
              },
            ],
          },
        ],
      });
    expect(problemsOf(withDigest('demo-portal-secret'))).toEqual([
      "realms[0].clients[0].secretSha256: the digest of the demo config's portal secret, published with this repository's source, is refused in production",
    ]);
    expect(problemsOf(withDigest('x'.repeat(40)))).toEqual([]);
  });

  it('refuses trustProxy: true in production, naming the key, and takes the proxies by address', () => {
    expect(problemsOf(production({ trustProxy: true }))).toEqual([
      expect.stringMatching(/^trustProxy: true takes X-Forwarded-For's first address/),
    ]);
    for (const trusted of [false, ['10.0.0.0/8'], ['192.0.2.10', '2001:db8::/32']])
      expect(problemsOf(production({ trustProxy: trusted }))).toEqual([]);
    for (const wrong of [1, [], 'yes'])
      expect(problemsOf(production({ trustProxy: wrong }))).toEqual([expect.stringMatching(/^trustProxy: /)]);
    // An entry Fastify could not compile is refused by its key, not by a TypeError when the server is built.
    expect(problemsOf({ ...minimal(), trustProxy: ['loopback', '10.0.0.0/33', 'proxy.internal'] })).toEqual([
      'trustProxy[1]: is not an IP address, a CIDR, or one of loopback, linklocal and uniquelocal',
      'trustProxy[2]: is not an IP address, a CIDR, or one of loopback, linklocal and uniquelocal',
    ]);
    expect(problemsOf({ ...minimal(), trustProxy: true })).toEqual([]);
  });

  it('refuses an http publicUrl in production, naming the key: the issuer of every token (OIDC Discovery §3: https)', () => {
    expect(problemsOf(production({ publicUrl: 'http://auth.example' }))).toEqual([
      'publicUrl: must be an https URL in production: it is the issuer of every token (OpenID Connect Discovery 1.0 §3)',
    ]);
    expect(problemsOf(production({ publicUrl: 'https://other.example' }), { PUBLIC_URL: 'http://auth.example' })).toHaveLength(1);
    expect(problemsOf(production({ publicUrl: 'https://auth.example' }))).toEqual([]);
    expect(problemsOf({ ...minimal(), publicUrl: 'http://localhost:8080' })).toEqual([]);
  });

  it('refuses in production every key of the repository’s test fixtures, private or public, in whatever file or form, naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const copy = (fixture: string) => {
      const file = join(dir, fixture.replaceAll('/', '_').replace('TEST-ONLY', 'renamed'));
      writeFileSync(file, readFileSync(fixture, 'utf8'));
      return file;
    };
    const fixtureJwks = JSON.parse(readFileSync('fixtures/keys/demo-xis-client.jwks.json', 'utf8')) as { keys: object[] };
    const otherJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    // An IdP's metadata whose signing certificate is the test IdP's.
    const certificate = readFileSync('fixtures/saml/idp-signing.crt', 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
    const metadata = join(dir, 'idp-metadata.xml');
    writeFileSync(
      metadata,
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="urn:idp2"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${certificate}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp2.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`,
    );
    const withFixtureKeys = (environment: string) =>
      production({
        environment,
        realms: [
          {
            name: 'nemlogin',
            signingKeyFile: copy('fixtures/keys/demo-xis-client.TEST-ONLY-private.jwk.json'),
            serviceProvider: {
              signingKey: 'fixtures/saml/sp-signing.TEST-ONLY.key',
              signingCertificate: 'fixtures/saml/sp-signing.crt',
              decryptionKey: readFileSync('fixtures/saml/sp-encryption.TEST-ONLY.key', 'utf8'),
              decryptionCertificate: copy('fixtures/saml/sp-encryption.crt'),
            },
            identityProviders: [
              {
                alias: 'idp',
                profile: 'oiosaml3-citizen',
                entityId: 'urn:idp',
                ssoUrl: 'https://idp.example/sso',
                signingCertificates: ['fixtures/saml/idp-signing.crt'],
              },
              { alias: 'idp2', profile: 'oiosaml3-citizen', metadataFile: metadata },
            ],
            clients: [
              {
                clientId: 'xis',
                type: 'confidential',
                jwksFile: 'fixtures/keys/demo-xis-client.jwks.json',
                grantTypes: ['client_credentials'],
              },
              // Behind a key of its own, the test key is found all the same (a key that does not read is refused by the schema now: verifying-keys.spec.ts).
              {
                clientId: 'other',
                type: 'confidential',
                jwks: { keys: [otherJwk, ...fixtureJwks.keys] },
                grantTypes: ['client_credentials'],
              },
            ],
            trustedIssuers: [{ issuer: 'https://issuer.example', jwks: fixtureJwks, algorithms: ['ES256'] }],
          },
        ],
      });
    const problemsIn = (environment: string) => {
      const file = join(dir, `${environment}.yaml`);
      writeFileSync(file, JSON.stringify(withFixtureKeys(environment)));
      try {
        loadConfigFile(file, {});
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    const refused = (where: string, fixture: string) =>
      `${where}: the key of ${fixture}, published with this repository's source, is refused in production`;
    expect(problemsIn('production')).toEqual([
      refused('realms[0].signingKeyFile', 'fixtures/keys/demo-xis-client'),
      refused('realms[0].serviceProvider.signingKey', 'fixtures/saml/sp-signing'),
      refused('realms[0].serviceProvider.decryptionKey', 'fixtures/saml/sp-encryption'),
      refused('realms[0].serviceProvider.signingCertificate', 'fixtures/saml/sp-signing'),
      refused('realms[0].serviceProvider.decryptionCertificate', 'fixtures/saml/sp-encryption'),
      refused('realms[0].identityProviders[0].signingCertificates[0]', 'fixtures/saml/idp-signing'),
      refused('realms[0].identityProviders[1].metadataFile', 'fixtures/saml/idp-signing'),
      refused('realms[0].clients[0].jwksFile', 'fixtures/keys/demo-xis-client'),
      refused('realms[0].clients[1].jwks', 'fixtures/keys/demo-xis-client'),
      refused('realms[0].trustedIssuers[0].jwks', 'fixtures/keys/demo-xis-client'),
    ]);
    expect(problemsIn('test')).toEqual([]);
  });

  it('finds a test key in a metadataFile however the XML writes the certificate: in CDATA, or with character references between its lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const lines = readFileSync('fixtures/saml/idp-signing.crt', 'utf8')
      .replace(/-----[A-Z ]+-----/g, '')
      .trim()
      .split(/\s+/);
    const problemsWith = (written: string) => {
      const metadata = join(dir, 'idp-metadata.xml');
      writeFileSync(
        metadata,
        `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="urn:idp"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${written}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`,
      );
      const raw = production({
        realms: [
          {
            name: 'nemlogin',
            // Refused too (the filter below leaves them out): production accepts no key of the fixtures.
            serviceProvider: { signingKey: 'fixtures/saml/sp-signing.TEST-ONLY.key', signingCertificate: 'fixtures/saml/sp-signing.crt' },
            identityProviders: [{ alias: 'idp', profile: 'oiosaml3-citizen', metadataFile: metadata }],
          },
        ],
      });
      const file = join(dir, 'production.yaml');
      writeFileSync(file, JSON.stringify(raw));
      try {
        loadConfigFile(file, {});
      } catch (error) {
        return (error as ConfigError).problems.filter((problem) => problem.includes('metadataFile'));
      }
      return [];
    };
    const refusal = [
      "realms[0].identityProviders[0].metadataFile: the key of fixtures/saml/idp-signing, published with this repository's source, is refused in production",
    ];
    expect(problemsWith(`<![CDATA[${lines.join('\n')}]]>`)).toEqual(refusal);
    expect(problemsWith(lines.join('&#13;\n'))).toEqual(refusal);
    expect(problemsWith(`${lines.join('&#xD;&#xA;')}`)).toEqual(refusal);
  });

  it('treats a config without environment as production, so the production refusals apply', () => {
    const { environment: _omitted, ...raw } = minimal();
    expect(problemsOf(raw)).toContain('fhir.baseUrl: the embedded FHIR server is refused in production');
  });

  it('needs exactly one credential for a confidential client and none for a public one', () => {
    const raw: any = minimal();
    raw.realms[0].clients.push({ clientId: 'a', type: 'confidential', grantTypes: ['client_credentials'] });
    raw.realms[0].clients.push({ clientId: 'b', type: 'public', secret: 'x', grantTypes: ['authorization_code'] });
    expect(problemsOf(raw)).toEqual([
      'realms[0].clients[1].secret: a confidential client needs exactly one of secret, secretSha256, jwks, jwksFile',
      'realms[0].clients[2].secret: a public client has no credentials',
    ]);
  });

  it('reports an unreadable or non-YAML file as one problem naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'broken.yaml'), 'realms: [unclosed');
    expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml:\n {2}- cannot read the file/);
    expect(() => loadConfigFile(join(dir, 'broken.yaml'))).toThrow(/not valid YAML/);
  });

  it.each([
    [
      'a nested mapping',
      'keys:\n  encryptionKey: s3cret-key-material: 0123456789abcdef\nrealms: []\n',
      'not valid YAML at line 2, column 18 (BLOCK_AS_IMPLICIT_KEY)',
    ],
    ['a block scalar header', 'keys:\n  encryptionKey: |s3cret\n    x\n', 'not valid YAML at line 2, column 19 (UNEXPECTED_TOKEN)'],
    ['an escape', 'keys:\n  encryptionKey: "s3cret\\q"\n', 'not valid YAML at line 2, column 25 (BAD_DQ_ESCAPE)'],
    ['an alias without its anchor', 'keys:\n  encryptionKey: *s3cret\n', 'not valid YAML: an alias whose anchor is not set before it'],
    [
      'aliases that expand without bound',
      `s3cret: &a [x, x, x, x, x, x, x, x, x]\n${['b', 'c', 'd', 'e'].map((n, i) => `${n}: &${n} [${`*${'abcd'[i]},`.repeat(9)}]`).join('\n')}\n`,
      'not valid YAML: too many aliases (a document that expands without bound)',
    ],
  ])('says where a file is not YAML without quoting it (%s): the lines around a mistake may hold a secret', (_what, text, problem) => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'secret.yaml');
    writeFileSync(file, text);
    const error = (() => {
      try {
        loadConfigFile(file);
      } catch (thrown) {
        return thrown as ConfigError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.problems).toEqual([problem]);
    expect(error.message).not.toContain('s3cret');
  });

  it('prints no warning quoting the file for a tag it does not know (the schema refuses the value instead)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'tagged.yaml');
    writeFileSync(file, 'keys:\n  encryptionKey: !s3cret x\n');
    const emit = jest.spyOn(process, 'emitWarning');
    try {
      expect(() => loadConfigFile(file, {})).toThrow(ConfigError);
      expect(emit).not.toHaveBeenCalled();
    } finally {
      emit.mockRestore();
    }
  });

  it('config:check validates the demo config and exits 1 with every problem for a bad file', () => {
    expect(checkConfig('fixtures/config/demo.yaml', {})).toMatchObject({ exitCode: 0, output: expect.stringContaining('valid') });
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'publicUrl: not-a-url\nkeys: { encryptionKey: short }\nrealms: []\n');
    const result = checkConfig(join(dir, 'bad.yaml'), {});
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/publicUrl: /);
    expect(result.output).toMatch(/keys\.encryptionKey: must be at least 32 characters/);
    expect(result.output).toMatch(/realms: /);
  });

  it("config:check reads each realm's SAML keys and certificates as the service does when it starts", () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
    const nemlogin = raw.realms.findIndex((realm: { name: string }) => realm.name === 'nemlogin');
    // Readable, so the loader passes it; but a certificate where the private key should be.
    raw.realms[nemlogin].serviceProvider = {
      signingKey: 'fixtures/saml/sp-signing.crt',
      signingCertificate: 'fixtures/saml/sp-signing.crt',
    };
    raw.realms[nemlogin].identityProviders = [
      {
        alias: 'nemlog-in',
        profile: 'oiosaml3-citizen',
        entityId: 'urn:idp',
        ssoUrl: 'https://idp.example/sso',
        signingCertificates: ['fixtures/saml/idp-signing.crt'],
      },
    ];
    writeFileSync(join(dir, 'bad-sp.yaml'), stringify(raw));
    expect(checkConfig(join(dir, 'bad-sp.yaml'), {})).toEqual({
      exitCode: 1,
      output: `invalid configuration in ${join(dir, 'bad-sp.yaml')}:\n  - realms.nemlogin.serviceProvider.signingKey: expected exactly one PEM private key`,
    });
  });
});

/** Files named in the config are read at load: a bad one names its key path, the file and the reason, never its contents. */
describe('config loading: files the config names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-files-'));
  const SECRET = 'AAAA-not-a-real-key-but-secret-looking';
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const problemsLoading = (patch: (raw: any) => void): string[] => {
    const raw: any = minimal();
    raw.realms.unshift({ name: 'other' });
    patch(raw);
    const file = write('config.yaml', JSON.stringify(raw));
    try {
      loadConfigFile(file, {});
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    return [];
  };
  const withJwksFile = (file: string) => (raw: any) => {
    raw.realms[1].clients[0] = { clientId: 'portal', type: 'confidential', jwksFile: file, grantTypes: ['client_credentials'] };
  };

  it('a missing jwksFile: the indexed key path, the file and "not found"', () => {
    expect(problemsLoading(withJwksFile('/nonexistent/x.jwks.json'))).toEqual([
      'realms[1].clients[0].jwksFile: cannot read /nonexistent/x.jwks.json: not found',
    ]);
  });

  it('a jwksFile of malformed JSON, or not a JWK Set, without quoting it', () => {
    const malformed = write('malformed.jwks.json', `{"keys": [{"d": "${SECRET}"`);
    expect(problemsLoading(withJwksFile(malformed))).toEqual([`realms[1].clients[0].jwksFile: ${malformed} is not valid JSON (malformed)`]);
    const notASet = write('not-a-set.jwks.json', `{"d": "${SECRET}"}`);
    expect(problemsLoading(withJwksFile(notASet))).toEqual([
      `realms[1].clients[0].jwksFile: ${notASet} is not a JWK Set (an object with a "keys" list)`,
    ]);
  });

  it('a signingKeyFile missing, or holding neither a PEM private key nor a private JWK, without its contents', () => {
    expect(problemsLoading((raw) => (raw.realms[0].signingKeyFile = '/nonexistent/key.pem'))).toEqual([
      'realms[0].signingKeyFile: cannot read /nonexistent/key.pem: not found',
    ]);
    const garbage = write('garbage.pem', `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`);
    const problems = problemsLoading((raw) => (raw.realms[0].signingKeyFile = garbage));
    expect(problems).toEqual([`realms[0].signingKeyFile: ${garbage} is not a PEM private key or a private JWK`]);
    const jwk = write('garbage.jwk.json', `{"kty": "EC", "d": "${SECRET}"`);
    expect(problemsLoading((raw) => (raw.realms[0].signingKeyFile = jwk))).toEqual([
      `realms[0].signingKeyFile: ${jwk} is not valid JSON (malformed)`,
    ]);
  });

  it('a signingKeyFile that cannot sign the realm’s signingAlg, before the service starts (config:check too)', () => {
    const rsa = write(
      'rsa.pem',
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    const small = write(
      'rsa-1024.pem',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    // The realm signs ES256 unless configured: an RSA key cannot.
    expect(problemsLoading((raw) => (raw.realms[0].signingKeyFile = rsa))).toEqual([
      `realms[0].signingKeyFile: ${rsa} is not a key for ES256 (RFC 7518 §3.4: EC on P-256)`,
    ]);
    expect(problemsLoading((raw) => ((raw.realms[0].signingKeyFile = small), (raw.realms[0].signingAlg = 'RS256')))).toEqual([
      `realms[0].signingKeyFile: ${small} is not a key for RS256 (RFC 7518 §3.3: RSA of 2048 bits or more)`,
    ]);
    expect(problemsLoading((raw) => ((raw.realms[0].signingKeyFile = rsa), (raw.realms[0].signingAlg = 'RS256')))).toEqual([]);
  });

  it('a signingKeyFile holding the key of an earlier realm, by path or in another file: each realm signs with its own key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = write('shared.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const jwk = write('shared.jwk.json', JSON.stringify(privateKey.export({ format: 'jwk' })));
    const other = write(
      'other.pem',
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    expect(problemsLoading((raw) => ((raw.realms[0].signingKeyFile = pem), (raw.realms[1].signingKeyFile = pem)))).toEqual([
      `realms[1].signingKeyFile: ${pem} holds the same key as realms[0].signingKeyFile; each realm signs with its own key`,
    ]);
    expect(problemsLoading((raw) => ((raw.realms[0].signingKeyFile = pem), (raw.realms[1].signingKeyFile = jwk)))).toEqual([
      `realms[1].signingKeyFile: ${jwk} holds the same key as realms[0].signingKeyFile; each realm signs with its own key`,
    ]);
    expect(problemsLoading((raw) => ((raw.realms[0].signingKeyFile = pem), (raw.realms[1].signingKeyFile = other)))).toEqual([]);
    // config:check says so too: it loads the config as the service does.
    const raw: any = minimal();
    raw.realms.unshift({ name: 'other', signingKeyFile: pem });
    raw.realms[1].signingKeyFile = jwk;
    writeFileSync(join(dir, 'shared-key.yaml'), stringify(raw));
    expect(checkConfig(join(dir, 'shared-key.yaml'), {})).toEqual({
      exitCode: 1,
      output: `invalid configuration in ${join(dir, 'shared-key.yaml')}:\n  - realms[1].signingKeyFile: ${jwk} holds the same key as realms[0].signingKeyFile; each realm signs with its own key`,
    });
  });

  it('SAML key files and IdP metadata files by their indexed key path', () => {
    const problems = problemsLoading((raw) => {
      raw.realms[1].serviceProvider = { signingKey: '/nonexistent/sp.key', signingCertificate: '/nonexistent/sp.crt' };
      raw.realms[1].identityProviders = [{ alias: 'idp', profile: 'generic', metadataFile: '/nonexistent/idp.xml' }];
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'realms[1].serviceProvider.signingKey: cannot read /nonexistent/sp.key: not found',
        'realms[1].serviceProvider.signingCertificate: cannot read /nonexistent/sp.crt: not found',
        'realms[1].identityProviders[0].metadataFile: cannot read /nonexistent/idp.xml: not found',
      ]),
    );
    expect(problems.join('\n')).not.toContain(SECRET);
  });
});
