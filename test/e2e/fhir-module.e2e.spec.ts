import { Test } from '@nestjs/testing';
import { ConfigModule } from '../../src/config/config.module.js';
import { parseConfig } from '../../src/config/config.loader.js';
import { startEmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { FhirGateway } from '../../src/fhir/fhir.gateway.js';
import type { FhirEndpoint } from '../../src/fhir/fhir-endpoint.js';
import { FhirGateways } from '../../src/fhir/fhir-gateways.js';
import { FHIR_ENDPOINT, FhirModule } from '../../src/fhir/fhir.module.js';
import { IDENTITY_LINKER, type IdentityLinker } from '../../src/identity/identity-link.js';
import { testConfig } from '../support/test-config.js';
import { citizen, DEMO } from '../support/fhir/principals.js';

/** `FhirModule.forRoot(config)` as the application imports it: what it provides, starts and stops. */
describe('FhirModule', () => {
  const configWith = (fhir: Record<string, unknown>) => testConfig('http://127.0.0.1:8080', (raw) => (raw.fhir = fhir));

  const compile = async (config: ReturnType<typeof configWith>) => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), FhirModule.forRoot(config)] }).compile();
    await moduleRef.init();
    return moduleRef;
  };

  it('with `embedded`, starts a seeded server on a loopback port at init and stops it at shutdown', async () => {
    const moduleRef = await compile(configWith({ baseUrl: 'embedded', seed: 'fixtures/fhir/demo.json', timeoutMs: 2000 }));
    const gateway = moduleRef.get(FhirGateway);
    const linker = moduleRef.get<IdentityLinker>(IDENTITY_LINKER);
    const endpoint = moduleRef.get<FhirEndpoint>(FHIR_ENDPOINT);
    // Each realm's base is under the service's public URL (stable across restarts); requests go to the loopback port.
    expect(gateway.baseUrl).toBe('http://127.0.0.1:8080/fhir');
    const nemlogin = endpoint.realmBases.get('nemlogin')!;
    expect(nemlogin.baseUrl).toBe('http://127.0.0.1:8080/fhir/nemlogin');
    expect(nemlogin.requestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/nemlogin$/);
    expect(moduleRef.get(FhirGateways).forRealm('nemlogin').baseUrl).toBe(nemlogin.baseUrl);

    await expect(linker.link(citizen(DEMO.cpr.nancy))).resolves.toEqual({
      kind: 'patient',
      patient: `${nemlogin.baseUrl}/Patient/demo-patient-nancy`,
    });
    expect(gateway.stats().requests).toBe(1);
    expect((await fetch(`${nemlogin.requestUrl}/Patient?_count=1`)).status).toBe(200);

    await moduleRef.close();
    await expect(fetch(`${nemlogin.requestUrl}/Patient`)).rejects.toThrow();
  });

  it('with a FHIR URL, starts nothing and leaves that server running at shutdown', async () => {
    const external = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    try {
      const moduleRef = await compile(configWith({ baseUrl: external.baseUrl }));
      const gateway = moduleRef.get(FhirGateway);
      expect(gateway.baseUrl).toBe(external.baseUrl);
      await expect(moduleRef.get<IdentityLinker>(IDENTITY_LINKER).link(citizen(DEMO.cpr.bo))).resolves.toEqual({
        kind: 'patient',
        patient: `${external.baseUrl}/Patient/demo-patient-bo`,
      });
      await moduleRef.close();
      expect((await fetch(`${external.baseUrl}/Patient?_count=1`)).status).toBe(200);
    } finally {
      await external.close();
    }
  });

  describe('fhir config', () => {
    const problems = (fhir: Record<string, unknown>, environment = 'test') => {
      try {
        testConfig('http://127.0.0.1:8080', (raw) => Object.assign(raw, { fhir, environment }));
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };

    it('defaults to the embedded server, 3 s per request, two read retries, 15 s a login and 4 MiB an answer', () => {
      expect(
        parseConfig(
          { environment: 'development', publicUrl: 'http://x', keys: { encryptionKey: 'k'.repeat(32) }, realms: [{ name: 'r' }] },
          'inline',
          {},
        ).fhir,
      ).toEqual({
        baseUrl: 'embedded',
        timeoutMs: 3000,
        retries: 2,
        loginDeadlineMs: 15_000,
        maxAnswerBytes: 4 * 1024 * 1024,
      });
    });

    it('refuses a base URL that is neither `embedded` nor http(s), and a seed for a remote server', () => {
      expect(problems({ baseUrl: 'fhir.example/r4' })).toContain('fhir.baseUrl: must be "embedded" or an http(s) URL');
      expect(problems({ baseUrl: 'https://fhir.example/r4', seed: 'fixtures/fhir/demo.json' })).toContain(
        'fhir.baseUrl: only the embedded FHIR server is seeded: remove fhir.seed to use another server',
      );
      expect(problems({ baseUrl: 'https://fhir.example/r4', retries: 9 })).toContain('fhir.retries: Too big: expected number to be <=5');
    });

    it('refuses the embedded server in production', () => {
      expect(problems({ baseUrl: 'embedded' }, 'production')).toContain('fhir.baseUrl: the embedded FHIR server is refused in production');
    });
  });
});
