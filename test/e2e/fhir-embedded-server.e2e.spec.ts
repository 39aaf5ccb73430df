import { DEFAULT_FHIR_LOGIN_DEADLINE_MS, DEFAULT_FHIR_MAX_ANSWER_BYTES } from '../../src/config/fhir-config.schema.js';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { openFhirEndpoint } from '../../src/fhir/fhir-endpoint.js';
import { probeSearch } from '../support/fhir/fhir-probe.js';

/** The embedded server's REST behaviour that linking relies on, over real HTTP (FHIR R4 http.html). */
describe('embedded FHIR server', () => {
  let server: EmbeddedFhirServer;
  let base: string;

  beforeAll(async () => {
    server = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    base = server.baseUrl;
  });
  afterAll(() => server.close());

  const json = { 'content-type': 'application/fhir+json' };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
  const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, { method: 'PUT', headers: { ...json, ...headers }, body: JSON.stringify(body) });

  it('listens on a loopback ephemeral port under /fhir, seeded', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    expect(server.seeded).toBe(16);
  });

  it('finds patients by identifier, by GET and by POST _search, with fullUrl entries', async () => {
    const byGet = await probeSearch(base, 'Patient?identifier=urn:oid:1.2.208.176.1.2|0101011234');
    expect(byGet.map((p) => p.id)).toEqual(['demo-patient-nancy']);
    const response = await fetch(`${base}/Patient/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'identifier=urn:oid:1.2.208.176.1.2|0404041234',
    });
    const bundle = (await response.json()) as { entry: { fullUrl: string }[] };
    expect(bundle.entry.map((e) => e.fullUrl).sort()).toEqual([
      `${base}/Patient/demo-patient-duplicate-a`,
      `${base}/Patient/demo-patient-duplicate-b`,
    ]);
  });

  it('searches CareTeam by participant, PractitionerRole by practitioner and organization, EpisodeOfCare by patient and team', async () => {
    const episodes = await probeSearch(base, 'EpisodeOfCare?patient=Patient/demo-patient-nancy&team=CareTeam/demo-careteam-copd');
    expect(episodes.map((e) => e.id)).toEqual(['demo-eoc-nancy-copd']);
    expect(await probeSearch(base, 'CareTeam?participant=Practitioner/nobody')).toEqual([]);
    expect(
      await probeSearch(base, 'PractitionerRole?practitioner=Practitioner/nobody&organization=Organization/demo-org-hospital'),
    ).toEqual([]);
  });

  it('answers a create with 201, ETag and a versioned Location', async () => {
    const response = await post('Organization', { resourceType: 'Organization', name: 'Demo created' });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; meta: { versionId: string } };
    expect(response.headers.get('etag')).toBe(`W/"${created.meta.versionId}"`);
    expect(response.headers.get('location')).toBe(`${base}/Organization/${created.id}/_history/${created.meta.versionId}`);
  });

  it('creates one resource for 20 concurrent conditional creates (If-None-Exist)', async () => {
    const identifier = { system: 'urn:demo:test', value: `race-${Date.now()}` };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(
          'Practitioner',
          { resourceType: 'Practitioner', identifier: [identifier] },
          { 'if-none-exist': `identifier=${identifier.system}|${identifier.value}` },
        ),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([...Array<number>(19).fill(200), 201]);
    expect(await probeSearch(base, `Practitioner?identifier=${identifier.system}|${identifier.value}`)).toHaveLength(1);
  });

  it('updates with If-Match, and answers 412 to a stale version', async () => {
    const created = (await (await post('Organization', { resourceType: 'Organization', name: 'v1' })).json()) as {
      id: string;
      meta: { versionId: string };
    };
    const first = await put(
      `Organization/${created.id}`,
      { resourceType: 'Organization', id: created.id, name: 'v2' },
      { 'if-match': `W/"${created.meta.versionId}"` },
    );
    expect(first.status).toBe(200);
    const stale = await put(
      `Organization/${created.id}`,
      { resourceType: 'Organization', id: created.id, name: 'v3' },
      { 'if-match': `W/"${created.meta.versionId}"` },
    );
    expect(stale.status).toBe(412);
  });

  it('refuses unknown search parameters instead of silently matching nothing', async () => {
    const response = await fetch(`${base}/Patient?identifer=x|1`);
    expect(response.status).toBe(400);
    const conditional = await post('Practitioner', { resourceType: 'Practitioner' }, { 'if-none-exist': 'identifer=x|1' });
    expect(conditional.status).toBe(400);
    expect(await probeSearch(base, 'Practitioner?identifier=x|1')).toEqual([]);
  });

  it('refuses resources that break their StructureDefinition, and transaction Bundles', async () => {
    expect((await post('Patient', { resourceType: 'Patient', birthDate: 'yesterday' })).status).toBe(400);
    expect((await post('Patient', { resourceType: 'Patient', nickname: 'x' })).status).toBe(400);
    expect((await post('', { resourceType: 'Bundle', type: 'transaction', entry: [] })).status).toBe(400);
    // A malformed batch is a 400 with an OperationOutcome, not a 500.
    for (const entry of [[null], 'x', [42], [[]], { request: {} }]) {
      const malformed = await post('', { resourceType: 'Bundle', type: 'batch', entry });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    }
  });

  it('answers 404 for a resource type it does not hold, and lists those it holds in its CapabilityStatement', async () => {
    for (const response of [
      await fetch(`${base}/Encounter?patient=x`),
      await fetch(`${base}/Patient/demo-patient-nancy/Encounter`),
      await post('Encounter', { resourceType: 'Encounter' }),
      // R4 resource types are case-sensitive: `patient` is no type, not an empty search.
      await fetch(`${base}/patient?identifier=x`),
      await fetch(`${base}/%3Cscript%3E`),
    ]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    }
    const batch = await post('', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Encounter?patient=x' } }],
    });
    expect(batch.status).toBe(400);
    const metadata = (await (await fetch(`${base}/metadata`)).json()) as { rest: { resource: { type: string }[] }[] };
    expect(metadata.rest[0]!.resource.map((resource) => resource.type)).toEqual(expect.arrayContaining(['Patient', 'AuditEvent']));
    expect((await post('AuditEvent', { resourceType: 'AuditEvent' })).status).toBe(400); // held, and validated
  });

  it('stops listening when closed', async () => {
    const other = await startEmbeddedFhirServer({ environment: 'test' });
    expect((await fetch(`${other.baseUrl}/Patient`)).status).toBe(200);
    await other.close();
    await expect(fetch(`${other.baseUrl}/Patient`)).rejects.toThrow();
  });

  it('is refused in production, by the server and by the endpoint resolver', async () => {
    await expect(startEmbeddedFhirServer({ environment: 'production' })).rejects.toThrow('refused in production');
    const fhir = {
      baseUrl: 'embedded',
      timeoutMs: 1000,
      retries: 0,
      loginDeadlineMs: DEFAULT_FHIR_LOGIN_DEADLINE_MS,
      maxAnswerBytes: DEFAULT_FHIR_MAX_ANSWER_BYTES,
    };
    await expect(openFhirEndpoint({ environment: 'production', fhir })).rejects.toThrow('refused in production');
  });

  it('fails to start on a seed it cannot load completely', async () => {
    await expect(startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/missing.json' })).rejects.toThrow('fhir.seed');
  });
});
