import { startEmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { FhirUnavailableError } from '../../src/fhir/fhir.errors.js';
import { IdentityDirectoryRefusedError, IdentityDirectoryUnavailableError } from '../../src/identity/linking-errors.js';
import { freePort } from '../support/free-port.js';
import { rejectionOf } from '../support/rejection.js';
import { fhirLinker, measure } from '../support/fhir/fhir-linker.js';
import {
  citizen,
  clinician,
  CPR_SYSTEM,
  DEMO,
  sor,
  SOR_SYSTEM,
  storedPractitioner,
  uniqueClinicianId,
} from '../support/fhir/principals.js';
import { EMPTY_SEARCHSET, sendJson, searchset, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';

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
    const slow = await stub((response) => setTimeout(() => sendJson(response, 200, EMPTY_SEARCHSET), 10_000).unref());
    const { linker } = fhirLinker(slow.baseUrl, { timeoutMs: 200, retries: 2, backoffMs: 20 });
    const { error, ms } = await elapsed(() => linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).message).toContain('timeout');
    // Three tries of 200 ms plus two short pauses; never the server's 10 s. The server is that slow
    // so that the bound can leave a busy CI machine its margin (one took 1.5 s for these 660 ms)
    // and still fail if any one try waited for the answer.
    expect(ms).toBeGreaterThanOrEqual(600);
    expect(ms).toBeLessThan(5000);
    expect(slow.requests).toHaveLength(3);
  });

  describe('a login has one deadline for all its FHIR requests (fhir.loginDeadlineMs)', () => {
    it('tries no more once it passed, however many retries are left', async () => {
      const silent = await stub(() => {});
      const { gateway, linker } = fhirLinker(silent.baseUrl, { timeoutMs: 1000, retries: 5, backoffMs: 20, loginDeadlineMs: 1500 });
      const { error, ms } = await elapsed(() => linker.link(citizen(DEMO.cpr.nancy)));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect((error as IdentityDirectoryUnavailableError).retryable).toBe(true);
      // The first try timed out at 1 s, the second was given up at the deadline and not retried; six
      // tries would take 6 s. The margin over the deadline is a busy CI machine's (one took 1.9 s past a 450 ms one).
      expect(silent.requests.length).toBeLessThanOrEqual(2);
      const { requests, retries } = gateway.stats();
      expect(requests).toBeLessThanOrEqual(2);
      expect(retries).toBeLessThanOrEqual(1);
      expect(ms).toBeLessThan(4000);
    });

    it("ends a clinician's login whose requests are each answered in time but together too late", async () => {
      const principal = clinician(uniqueClinicianId(), { careTeams: [{ id: DEMO.careTeam.copd, roles: [] }] });
      // Every answer takes 300 ms, far under the 5 s timeout (a busy CI machine once held one past 1 s):
      // the Practitioner found as stored, nothing else.
      const unhurried = await stub((response) => {
        const url = response.req.url ?? '';
        const body = url.startsWith('/fhir/Practitioner') ? searchset([storedPractitioner(principal)]) : EMPTY_SEARCHSET;
        setTimeout(() => sendJson(response, 200, body), 300).unref();
      });
      const { linker } = fhirLinker(unhurried.baseUrl, { timeoutMs: 5000, retries: 0 });
      // With the default deadline, its four rounds of requests (the Practitioner; roles and teams; teams by
      // identifier; by logical id) link it after 1.2 s at least.
      const unbounded = await elapsed(() => linker.link(principal));
      expect(unbounded.error).toBeUndefined();
      expect(unbounded.ms).toBeGreaterThanOrEqual(1200);

      const { linker: bounded } = fhirLinker(unhurried.baseUrl, { timeoutMs: 5000, retries: 0, loginDeadlineMs: 1000 });
      const { error, ms } = await elapsed(() => bounded.link(principal));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect((error as Error).message).toContain('timeout');
      expect(ms).toBeLessThan(unbounded.ms);
    });

    it('gives up a write in flight at the deadline, not at its own timeout', async () => {
      // A first login: the Practitioner search finds none, and its conditional create is never answered.
      const writesHang = await stub((response) => {
        if (response.req.method === 'POST' && !response.req.url?.endsWith('/_search')) return;
        sendJson(response, 200, EMPTY_SEARCHSET);
      });
      const { gateway, linker } = fhirLinker(writesHang.baseUrl, { timeoutMs: 5000, retries: 0, loginDeadlineMs: 500 });
      const { error, ms } = await elapsed(() => linker.link(clinician(uniqueClinicianId())));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect(ms).toBeLessThan(2500);
      expect(gateway.stats()).toMatchObject({ reads: 1, writes: 1, retries: 0 });
    });
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

/**
 * A 2xx that is not the answer asked for — an incomplete searchset, a Bundle that breaks its shape,
 * an empty body, an OperationOutcome — is a broken answer: retryable (503, "try again"), never a
 * login without the patient's rights, never a 500, never a refusal (R4 http.html: refusals are 4xx).
 */
describe('broken FHIR answers', () => {
  const stubs: StubServer[] = [];
  const answering = async (body: unknown) => {
    const server = await startStubServer((response) =>
      typeof body === 'string'
        ? (response.writeHead(200, { 'content-type': 'application/fhir+json' }), response.end(body))
        : sendJson(response, 200, body),
    );
    stubs.push(server);
    return server;
  };
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  const nancy = { resourceType: 'Patient', id: 'nancy', identifier: [{ system: CPR_SYSTEM, value: DEMO.cpr.nancy }] };

  it('does not read a searchset whose total counts a match it does not hold as "no such patient"', async () => {
    const server = await answering({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(FhirUnavailableError);
  });

  /**
   * R4 search.html#errors: a search may carry an OperationOutcome entry (`search.mode = outcome`) with
   * hints and warnings. An issue of severity `error` or `fatal` says the search itself failed (R4
   * valueset-issue-severity: "sufficiently important to cause the action to fail"), so the matches it
   * holds, none here, are not the answer: the citizen must not log in without their patient's rights.
   */
  const withOutcome = (severity: string, code: string) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    total: 0,
    entry: [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity, code }] }, search: { mode: 'outcome' } }],
  });

  it.each([
    ['error', 'exception'],
    ['fatal', 'timeout'],
  ])('gives a retryable error for a 200 searchset with no match and an outcome of severity %s', async (severity, code) => {
    const server = await answering(withOutcome(severity, code));
    const error = await rejectionOf(fhirLinker(server.baseUrl, { retries: 0 }).linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).message).toBe(`FHIR search Patient: the answer holds an OperationOutcome saying the search failed (${code})`);
  });

  it.each(['warning', 'information'])('reads a searchset with an outcome of severity %s as its matches', async (severity) => {
    const server = await answering(withOutcome(severity, 'not-supported'));
    await expect(fhirLinker(server.baseUrl).linker.link(citizen(DEMO.cpr.nancy))).resolves.toEqual({ kind: 'patient', patient: undefined });
  });

  /**
   * A clinician's roles and memberships are read whole (searchAll): those no longer asserted are ended.
   * A searchset whose Bundle.total (R4 bundle.html: the matches of the whole search) counts more than
   * all its pages hold has left some out, and a role or membership left out is one never ended: the
   * clinician would keep in FHIR the rights the assertion took away. Retryable, and nothing written.
   */
  it.each(['PractitionerRole', 'CareTeam'])(
    'does not read a %s searchset whose total counts matches it does not hold as all of them',
    async (type) => {
      const principal = clinician(uniqueClinicianId());
      const server: StubServer = await startStubServer((response, index) => {
        const url = server.urls[index] ?? '';
        if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, searchset([storedPractitioner(principal)]));
        if (url.endsWith(`/${type}/_search`)) return sendJson(response, 200, { ...searchset([]), total: 1 });
        if (url.endsWith('/_search')) return sendJson(response, 200, EMPTY_SEARCHSET);
        sendJson(response, 500, {});
      });
      stubs.push(server);
      const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect((error as Error).message).toBe(`FHIR search ${type}: Bundle.total counts more matches than the answer holds`);
      expect(server.urls.filter((url) => !url.endsWith('/_search'))).toEqual([]);
    },
  );

  /**
   * The organisations and care teams an assertion names are searched for whole too: one the answer
   * counted in Bundle.total but left out would make a login that succeeds without the rights asserted
   * for it, "a token with missing rights presented as success". Retryable, and nothing written.
   */
  it.each([
    ['Organization', 1, { organisations: [sor('123456', ['urn:dk:sundhed:role:doctor'])] }],
    ['CareTeam', 2, { careTeams: [{ id: 'CT-1', roles: ['urn:dk:sundhed:role:doctor'] }] }],
  ])(
    'does not read the %s search for those the assertion names, whose total counts matches it does not hold, as all of them',
    async (type, nth, privileges) => {
      const principal = clinician(uniqueClinicianId(), privileges);
      const searches = new Map<string, number>();
      const server: StubServer = await startStubServer((response, index) => {
        const url = server.urls[index] ?? '';
        const searched = /\/(\w+)\/_search$/.exec(url)?.[1];
        if (searched === undefined) return sendJson(response, 500, {});
        searches.set(searched, (searches.get(searched) ?? 0) + 1);
        if (searched === 'Practitioner') return sendJson(response, 200, searchset([storedPractitioner(principal)]));
        if (searched === type && searches.get(searched) === nth) return sendJson(response, 200, { ...searchset([]), total: 1 });
        sendJson(response, 200, EMPTY_SEARCHSET);
      });
      stubs.push(server);
      const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect((error as IdentityDirectoryUnavailableError).retryable).toBe(true);
      expect((error as Error).message).toBe(`FHIR search ${type}: Bundle.total counts more matches than the answer holds`);
      expect(searches.get(type)).toBe(nth);
      expect(server.urls.filter((url) => !url.endsWith('/_search'))).toEqual([]);
    },
  );

  it('does not give a search of every page whose total counts matches they do not hold as all of them', async () => {
    const episode = { resourceType: 'EpisodeOfCare', id: 'eoc-1', status: 'active', patient: { reference: 'Patient/p-1' } };
    const server = await answering({ ...searchset([episode]), total: 2 });
    const { gateway } = fhirLinker(server.baseUrl);
    const error = await rejectionOf(gateway.searchAll('EpisodeOfCare', { patient: 'Patient/p-1' }));
    expect(error).toBeInstanceOf(FhirUnavailableError);
    expect((error as Error).message).toBe('FHIR search EpisodeOfCare: Bundle.total counts more matches than the answer holds');
  });

  it.each([
    ['entry as an object', { resourceType: 'Bundle', type: 'searchset', entry: { resource: nancy } }],
    ['link as an object', { resourceType: 'Bundle', type: 'searchset', link: { relation: 'next', url: 'x' } }],
    ['a next link that is no URL', { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'http://[' }] }],
    ['a next link without url', { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next' }] }],
    ['entries that are not objects', { resourceType: 'Bundle', type: 'searchset', entry: ['x'] }],
    ['a total that is not a count', { resourceType: 'Bundle', type: 'searchset', total: '1' }],
    ['an empty body', ''],
    ['an OperationOutcome', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] }],
  ])('gives a retryable error for a 200 with %s', async (_, body) => {
    const server = await answering(body);
    const { gateway, linker } = fhirLinker(server.baseUrl);
    await expect(gateway.searchAll('CareTeam', { participant: 'Practitioner/p' })).rejects.toBeInstanceOf(FhirUnavailableError);
    const error = await rejectionOf(linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as IdentityDirectoryUnavailableError).retryable).toBe(true);
  });

  it.each([
    ['an empty body', ''],
    ['an OperationOutcome', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] }],
  ])('gives a retryable error for a read answered 200 with %s', async (_, body) => {
    const server = await answering(body);
    const { gateway } = fhirLinker(server.baseUrl);
    await expect(gateway.readResource('Patient', 'nancy')).rejects.toBeInstanceOf(FhirUnavailableError);
  });

  it('still takes a 4xx with an OperationOutcome as a refusal', async () => {
    const server = await startStubServer((response) =>
      sendJson(response, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] }),
    );
    stubs.push(server);
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryRefusedError);
    expect((error as Error).message).toBe('FHIR search Patient: HTTP 400 (invalid)');
  });
});

