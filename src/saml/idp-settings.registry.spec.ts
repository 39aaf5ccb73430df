import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML_FIXTURES, SAML_FIXTURE_FILES, testServiceProviderConfig } from '../../test/support/saml/saml-fixtures.js';
import { idpMetadataXml, signMetadata } from '../../test/support/saml/idp-metadata-xml.js';
import { Logger } from '@nestjs/common';
import { TestClock } from '../../test/support/test-clock.js';
import { parseConfig } from '../config/config.loader.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { IdpSettingsRegistry } from './idp-settings.registry.js';

const F = SAML_FIXTURES;
const dir = mkdtempSync(join(tmpdir(), 'idp-metadata-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const document = idpMetadataXml({
  entityId: 'https://idp.test',
  ssoUrl: 'https://idp.test/sso',
  sloUrl: 'https://idp.test/slo',
  signingCertificates: [F.idpSigningCertificate],
});

async function boot(idp: Record<string, unknown>, clock = new TestClock(new Date('2031-03-14T09:26:53Z'))) {
  const config = parseConfig(
    {
      environment: 'test',
      publicUrl: 'https://sp.test',
      keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
      realms: [
        { name: 'r', serviceProvider: testServiceProviderConfig(), identityProviders: [{ alias: 'idp', profile: 'generic', ...idp }] },
      ],
    },
    'registry test',
    {},
  );
  const realms = new RealmRegistry(config);
  const registry = new IdpSettingsRegistry(realms, clock);
  await registry.onModuleInit();
  registry.onModuleDestroy();
  return { registry, realm: realms.get('r'), clock };
}

describe('IdP settings registry', () => {
  // What it logs is the refresher's business (metadata-refresher.spec.ts); here it would only be noise.
  beforeAll(() => Logger.overrideLogger(false));

  it('takes an IdP from its metadataFile at boot', async () => {
    const { registry, realm } = await boot({ metadataFile: file('idp.xml', document) });
    const settings = registry.find(realm, 'idp')!;
    expect(settings.idpEntityId).toBe('https://idp.test');
    expect(settings.sloUrl).toBe('https://idp.test/slo');
    expect(settings.worker.ssoUrl).toBe('https://idp.test/sso');
    expect(settings.worker.idpCertificates).toHaveLength(1);
  });

  it('stops the boot, naming the key, when the metadataFile is missing or refused', async () => {
    await expect(boot({ metadataFile: join(dir, 'missing.xml') })).rejects.toThrow(
      'realms.r.identityProviders.idp.metadataFile: cannot read the metadata file',
    );
    const unsigned = file('unsigned.xml', document);
    await expect(
      boot({ metadataFile: unsigned, metadataSigningCertificate: SAML_FIXTURE_FILES.metadataSigningCertificate }),
    ).rejects.toThrow('realms.r.identityProviders.idp.metadataFile: metadata is not signed by metadataSigningCertificate');
    const signed = file('signed.xml', signMetadata(document, F.metadataSigningKey, F.metadataSigningCertificate));
    await expect(
      boot({ metadataFile: signed, metadataSigningCertificate: SAML_FIXTURE_FILES.metadataSigningCertificate }),
    ).resolves.toBeDefined();
    await expect(boot({ metadataFile: signed, metadataSigningCertificate: 'fixtures/saml/missing.crt' })).rejects.toThrow(
      'realms.r.identityProviders.idp.metadataSigningCertificate: cannot read PEM file',
    );
  });

  it('boots with an unreachable metadataUrl, leaving only that IdP unavailable', async () => {
    const { registry, realm } = await boot({ metadataUrl: 'http://127.0.0.1:1/metadata' });
    expect(registry.isConfigured(realm, 'idp')).toBe(true);
    expect(registry.find(realm, 'idp')).toBeUndefined();
  });

  it('lets hand-written values win over the metadata, and drops a certificate once it expires', async () => {
    const { registry, realm, clock } = await boot({
      metadataFile: file('idp2.xml', document),
      entityId: 'https://idp.test',
      ssoUrl: 'https://own.test/sso',
      signingCertificates: [SAML_FIXTURE_FILES.otherIdpSigningCertificate],
    });
    expect(registry.find(realm, 'idp')!.worker.ssoUrl).toBe('https://own.test/sso');
    expect(registry.find(realm, 'idp')!.worker.idpCertificates).toEqual([F.otherIdpSigningCertificate]);
    // The fixture certificate's notAfter is 2046-11-17: from then on, nothing is trusted.
    clock.advance((Date.parse('2046-11-18T00:00:00Z') - clock.now().getTime()) / 1000);
    expect(registry.find(realm, 'idp')).toBeUndefined();
  });
});
