import { checkConfig } from '../cli/config-check.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from './config.loader.js';
import { productionWarnings } from './production-warnings.js';
import { configProblems } from '../../test/support/config-problems.js';

const SECRET = 'a-production-grade-client-secret-0123456789';

/** A production config that draws no warning; `patch` changes its one realm. */
const production = (realm: object = {}, top: object = {}) => ({
  environment: 'production',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'production-grade-key-encryption-key-0123456789' },
  database: { url: 'postgres://federation@db.example/federation' },
  fhir: { baseUrl: 'https://fhir.example/R4' },
  realms: [
    {
      name: 'nemlogin',
      clients: [
        {
          clientId: 'app',
          type: 'confidential',
          secret: SECRET,
          redirectUris: ['https://app.example/cb', 'http://127.0.0.1:8400/cb', 'http://localhost/cb', 'dk.example.app:/cb'],
          grantTypes: ['authorization_code'],
          backchannelLogoutUri: 'https://app.example/bcl',
        },
      ],
      ...realm,
    },
  ],
  ...top,
});

const keysOf = (raw: object) => productionWarnings(parseConfig(raw, 'test', {})).map((w) => w.key);

describe('production warnings', () => {
  it('says nothing of a config whose every peer is https, on PostgreSQL, and loopback redirects', () => {
    expect(keysOf(production())).toEqual([]);
  });

  it('names embedded PGlite, plain-http FHIR servers, back-channel logout and redirect URIs, each by its key', () => {
    const app = production().realms[0]!.clients[0]!;
    const raw = production(
      {
        fhir: { baseUrl: 'http://fhir-nemlogin.internal/R4' },
        clients: [
          { ...app, redirectUris: ['https://app.example/cb', 'http://app.example/cb'], backchannelLogoutUri: 'http://app.internal/bcl' },
        ],
      },
      { database: { url: '' }, fhir: { baseUrl: 'http://fhir.internal/R4' } },
    );
    expect(keysOf(raw)).toEqual([
      'database.url',
      'fhir.baseUrl',
      'realms.nemlogin.fhir.baseUrl',
      'realms.nemlogin.clients.app.backchannelLogoutUri',
      'realms.nemlogin.clients.app.redirectUris[1]',
    ]);
    // A warning, not a refusal: such a config starts.
    expect(configProblems(raw)).toEqual([]);
  });

  it('names a plain-http redirect URI on a name that only begins like a loopback address (RFC 8252 §7.3: IP literals)', () => {
    const app = production().realms[0]!.clients[0]!;
    const raw = production({ clients: [{ ...app, redirectUris: ['http://127.0.0.1.nip.io/cb', 'http://127.1.2.3/cb'] }] });
    expect(keysOf(raw)).toEqual(['realms.nemlogin.clients.app.redirectUris[0]']);
  });

  it('names an IdP whose hand-written SAML endpoints are plain http', () => {
    const realm = {
      serviceProvider: { signingKey: 'k', signingCertificate: 'c' },
      identityProviders: [
        {
          alias: 'nl',
          profile: 'generic',
          entityId: 'urn:idp',
          ssoUrl: 'http://idp.example/sso',
          sloUrl: 'http://idp.example/slo',
          signingCertificates: ['c'],
        },
      ],
    };
    expect(keysOf(production(realm))).toEqual([
      'realms.nemlogin.identityProviders.nl.ssoUrl',
      'realms.nemlogin.identityProviders.nl.sloUrl',
    ]);
  });

  it('names a token-exchange policy that takes any client’s tokens, not one naming the clients whose it takes', () => {
    const portal = {
      clientId: 'portal',
      type: 'confidential',
      secret: SECRET,
      grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'],
    };
    const raw = production({
      clients: [
        { ...portal, tokenExchange: { audiences: ['xis'] } },
        { ...portal, clientId: 'portal-2', tokenExchange: { audiences: ['xis'], subjectClients: ['app'] } },
      ],
    });
    expect(keysOf(raw)).toEqual(['realms.nemlogin.clients.portal.tokenExchange.subjectClients']);
  });

  it('names a previous secret whose `until` has passed, and none still accepted', () => {
    const rotating = (until: string) =>
      production({
        clients: [
          {
            clientId: 'portal',
            type: 'confidential',
            secret: SECRET,
            previousSecret: { secret: `previous-${SECRET}`, until },
            grantTypes: ['client_credentials'],
          },
        ],
      });
    const at = new Date('2027-01-31T12:00:00Z');
    const warningsAt = (until: string) => productionWarnings(parseConfig(rotating(until), 'test', {}), at);
    expect(warningsAt('2027-01-31T12:00:00Z')).toEqual([
      {
        key: 'realms.nemlogin.clients.portal.previousSecret.until',
        reason: 'passed: the previous secret is refused since; remove previousSecret',
      },
    ]);
    expect(warningsAt('2027-01-31T13:00:00+01:00')).toHaveLength(1);
    expect(warningsAt('2027-01-31T12:00:01Z')).toEqual([]);
  });

  it('says nothing outside production', () => {
    expect(
      keysOf({ ...production({}, { database: { url: '' }, fhir: { baseUrl: 'http://fhir.internal/R4' } }), environment: 'test' }),
    ).toEqual([]);
  });

  it('are printed by config:check, which still passes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'production-warnings-')), 'config.yaml');
    writeFileSync(file, stringify(production({}, { database: { url: '' } })));
    const { exitCode, output } = checkConfig(file, {});
    expect(exitCode).toBe(0);
    expect(output.split('\n').slice(1)).toEqual([
      '  warning: database.url: empty: embedded PGlite, which one process holds, so no second instance can share its sessions, and its data directory is the only copy of them',
    ]);
  });
});

describe('trusted issuers in production', () => {
  const partner = (keys: object) => production({ trustedIssuers: [{ issuer: 'https://partner.example', algorithms: ['ES256'], ...keys }] });

  it('refuses keys fetched over plain http, naming the key', () => {
    expect(configProblems(partner({ jwksUri: 'http://partner.example/jwks' }))).toEqual([
      'realms[0].trustedIssuers[0].jwksUri: an http (not https) jwksUri is refused in production: give an https URL, or the keys as jwks',
    ]);
  });

  it('takes them over https, and takes plain http outside production', () => {
    expect(configProblems(partner({ jwksUri: 'https://partner.example/jwks' }))).toEqual([]);
    expect(configProblems({ ...partner({ jwksUri: 'http://partner.example/jwks' }), environment: 'test' })).toEqual([]);
  });
});