/**
 * A FHIR answer is read only up to `fhir.maxAnswerBytes` (4 MiB by default): one larger, declared or
 * counted while it streams, is given up as a broken answer (retryable, like the ones above) before it
 * is held in memory, so a server that answers too much cannot grow the service's memory with it.
 */
describe('FHIR answers beyond the size cap', () => {
  const MiB = 1024 * 1024;
  const stubs: StubServer[] = [];
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  it('gives up a searchset that streams past the cap, without reading the rest', async () => {
    let written = 0;
    const entry = (i: number) => `{"resource":{"resourceType":"Patient","id":"p${i}"},"search":{"mode":"match"}},`;
    const server = await startStubServer((response) => {
      response.writeHead(200, { 'content-type': 'application/fhir+json' });
      response.write('{"resourceType":"Bundle","type":"searchset","entry":[');
      let i = 0;
      const pump = () => {
        while (written < 64 * MiB && !response.destroyed) {
          const chunk = Array.from({ length: 500 }, () => entry(i++)).join('');
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end('{}]}');
      };
      pump();
    });
    stubs.push(server);
    // The cap, not the clock, must stop it: streaming 4 MiB through one event loop took over the
    // default 3 s once in CI, on a machine busy with other suites, and the timeout answered first.
    const { gateway, linker } = fhirLinker(server.baseUrl, { retries: 0, timeoutMs: 20_000 });
    const error = await rejectionOf(linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as IdentityDirectoryUnavailableError).retryable).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(FhirUnavailableError);
    expect((error as Error).message).toBe(`FHIR search Patient: the answer is larger than ${4 * MiB} bytes`);
    // Given up at the cap: the server got no further than the cap and what the sockets buffer.
    expect(written).toBeLessThan(24 * MiB);
    expect(gateway.stats()).toMatchObject({ requests: 1, failures: 1 });
  });

  it('gives up an answer whose Content-Length is above the cap before reading its body', async () => {
    const server = await startStubServer((response) => {
      response.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': String(1024 * MiB) });
      // The head of a body it never finishes: a reader waiting for the declared bytes would wait out the timeout.
      response.write('{"resourceType":"Bundle","type":"searchset","entry":[');
    });
    stubs.push(server);
    const { gateway } = fhirLinker(server.baseUrl, { retries: 0, timeoutMs: 2000 });
    const started = performance.now();
    const error = await rejectionOf(gateway.readResource('Patient', 'nancy'));
    expect(error).toBeInstanceOf(FhirUnavailableError);
    expect((error as Error).message).toBe(`FHIR read Patient: the answer is larger than ${4 * MiB} bytes`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

/**
 * A 2xx whose resources break the shape of a field this service reads (R4 datatypes: `identifier`,
 * `participant`, `code` are lists of elements, `period` and a reference are elements, their values
 * strings; R4 json.html: no null but in a list of primitives) is a broken answer like the ones above:
 * retryable, before anything is written, and never a TypeError that the login would answer with a 500.
 */
describe('malformed fields in FHIR answers', () => {
  const stubs: StubServer[] = [];
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  it.each([
    ['an identifier that is not a list', 'not-a-list'],
    ['an identifier list holding null', [null]],
    ['an identifier that is one element, not a list', { system: CPR_SYSTEM, value: DEMO.cpr.nancy }],
    ['an identifier value that is not a string', [{ system: CPR_SYSTEM, value: 101011234 }]],
  ])('gives a retryable error for a Patient with %s', async (_, identifier) => {
    const server = await startStubServer((response) =>
      sendJson(response, 200, searchset([{ resourceType: 'Patient', id: 'nancy', identifier }])),
    );
    stubs.push(server);
    const error = await rejectionOf(fhirLinker(server.baseUrl, { retries: 0 }).linker.link(citizen(DEMO.cpr.nancy)));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(FhirUnavailableError);
    expect((error as Error).message).toMatch(/^FHIR search Patient: a Patient in the answer is malformed \(identifier(\.0(\.value)?)?\)$/);
  });

  describe('a clinician whose resources are all in place but one', () => {
    const ROLE = 'urn:role:doctor';
    const principal = clinician('DEMO-CLIN-malformed', {
      organisations: [{ identifier: { system: SOR_SYSTEM, value: '111' }, roles: [ROLE] }],
      careTeams: [{ id: 'CT1', roles: [ROLE] }],
    });
    const roleCode = [{ coding: [{ system: 'urn:ietf:rfc:3986', code: ROLE }] }];
    const stored: Record<string, Record<string, unknown>> = {
      Practitioner: storedPractitioner(principal),
      PractitionerRole: {
        resourceType: 'PractitionerRole',
        id: 'role-A',
        meta: { versionId: '1' },
        active: true,
        period: { start: '2024-01-01' },
        practitioner: { reference: 'Practitioner/p-me' },
        organization: { reference: 'Organization/org-A' },
        code: roleCode,
      },
      CareTeam: {
        resourceType: 'CareTeam',
        id: 'ct1',
        meta: { versionId: '1' },
        identifier: [{ system: 'urn:dk:sundhed:ehealth:careteam', value: 'CT1' }],
        participant: [{ member: { reference: 'Practitioner/p-me' }, role: roleCode, period: { start: '2024-01-01' } }],
        managingOrganization: [{ reference: 'Organization/org-A' }],
      },
    };
    const organization = { resourceType: 'Organization', id: 'org-A', identifier: [{ system: SOR_SYSTEM, value: '111' }] };

    /** The stored resources, `type` changed by `change`; every write is recorded and answered 500. */
    const serving = async (type?: string, change: Record<string, unknown> = {}) => {
      const resource = (t: string) => ({ ...stored[t], ...(t === type ? change : {}) });
      const server: StubServer = await startStubServer((response, index) => {
        const url = server.urls[index] ?? '';
        if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, searchset([resource('Practitioner')]));
        if (url.endsWith('/PractitionerRole/_search'))
          return sendJson(response, 200, searchset([resource('PractitionerRole')], [organization]));
        if (url.endsWith('/CareTeam/_search')) return sendJson(response, 200, searchset([resource('CareTeam')]));
        if (url.endsWith('/_search')) return sendJson(response, 200, searchset([]));
        sendJson(response, 500, {});
      });
      stubs.push(server);
      return server;
    };

    it('links, writing nothing, when every resource is well formed', async () => {
      const server = await serving();
      await expect(fhirLinker(server.baseUrl, { retries: 0 }).linker.link(principal)).resolves.toMatchObject({
        kind: 'practitioner',
        practitioner: `${server.baseUrl}/Practitioner/p-me`,
        organisations: [{ organization: `${server.baseUrl}/Organization/org-A`, roles: [ROLE] }],
        careTeams: [{ careTeam: `${server.baseUrl}/CareTeam/ct1`, roles: [ROLE] }],
      });
      expect(server.urls.filter((url) => !url.endsWith('/_search'))).toEqual([]);
    });

    it.each([
      ['Practitioner', 'an identifier that is not a list', { identifier: 'not-a-list' }, 'identifier'],
      ['Practitioner', 'a name list holding null', { name: [null] }, 'name.0'],
      ['Practitioner', 'a versionId that is not a string', { meta: { versionId: 1 } }, 'meta.versionId'],
      ['PractitionerRole', 'a period that is not an element', { period: '2024-01-01' }, 'period'],
      ['PractitionerRole', 'a practitioner reference that is not a string', { practitioner: { reference: 7 } }, 'practitioner.reference'],
      [
        'PractitionerRole',
        'a code whose coding is not a list',
        { code: [{ coding: { system: 'urn:ietf:rfc:3986', code: ROLE } }] },
        'code.0.coding',
      ],
      ['CareTeam', 'a participant that is not a list', { participant: 'not-a-list' }, 'participant'],
      ['CareTeam', 'a participant list holding null', { participant: [null] }, 'participant.0'],
      [
        'CareTeam',
        'a participant period that is not an element',
        { participant: [{ member: { reference: 'Practitioner/p-me' }, role: roleCode, period: 'x' }] },
        'participant.0.period',
      ],
      [
        'CareTeam',
        'a managingOrganization that is not a list',
        { managingOrganization: { reference: 'Organization/org-A' } },
        'managingOrganization',
      ],
    ])('gives a retryable error, writing nothing, for a %s with %s', async (type, _, change, path) => {
      const server = await serving(type, change);
      const error = await rejectionOf(fhirLinker(server.baseUrl, { retries: 0 }).linker.link(principal));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect((error as Error).message).toBe(`FHIR search ${type}: a ${type} in the answer is malformed (${path})`);
      expect(server.urls.filter((url) => !url.endsWith('/_search'))).toEqual([]);
    });
  });

  it('gives a retryable error for a read answered with an EpisodeOfCare whose team is not a list', async () => {
    const server = await startStubServer((response) =>
      sendJson(response, 200, { resourceType: 'EpisodeOfCare', id: 'e1', patient: { reference: 'Patient/nancy' }, team: 'CareTeam/ct1' }),
    );
    stubs.push(server);
    const error = await rejectionOf(fhirLinker(server.baseUrl, { retries: 0 }).gateway.readResource('EpisodeOfCare', 'e1'));
    expect(error).toBeInstanceOf(FhirUnavailableError);
    expect((error as Error).message).toBe('FHIR read EpisodeOfCare: the answer is a malformed EpisodeOfCare (team)');
  });
});
