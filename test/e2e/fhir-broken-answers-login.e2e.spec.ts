import { SessionRepository } from '../../src/storage/session.repository.js';
import { citizenAuthorizationUrl, mockLoginResponse } from '../support/mock-login.js';
import { sendJson, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const NANCY_CPR = '0101011234';
const CPR = { system: 'urn:oid:1.2.208.176.1.2', value: NANCY_CPR };

const patientSearch = (...entry: object[]) => ({ resourceType: 'Bundle', type: 'searchset', entry });

/**
 * A citizen's login against a FHIR server whose Patient search answers what cannot be used, over real
 * HTTP. Nothing of it may reach a token: an id outside R4's grammar would name another resource in
 * `patient` and `fhirUser`, and an answer holding no Patient would read as "no such patient", a login
 * without rights presented as success. Broken answers are retryable (503 page, `temporarily_unavailable`
 * back to the client); an answer that is whole but unusable is refused (502 page, `server_error` back to
 * the client, RFC 6749 §4.1.2.1). Neither opens a session.
 */
describe('a citizen login on a FHIR server answering what cannot be used', () => {
  let fhir: StubServer;
  let server: TestServer;
  let answer: object = patientSearch();

  beforeAll(async () => {
    fhir = await startStubServer((response) => sendJson(response, 200, answer));
    server = await startTestServer({ patch: (raw) => (raw.realms[0].fhir = { baseUrl: fhir.baseUrl }) });
  });
  afterAll(async () => {
    await server?.close();
    await fhir?.close();
  });

  const sessionCount = () => server.app.get(SessionRepository).count();

  it.each([
    ['a Patient id that climbs to another resource', 'x/../../Patient/demo-patient-bo'],
    ['a Patient id longer than 64 characters', 'a'.repeat(65)],
    ['a Patient id of `..`', '..'],
  ])('%s: the retryable page, no session', async (_case, id) => {
    answer = patientSearch({ resource: { resourceType: 'Patient', id, identifier: [CPR] }, search: { mode: 'match' } });
    const before = await sessionCount();
    const page = await mockLoginResponse(citizenAuthorizationUrl(server.baseUrl), 'alice');
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toMatch(/error=temporarily_unavailable/);
    expect(html).not.toContain('demo-patient-bo');
    expect(await sessionCount()).toBe(before);
  });

  it('an answer holding only a resource of another type: the retryable page, not a login without a patient', async () => {
    answer = patientSearch({ resource: { resourceType: 'Practitioner', id: 'p1' } });
    const before = await sessionCount();
    const page = await mockLoginResponse(citizenAuthorizationUrl(server.baseUrl), 'alice');
    expect(page.status).toBe(503);
    expect(await page.text()).toMatch(/error=temporarily_unavailable/);
    expect(await sessionCount()).toBe(before);
  });

  it('a match lacking the searched CPR: the refusal page, with the way back telling the client server_error', async () => {
    const stranger = { resourceType: 'Patient', id: 'someone-else', identifier: [{ system: CPR.system, value: '9999999999' }] };
    answer = patientSearch({ resource: stranger, search: { mode: 'match' } });
    const before = await sessionCount();
    const page = await mockLoginResponse(citizenAuthorizationUrl(server.baseUrl), 'alice');
    expect(page.status).toBe(502);
    const back = /class="button" href="([^"]+)"/.exec((await page.text()).replace(/&#38;|&amp;/g, '&'))?.[1];
    expect(back).toBeDefined();
    const url = new URL(back!);
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1/callback');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ error: 'server_error', state: 'st' });
    expect(await sessionCount()).toBe(before);
    expect(server.logs.join('\n')).not.toContain(NANCY_CPR);
  });
});
