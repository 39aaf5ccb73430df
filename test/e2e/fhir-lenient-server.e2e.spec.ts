import { FhirRequestError } from '../../src/fhir/fhir.errors.js';
import { IdentityDirectoryRefusedError } from '../../src/identity/linking-errors.js';
import { fhirLinker } from '../support/fhir/fhir-linker.js';
import { citizen, DEMO } from '../support/fhir/principals.js';
import { sendJson, startStubServer } from '../support/fhir/stub-http-server.js';

/**
 * A FHIR server that ignores the `identifier` search parameter (answering with whatever it holds)
 * must not get a citizen linked to a stranger: a match lacking the searched identifier fails closed.
 */
describe('a FHIR server that ignores the identifier parameter', () => {
  it('links nobody and refuses, rather than link the one Patient it returns', async () => {
    const stranger = {
      resourceType: 'Patient',
      id: 'someone-else',
      identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: '9999999999' }],
    };
    const server = await startStubServer((response) =>
      sendJson(response, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        total: 1,
        entry: [{ resource: stranger, search: { mode: 'match' } }],
      }),
    );
    try {
      const { linker } = fhirLinker(server.baseUrl, { timeoutMs: 1000 });
      const refusal = await linker.link(citizen(DEMO.cpr.nancy)).then(
        () => undefined,
        (error: unknown) => error,
      );
      // The login sees the refusal in its own words; the FHIR-level cause is kept beside it.
      expect(refusal).toBeInstanceOf(IdentityDirectoryRefusedError);
      expect((refusal as Error).cause).toBeInstanceOf(FhirRequestError);
    } finally {
      await server.close();
    }
  });
});
