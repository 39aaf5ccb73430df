import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule } from '../../../src/config/config.module.js';
import { parseConfig } from '../../../src/config/config.loader.js';
import type { Config } from '../../../src/config/config.schema.js';
import type { Realm } from '../../../src/realms/realm.js';
import { RealmRegistry } from '../../../src/realms/realm.registry.js';
import { RealmsModule } from '../../../src/realms/realms.module.js';
import { DEFAULT_SAML_OPTIONS, SAML_OPTIONS, type SamlOptions } from '../../../src/saml/saml-options.js';
import { SamlModule } from '../../../src/saml/saml.module.js';
import { SamlService } from '../../../src/saml/saml.service.js';
import type { Database } from '../../../src/storage/database.js';
import { openDatabase } from '../../../src/storage/database.factory.js';
import { StorageModule } from '../../../src/storage/storage.module.js';
import { TestClock } from '../test-clock.js';
import { SAML_FIXTURES, testServiceProviderConfig } from './saml-fixtures.js';
import { TestIdp } from './test-idp.js';

/**
 * SamlService wired by Nest exactly as the application wires it (SamlModule over the global config,
 * clock, database and realms), on an in-memory PGlite database, with one test IdP per profile:
 *
 * | realm    | alias         | profile          | notes                                            |
 * |----------|---------------|------------------|--------------------------------------------------|
 * | nemlogin | nemlog-in     | oiosaml3-citizen | minimumLoa Substantial, encrypted assertions     |
 * | ehealth  | clinician-idp | dk-clinician     | no decryption key                                |
 * | nl       | digid         | nl-citizen       |                                                  |
 * | ssl      | ssl-idp       | generic          | attributes map; a second (rollover) certificate  |
 * | other    | other-idp     | oiosaml3-citizen | trusts only the other IdP key ("another realm")  |
 */
export const PUBLIC_URL = 'https://federation.test';
/** Far from the machine's real time: any check still made against the real clock would show. */
export const PINNED_TIME = new Date('2031-03-14T09:26:53Z');

export interface SamlHarness {
  saml: SamlService;
  clock: TestClock;
  db: Database;
  config: Config;
  realm(name: string): Realm;
  idps: { nemlogin: TestIdp; ehealth: TestIdp; nl: TestIdp; ssl: TestIdp; other: TestIdp };
  /** A second SamlService on the same database (another instance of the service). */
  secondInstance(): Promise<SamlService>;
  close(): Promise<void>;
}

const issuer = (realm: string) => `${PUBLIC_URL}/realms/${realm}`;

export async function createSamlHarness(options: Partial<SamlOptions> = {}): Promise<SamlHarness> {
  const idps = {
    nemlogin: await TestIdp.create({ realmIssuer: issuer('nemlogin'), alias: 'nemlog-in', entityId: 'https://saml.nemlog-in.test' }),
    ehealth: await TestIdp.create({ realmIssuer: issuer('ehealth'), alias: 'clinician-idp' }),
    nl: await TestIdp.create({ realmIssuer: issuer('nl'), alias: 'digid' }),
    ssl: await TestIdp.create({ realmIssuer: issuer('ssl'), alias: 'ssl-idp', spEntityId: 'urn:test:ssl-sp' }),
    other: await TestIdp.create({
      realmIssuer: issuer('other'),
      alias: 'other-idp',
      signingKey: SAML_FIXTURES.otherIdpSigningKey,
      signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate,
    }),
  };
  const config = parseConfig(
    {
      environment: 'test',
      publicUrl: PUBLIC_URL,
      database: { url: '', dataDir: 'memory://' },
      keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
      realms: [
        {
          name: 'nemlogin',
          minimumLoa: 'Substantial',
          patientIdentifierSystem: 'urn:oid:1.2.208.176.1.2',
          serviceProvider: testServiceProviderConfig(),
          identityProviders: [idps.nemlogin.idpConfig('oiosaml3-citizen')],
        },
        {
          name: 'ehealth',
          serviceProvider: testServiceProviderConfig({ encryption: false }),
          identityProviders: [idps.ehealth.idpConfig('dk-clinician')],
        },
        { name: 'nl', serviceProvider: testServiceProviderConfig(), identityProviders: [idps.nl.idpConfig('nl-citizen')] },
        {
          name: 'ssl',
          serviceProvider: testServiceProviderConfig({ entityId: 'urn:test:ssl-sp' }),
          identityProviders: [
            idps.ssl.idpConfig('generic', {
              // Rollover: the IdP's next certificate listed first, the current one second.
              signingCertificates: [SAML_FIXTURES.otherIdpSigningCertificate, idps.ssl.signingCertificate],
              attributes: {
                externalId: 'urn:oid:0.9.2342.19200300.100.1.1',
                givenName: 'urn:oid:2.5.4.42',
                familyName: 'urn:oid:2.5.4.4',
                name: 'urn:oid:2.5.4.3',
              },
            }),
          ],
        },
        {
          name: 'other',
          minimumLoa: 'Substantial',
          serviceProvider: testServiceProviderConfig(),
          // The one IdP whose AES-CBC encrypted assertions are accepted (content-encryption.mjs).
          identityProviders: [idps.other.idpConfig('oiosaml3-citizen', { acceptAesCbc: true })],
        },
      ],
    },
    'saml test config',
    {},
  );
  const db = await openDatabase({ url: '', dataDir: 'memory://' });
  const clock = new TestClock(PINNED_TIME);
  const samlOptions: SamlOptions = { ...DEFAULT_SAML_OPTIONS, workers: 2, ...options };
  const modules: TestingModule[] = [];
  const instance = async (): Promise<TestingModule> => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config, clock), StorageModule.forRoot(config, db), RealmsModule, SamlModule],
    })
      .overrideProvider(SAML_OPTIONS)
      .useValue(samlOptions)
      .compile();
    await moduleRef.init();
    modules.push(moduleRef);
    return moduleRef;
  };
  const first = await instance();
  return {
    saml: first.get(SamlService),
    clock,
    db,
    config,
    realm: (name) => first.get(RealmRegistry).get(name),
    idps,
    secondInstance: async () => (await instance()).get(SamlService),
    close: async () => {
      for (const moduleRef of modules) await moduleRef.close();
      await db.close();
    },
  };
}
