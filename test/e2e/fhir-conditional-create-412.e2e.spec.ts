import { AmbiguousIdentityError, IdentityDirectoryUnavailableError } from '../../src/identity/linking-errors.js';
import { startEmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { fhirLinker } from '../support/fhir/fhir-linker.js';
import { probeCreate } from '../support/fhir/fhir-probe.js';
import { clinician, ROLE, sor, SOR_SYSTEM, storedPractitioner, uniqueClinicianId } from '../support/fhir/principals.js';
import { EMPTY_SEARCHSET, sendJson, searchset, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';
import { rejectionOf } from '../support/rejection.js';

/**
 * R4 http.html#ccreate: a conditional create whose criteria match several resources is answered
 * 412 Precondition Failed ("the client's criteria were not selective enough"). The search before it
 * found none, so the server now holds duplicates for those criteria (writers racing on a server whose
 * conditional create is not atomic). Never a non-retryable "FHIR refused" page, and nothing written
 * after it.
 */
describe('clinician linking against a FHIR server that answers a conditional create 412', () => {
  const MULTIPLE_MATCHES = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'multiple-matches' }] };
  const stubs: StubServer[] = [];
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  const principal = clinician(uniqueClinicianId(), { organisations: [sor('111', [ROLE.doctor])] });
  const organization = { resourceType: 'Organization', id: 'org-A', identifier: [{ system: SOR_SYSTEM, value: '111' }] };

  /** Searches answer `practitioners` for the Practitioner, the organisation, and nothing else; creates of `refused` get 412, any other write a 500. */
  const duplicatingServer = async (practitioners: object, refused: 'Practitioner' | 'PractitionerRole') => {
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, practitioners);
      if (url.endsWith('/Organization/_search')) return sendJson(response, 200, searchset([organization]));
      if (url.endsWith('/_search')) return sendJson(response, 200, EMPTY_SEARCHSET);
      if (url === `/fhir/${refused}` && response.req.method === 'POST') return sendJson(response, 412, MULTIPLE_MATCHES);
      sendJson(response, 500, {});
    });
    stubs.push(server);
    return server;
  };
  const writesTo = (server: StubServer) => server.urls.filter((url) => !url.endsWith('/_search'));

  it('is what the embedded server answers a conditional create whose criteria match two resources', async () => {
    const server = await startEmbeddedFhirServer({ environment: 'test' });
    try {
      const identifier = { system: 'urn:dk:healthcare:demo:clinician-id', value: uniqueClinicianId() };
      for (let i = 0; i < 2; i++) await probeCreate(server.baseUrl, { resourceType: 'Practitioner', identifier: [identifier] });
      const response = await fetch(`${server.baseUrl}/Practitioner`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', 'if-none-exist': `identifier=${identifier.system}|${identifier.value}` },
        body: JSON.stringify({ resourceType: 'Practitioner', identifier: [identifier] }),
      });
      expect(response.status).toBe(412);
    } finally {
      await server.close();
    }
  });

  it('refuses the Practitioner create as the ambiguous match it is, naming the system and not the identifier, and writes nothing', async () => {
    const server = await duplicatingServer(EMPTY_SEARCHSET, 'Practitioner');
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
    expect(error).toBeInstanceOf(AmbiguousIdentityError);
    expect(error).toMatchObject({ resourceType: 'Practitioner', identifierSystem: principal.identifiers[0]!.system });
    expect((error as Error).message).not.toContain(principal.identifiers[0]!.value);
    expect(writesTo(server)).toEqual(['/fhir/Practitioner']);
  });

  it('refuses as ambiguous a create answered without a body whose criteria then find two Practitioners, as the 412 it could have been', async () => {
    const two = searchset([storedPractitioner(principal, 'p-1'), storedPractitioner(principal, 'p-2')]);
    let practitionerSearches = 0;
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, practitionerSearches++ === 0 ? EMPTY_SEARCHSET : two);
      if (url === '/fhir/Practitioner' && response.req.method === 'POST') return void response.writeHead(201).end();
      sendJson(response, 500, {});
    });
    stubs.push(server);
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
    expect(error).toBeInstanceOf(AmbiguousIdentityError);
    expect(writesTo(server)).toEqual(['/fhir/Practitioner']);
  });

  it('gives a retryable error for the PractitionerRole create, writing nothing after it: the next login finds the duplicates', async () => {
    const server = await duplicatingServer(searchset([storedPractitioner(principal)]), 'PractitionerRole');
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).message).toBe('FHIR create PractitionerRole: HTTP 412, several PractitionerRoles match the criteria');
    expect(writesTo(server)).toEqual(['/fhir/PractitionerRole']);
  });
});
