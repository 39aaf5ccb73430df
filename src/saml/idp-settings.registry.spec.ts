import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SAML_FIXTURES,
  SAML_FIXTURE_FILES,
  testServiceProviderConfig,
  UNPUBLISHED_IDP_CERTIFICATE,
} from '../../test/support/saml/saml-fixtures.js';
import { idpMetadataXml, signMetadata } from '../../test/support/saml/idp-metadata-xml.js';
import { MetadataServer } from '../../test/support/saml/metadata-server.js';
import { captureNestLogs } from '../../test/support/fhir/fhir-linker.js';
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

async function boot(
  idp: Record<string, unknown>,
  clock = new TestClock(new Date('2031-03-14T09:26:53Z')),
  { environment = 'test', keepRefreshing = false } = {},
) {
  const config = parseConfig(
    {
      environment,
      publicUrl: 'https://sp.test',
      fhir: { baseUrl: 'https://fhir.test' },
      keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
      realms: [
        { name: 'r', serviceProvider: testServiceProviderConfig(), identityProviders: [{ alias: 'idp', profile: 'generic', ...idp }] },
      ],
    },
    'registry test',
    {},
  );
  const realms = new RealmRegistry(config);
  const registry = new IdpSettingsRegistry(realms, clock, config);
  await registry.onModuleInit();
  if (!keepRefreshing) registry.onModuleDestroy();
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

describe('IdP metadata from a metadataUrl holding a published test key', () => {
  let server: MetadataServer;
  let logs: ReturnType<typeof captureNestLogs>;
  const clock = () => new TestClock(new Date('2031-03-14T09:26:53Z'));
  const signed = (certificates: string[]) =>
    signMetadata(
      idpMetadataXml({ entityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', signingCertificates: certificates }),
      F.metadataSigningKey,
      F.metadataSigningCertificate,
    );
  // Production wants plain-http metadata signed. parseConfig, unlike loadConfigFile, does not refuse the
  // fixture key that signs it, so the refresher's check is the only one at work here.
  const byUrl = (path: string, extra: Record<string, unknown> = {}) => ({
    metadataUrl: server.url(path),
    metadataSigningCertificate: SAML_FIXTURE_FILES.metadataSigningCertificate,
    ...extra,
  });
  const refusal = (fixture: string) =>
    `an IdP signing certificate in the metadata has the key of ${fixture}, a test key published with this repository's source: refused in production`;
  const logLines = (level: string, text: string) => logs.lines.filter((line) => line.startsWith(`${level} `) && line.includes(text));

  beforeAll(async () => (server = await MetadataServer.start()));
  afterAll(() => server.close());
  beforeEach(() => (logs = captureNestLogs()));
  afterEach(() => Logger.overrideLogger(false));

  it('in production, leaves the IdP unavailable from boot, logging which IdP and which fixture', async () => {
    server.serve('/boot', { body: signed([UNPUBLISHED_IDP_CERTIFICATE, F.idpSigningCertificate]) });
    const { registry, realm } = await boot(byUrl('/boot'), clock(), { environment: 'production' });
    expect(registry.isConfigured(realm, 'idp')).toBe(true);
    expect(registry.find(realm, 'idp')).toBeUndefined();
    const [line, ...more] = logLines('error', refusal('fixtures/saml/idp-signing'));
    expect(more).toEqual([]);
    expect(line).toContain('"realm":"r","idp":"idp","trigger":"boot"');
    expect(line).toContain('the IdP is unavailable until a good copy arrives');
  });

  it('in production, keeps the last good copy when a scheduled refresh brings a test key', async () => {
    server.serve('/scheduled', { body: signed([UNPUBLISHED_IDP_CERTIFICATE]) });
    const { registry, realm } = await boot(byUrl('/scheduled', { metadataRefreshSeconds: 1 }), clock(), {
      environment: 'production',
      keepRefreshing: true,
    });
    const trusted = () => registry.find(realm, 'idp')?.worker.idpCertificates;
    try {
      expect(trusted()).toEqual([UNPUBLISHED_IDP_CERTIFICATE]);
      server.serve('/scheduled', { body: signed([UNPUBLISHED_IDP_CERTIFICATE, F.nextIdpSigningCertificate]) });
      await server.nextRequests('/scheduled');
      // The answer is handled once the refresh logs; the next one is then a second away, stopped below.
      for (let waited = 0; !logs.lines.some((line) => line.includes('"trigger":"schedule"')); waited += 20) {
        if (waited > 5000) throw new Error('the scheduled refresh did not finish');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      registry.onModuleDestroy();
    }
    expect(trusted()).toEqual([UNPUBLISHED_IDP_CERTIFICATE]);
    const [line, ...more] = logLines('warn', refusal('fixtures/saml/next-idp-signing'));
    expect(more).toEqual([]);
    expect(line).toContain('"trigger":"schedule"');
    expect(line).toContain('keeping the last good copy');
  });

  it('in production, keeps the last good copy when the refresh after a signature failure brings a test key', async () => {
    server.serve('/rolled', { body: signed([UNPUBLISHED_IDP_CERTIFICATE]) });
    const { registry, realm } = await boot(byUrl('/rolled'), clock(), { environment: 'production' });
    server.serve('/rolled', { body: signed([F.nextIdpSigningCertificate]) });
    const fetched = server.requests('/rolled');
    expect(await registry.refreshAfterSignatureFailure(realm, 'idp')).toBe(false);
    expect(server.requests('/rolled')).toBe(fetched + 1);
    expect(registry.find(realm, 'idp')?.worker.idpCertificates).toEqual([UNPUBLISHED_IDP_CERTIFICATE]);
    const [line, ...more] = logLines('warn', refusal('fixtures/saml/next-idp-signing'));
    expect(more).toEqual([]);
    expect(line).toContain('"trigger":"signature failure"');
  });

  it('in production, refuses such a metadataFile at boot too, naming its config key', async () => {
    const metadataFile = file('test-key.xml', signed([F.idpSigningCertificate]));
    await expect(boot({ metadataFile }, clock(), { environment: 'production' })).rejects.toThrow(
      `realms.r.identityProviders.idp.metadataFile: ${refusal('fixtures/saml/idp-signing')}`,
    );
  });

  it('outside production, accepts it: the tests and the demo sign with these keys', async () => {
    server.serve('/test', { body: signed([UNPUBLISHED_IDP_CERTIFICATE, F.idpSigningCertificate]) });
    const { registry, realm } = await boot(byUrl('/test'), clock(), { environment: 'test' });
    expect(registry.find(realm, 'idp')?.worker.idpCertificates).toEqual([UNPUBLISHED_IDP_CERTIFICATE, F.idpSigningCertificate]);
    expect(logs.lines.filter((line) => line.includes('refused'))).toEqual([]);
  });
});
