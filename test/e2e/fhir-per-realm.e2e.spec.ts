import { decodeJwt } from 'jose';
import { startEmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { FhirGateway } from '../../src/fhir/fhir.gateway.js';
import { loginTokens } from '../support/login-flow.js';
import { startTestServer } from '../support/test-server.js';

/** A realm with its own FHIR server (`realms[].fhir`): its logins are linked there and only there. */
describe('a FHIR server per realm', () => {
  it('links the realm’s citizens on the realm’s server, not the service-wide one', async () => {
    const realmFhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    const server = await startTestServer({
      patch: (raw) => {
        raw.fhir = { baseUrl: 'embedded', timeoutMs: 2000 }; // service-wide: empty
        raw.realms[0].fhir = { baseUrl: realmFhir.baseUrl };
      },
    });
    try {
      const access = decodeJwt((await loginTokens(server.baseUrl, 'nemlogin', 'alice')).access_token);
      expect(access.fhirUser).toBe(`${realmFhir.baseUrl}/Patient/demo-patient-nancy`);
      expect(server.app.get(FhirGateway).stats().requests).toBe(0);
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^federation_fhir_requests_total\{kind="read"\} 1$/m);
    } finally {
      await server.close();
      await realmFhir.close();
    }
  });
});
