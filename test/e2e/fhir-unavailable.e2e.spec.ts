import { startEmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { IdentityDirectoryUnavailableError } from '../../src/identity/linking-errors.js';
import { freePort } from '../support/free-port.js';
import { fhirLinker, measure } from '../support/fhir/fhir-linker.js';
import { citizen, clinician, DEMO, uniqueClinicianId } from '../support/fhir/principals.js';
import { EMPTY_SEARCHSET, sendJson, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';

/** When FHIR cannot answer, linking fails fast with IdentityDirectoryUnavailableError (retryable), never hangs. */
describe('FHIR unavailable', () => {
  const stubs: StubServer[] = [];
  const stub = async (respond: Parameters<typeof startStubServer>[0]) => {
    const server = await startStubServer(respond);
    stubs.push(server);
    return server;
  };
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  const elapsed = async (work: () => Promise<unknown>) => {
    const start = performance.now();
    const error = await work().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - start };
  };

  it('fails quickly when nothing listens, after retrying the search twice', async () => {
    const { gateway, linker } = fhirLinker(`http://127.0.0.1:${await freePort()}/fhir`, { timeoutMs: 500 });
    const { error, ms } = await elapsed(() => linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as IdentityDirectoryUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toBe('FHIR search Patient: unreachable (ECONNREFUSED)');
    expect(ms).toBeLessThan(1000);
    expect(gateway.stats()).toMatchObject({ requests: 3, retries: 2, failures: 3 });
  });

  it('fails once the server it used has stopped', async () => {
    const server = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    const { linker } = fhirLinker(server.baseUrl, { timeoutMs: 500 });
    await expect(linker.link(citizen(DEMO.cpr.nancy))).resolves.toMatchObject({ kind: 'patient' });
    await server.close();
    await expect(linker.link(citizen(DEMO.cpr.nancy))).rejects.toBeInstanceOf(IdentityDirectoryUnavailableError);
  });

  it('gives up on a server slower than the timeout within the retry budget', async () => {
    const slow = await stub((response) => setTimeout(() => sendJson(response, 200, EMPTY_SEARCHSET), 2000).unref());
    const { linker } = fhirLinker(slow.baseUrl, { timeoutMs: 200, retries: 2, backoffMs: 20 });
    const { error, ms } = await elapsed(() => linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).message).toContain('timeout');
    // Three tries of 200 ms plus two short pauses; never the server's 2 s.
    expect(ms).toBeGreaterThanOrEqual(600);
    expect(ms).toBeLessThan(1500);
    expect(slow.requests).toHaveLength(3);
  });

  it('retries a search that met a 503 and succeeds on the next try', async () => {
    const flaky = await stub((response, index) => (index === 0 ? sendJson(response, 503, {}) : sendJson(response, 200, EMPTY_SEARCHSET)));
    const { gateway, linker } = fhirLinker(flaky.baseUrl);
    const { result, cost } = await measure(gateway, () => linker.link(citizen(DEMO.cpr.unknown)));
    expect(result).toEqual({ kind: 'patient', patient: undefined });
    expect(cost).toMatchObject({ requests: 2, retries: 1, failures: 1 });
  });

  it('never repeats a write: a create that met a 503 fails at once', async () => {
    const writesFail = await stub((response) =>
      response.req.method === 'POST' && !response.req.url?.endsWith('/_search')
        ? sendJson(response, 503, {})
        : sendJson(response, 200, EMPTY_SEARCHSET),
    );
    const { gateway, linker } = fhirLinker(writesFail.baseUrl);
    await expect(linker.link(clinician(uniqueClinicianId()))).rejects.toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect(gateway.stats()).toMatchObject({ writes: 1, retries: 0 });
  });

  it('sends the bearer token and the tenant as organisation_agb, and searches by POST', async () => {
    const recorder = await stub((response) => sendJson(response, 200, EMPTY_SEARCHSET));
    const { gateway } = fhirLinker(recorder.baseUrl, { bearerToken: 'test-only-fhir-token' });
    await gateway.search('Patient', { identifier: 'urn:oid:1.2.208.176.1.2|0101011234' }, { tenant: DEMO.agb.gpPractice });
    await gateway.search('Patient', { _id: 'x' });
    expect(recorder.requests[0]).toMatchObject({
      authorization: 'Bearer test-only-fhir-token',
      organisation_agb: `http://fhir.nl/fhir/NamingSystem/agb-z|${DEMO.agb.gpPractice}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(recorder.requests[1]?.organisation_agb).toBeUndefined();
  });

  it('refuses a malformed tenant before sending anything', async () => {
    const recorder = await stub((response) => sendJson(response, 200, EMPTY_SEARCHSET));
    const { gateway } = fhirLinker(recorder.baseUrl);
    await expect(gateway.search('Patient', { _id: 'x' }, { tenant: '123' })).rejects.toThrow('organisation_agb: AGB code is not 8 digits');
    expect(recorder.requests).toHaveLength(0);
    expect(gateway.stats().requests).toBe(0);
  });
});
