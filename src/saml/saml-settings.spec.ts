import { readFileSync } from 'node:fs';
import { parseConfig } from '../config/config.loader.js';
import { realmFromConfig, type Realm } from '../realms/realm.js';
import { loadRealmSettings } from './saml-settings.js';

const F = 'fixtures/saml';
const pem = (name: string) => readFileSync(`${F}/${name}`, 'utf8');

function realm(serviceProvider: Record<string, string>, extra: Record<string, unknown> = {}): Realm {
  const config = parseConfig(
    {
      environment: 'test',
      publicUrl: 'https://sp.test',
      keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
      realms: [
        {
          name: 'nemlogin',
          minimumLoa: 'High',
          serviceProvider,
          identityProviders: [
            {
              alias: 'nemlog-in',
              profile: 'oiosaml3-citizen',
              entityId: 'https://idp.test',
              ssoUrl: 'https://idp.test/sso',
              signingCertificates: [`${F}/idp-signing.crt`],
            },
          ],
          ...extra,
        },
      ],
    },
    'settings test',
    {},
  );
  return realmFromConfig(config.publicUrl, config.realms[0]);
}

const signing = { signingKey: `${F}/sp-signing.TEST-ONLY.key`, signingCertificate: `${F}/sp-signing.crt` };

describe('SAML settings loaded at boot', () => {
  it('derives the ACS and SP entity ID from the realm, and asks OIOSAML 3 IdPs for the realm minimum', () => {
    const [settings] = loadRealmSettings(realm(signing));
    expect(settings.acsUrl).toBe('https://sp.test/realms/nemlogin/broker/nemlog-in/endpoint');
    expect(settings.spEntityId).toBe('https://sp.test/realms/nemlogin');
    expect(settings.worker.requestedAuthnContext).toBe('https://data.gov.dk/concept/core/nsis/loa/High');
    expect(settings.worker.decryptionKey).toBeUndefined();
    expect(loadRealmSettings(realm({ ...signing, entityId: 'urn:sp' }))[0].spEntityId).toBe('urn:sp');
  });

  it("asks for Substantial where a citizen realm names no minimum, in the profile's classes; asks clinician IdPs for nothing", () => {
    const idp = (profile: string) => ({
      alias: 'idp',
      profile,
      entityId: 'https://idp.test',
      ssoUrl: 'https://idp.test/sso',
      signingCertificates: [`${F}/idp-signing.crt`],
    });
    const requested = (profile: string) =>
      loadRealmSettings(realm(signing, { minimumLoa: undefined, identityProviders: [idp(profile)] }))[0].worker.requestedAuthnContext;
    expect(requested('oiosaml3-citizen')).toBe('https://data.gov.dk/concept/core/nsis/loa/Substantial');
    expect(requested('nl-citizen')).toBe('urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard');
    expect(requested('dk-clinician')).toBeUndefined();
    expect(requested('generic')).toBeUndefined();
  });

  it('takes the decryption certificate from the key PEM, or the signing certificate when the keys are one', () => {
    const bundled = loadRealmSettings(
      realm({ ...signing, decryptionKey: pem('sp-encryption.TEST-ONLY.key') + pem('sp-encryption.crt') }),
    )[0];
    expect(bundled.decryptionCertificate).toBe(pem('sp-encryption.crt'));
    const shared = loadRealmSettings(realm({ ...signing, decryptionKey: `${F}/sp-signing.TEST-ONLY.key` }))[0];
    expect(shared.decryptionCertificate).toBe(shared.spSigningCertificate);
  });

  it('fails fast, naming the config path', () => {
    expect(() => loadRealmSettings(realm({ ...signing, decryptionKey: `${F}/sp-encryption.TEST-ONLY.key` }))).toThrow(
      "realms.nemlogin.serviceProvider.decryptionKey: append the key's certificate",
    );
    expect(() => loadRealmSettings(realm({ ...signing, signingCertificate: `${F}/idp-signing.crt` }))).toThrow(
      'realms.nemlogin.serviceProvider.signingCertificate: does not belong to serviceProvider.signingKey',
    );
    const badIdp = realm(signing, {
      identityProviders: [
        { alias: 'x', profile: 'generic', entityId: 'e', ssoUrl: 'https://idp.test/sso', signingCertificates: [`${F}/missing.crt`] },
      ],
    });
    expect(() => loadRealmSettings(badIdp)).toThrow('realms.nemlogin.identityProviders.x.signingCertificates[0]: cannot read PEM file');
  });
});
