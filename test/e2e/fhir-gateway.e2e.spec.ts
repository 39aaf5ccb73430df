import type { ServerResponse } from 'node:http';
import type * as fhir4 from 'fhir/r4.js';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { FhirNotFoundError, FhirPreconditionFailedError, FhirRequestError, FhirUnavailableError } from '../../src/fhir/fhir.errors.js';
import { FhirGateway } from '../../src/fhir/fhir.gateway.js';
import { hasIdentifier } from '../../src/fhir/fhir-references.js';
import { IdentityDirectoryUnavailableError } from '../../src/identity/linking-errors.js';
import { fhirLinker } from '../support/fhir/fhir-linker.js';
import { citizen, DEMO } from '../support/fhir/principals.js';
import { EMPTY_SEARCHSET, sendJson, searchset, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';

/** FhirGateway's REST contract over real HTTP: paging, conditional create, versioned update, errors. */
describe('FhirGateway', () => {
  let fhir: EmbeddedFhirServer;
  const stubs: StubServer[] = [];
  const gatewayFor = (baseUrl: string) => new FhirGateway({ baseUrl, timeoutMs: 2000, retries: 0 });
  const stub = async (respond: (response: ServerResponse, index: number) => void) => {
    const server = await startStubServer(respond);
    stubs.push(server);
    return server;
  };

  beforeAll(async () => {
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
  });
  afterAll(() => Promise.all([fhir.close(), ...stubs.map((s) => s.close())]));

  it('creates once with If-None-Exist, then finds the same resource, and updates it with If-Match', async () => {
    const gateway = gatewayFor(fhir.baseUrl);
    const identifier = { system: 'urn:demo:test', value: `gw-${Date.now()}` };
    const criteria = { identifier: `${identifier.system}|${identifier.value}` };
    const meant = (found: fhir4.Practitioner) => hasIdentifier(found, identifier);
    const first = await gateway.createIfNoneExist({ resourceType: 'Practitioner', identifier: [identifier] }, criteria, meant);
    const again = await gateway.createIfNoneExist({ resourceType: 'Practitioner', identifier: [identifier] }, criteria, meant);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, resource: { id: first.resource.id } });

    const version = first.resource.meta?.versionId as string;
    const updated = await gateway.update({ ...first.resource, active: false }, version);
    expect(updated).toMatchObject({ id: first.resource.id, active: false });
    expect(updated.meta?.versionId).not.toBe(version);
    await expect(gateway.update({ ...first.resource, active: true }, version)).rejects.toMatchObject({
      name: 'FhirPreconditionFailedError',
      status: 412,
    });
    expect(gateway.stats()).toEqual({ requests: 4, reads: 0, writes: 4, retries: 0, failures: 1 });
  });

  it('reads by id, and maps a missing resource to FhirNotFoundError', async () => {
    const gateway = gatewayFor(fhir.baseUrl);
    await expect(gateway.readResource('Organization', 'demo-org-hospital')).resolves.toMatchObject({ name: 'Demo Hospital (demo data)' });
    await expect(gateway.readResource('Organization', 'missing')).rejects.toBeInstanceOf(FhirNotFoundError);
  });

  it('separates matches from _include entries', async () => {
    const page = await gatewayFor(fhir.baseUrl).search('EpisodeOfCare', { _id: 'demo-eoc-bo-diabetes', _include: 'EpisodeOfCare:patient' });
    expect(page.matches.map((r) => r.id)).toEqual(['demo-eoc-bo-diabetes']);
    expect(page.included.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Patient/demo-patient-bo']);
  });

  it('follows next links on the same server, each page a round trip', async () => {
    let base = '';
    const paged = await stub((response, index) =>
      sendJson(response, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: { resourceType: 'CareTeam', id: `t${index}` }, search: { mode: 'match' } }],
        ...(index < 2 ? { link: [{ relation: 'next', url: `${base}/CareTeam?page=${index + 1}` }] } : {}),
      }),
    );
    base = paged.baseUrl;
    const gateway = gatewayFor(base);
    const all = await gateway.searchAll('CareTeam', { participant: 'Practitioner/p' });
    expect(all.matches.map((t) => t.id)).toEqual(['t0', 't1', 't2']);
    expect(gateway.stats().reads).toBe(3);
  });

  it('refuses a next link to another origin, which would carry the bearer token elsewhere', async () => {
    const leaking = await stub((response) =>
      sendJson(response, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        link: [{ relation: 'next', url: 'http://attacker.invalid/CareTeam?page=2' }],
      }),
    );
    await expect(gatewayFor(leaking.baseUrl).searchAll('CareTeam', { participant: 'Practitioner/p' })).rejects.toThrow(
      new FhirRequestError('FHIR search CareTeam: a next link leaves the server'),
    );
  });

  it.each([307, 308, 302])(
    'follows no %i redirect, which would send the search body (the CPR) and the bearer token elsewhere and use that answer',
    async (status) => {
      const elsewhere = await stub((response) => sendJson(response, 200, EMPTY_SEARCHSET));
      const redirecting = await stub((response) => {
        response.writeHead(status, { location: `${elsewhere.baseUrl}/Patient/_search` });
        response.end();
      });
      const { gateway, linker } = fhirLinker(redirecting.baseUrl, { bearerToken: 'test-only-fhir-token', retries: 0 });
      const error = await linker.link(citizen(DEMO.cpr.nancy)).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Not a login without the patient's rights (what the other origin's empty searchset would give): a retryable failure.
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect((error as Error).message).toBe(`FHIR search Patient: HTTP ${status} (a redirect, not followed)`);
      await expect(gateway.readResource('Patient', 'nancy')).rejects.toBeInstanceOf(FhirUnavailableError);
      await expect(gateway.create({ resourceType: 'Basic', code: { text: 'x' } })).rejects.toBeInstanceOf(FhirUnavailableError);
      expect(redirecting.requests).toHaveLength(3);
      expect(elsewhere.requests).toEqual([]);
    },
  );

  it('treats an answer that is not FHIR JSON as unavailable, and a wrong resource type as a request error', async () => {
    const html = await stub((response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>maintenance</html>');
    });
    await expect(gatewayFor(html.baseUrl).search('Patient', { _id: 'x' })).rejects.toBeInstanceOf(FhirUnavailableError);
    const wrong = await stub((response) => sendJson(response, 200, { resourceType: 'Patient', id: 'x' }));
    await expect(gatewayFor(wrong.baseUrl).search('Patient', { _id: 'x' })).rejects.toThrow(
      'FHIR search Patient: the answer is not a Bundle',
    );
  });

  describe('a conditional create answered without a body', () => {
    const identifier = { system: 'urn:demo', value: '1' };
    const criteria = { identifier: 'urn:demo|1' };
    const mine = { resourceType: 'Practitioner', id: 'p9', meta: { versionId: '1' }, identifier: [identifier] };
    const someoneElse = {
      resourceType: 'Practitioner',
      id: 'p-else',
      meta: { versionId: '4' },
      identifier: [{ system: 'urn:demo', value: '2' }],
    };
    const meant = (found: fhir4.Practitioner) => hasIdentifier(found, identifier);
    /** Answers the create with 201, no body and `location`; a read of p9 with it; a search with `matches`. */
    const terseServer = (location: ((base: string) => string) | undefined, matches: object[]) => {
      let base = '';
      const server = stub((response, index) => {
        if (index === 0) {
          response.writeHead(201, location ? { location: location(base) } : {});
          return response.end();
        }
        if (response.req.method === 'GET' && response.req.url === '/fhir/Practitioner/p9') return sendJson(response, 200, mine);
        sendJson(response, 200, searchset(matches));
      });
      return server.then((s) => ((base = s.baseUrl), s));
    };
    const create = (server: StubServer) =>
      gatewayFor(server.baseUrl).createIfNoneExist({ resourceType: 'Practitioner', identifier: [identifier] }, criteria, meant);

    it.each([
      ['absolute', (base: string) => `${base}/Practitioner/p9/_history/1`],
      ['relative', () => 'Practitioner/p9/_history/1'],
    ])('reads the resource its %s Location names, not whatever a search finds first', async (_, location) => {
      const terse = await terseServer(location, [someoneElse, mine]);
      await expect(create(terse)).resolves.toEqual({ created: true, resource: mine });
      expect(terse.urls).toEqual(['/fhir/Practitioner', '/fhir/Practitioner/p9']);
      expect(terse.requests[0]).toMatchObject({ 'if-none-exist': 'identifier=urn%3Ademo%7C1', prefer: 'return=representation' });
    });

    it('follows no Location to another origin, and falls back to a search for exactly one match carrying the identifier', async () => {
      const elsewhere = await stub((response) => sendJson(response, 200, someoneElse));
      const terse = await terseServer(() => `${elsewhere.baseUrl}/Practitioner/p9`, [mine]);
      await expect(create(terse)).resolves.toEqual({ created: true, resource: mine });
      expect(terse.urls).toEqual(['/fhir/Practitioner', '/fhir/Practitioner/_search']);
      expect(elsewhere.requests).toEqual([]);
    });

    it('falls back to a search without a Location too', async () => {
      const terse = await terseServer(undefined, [mine]);
      await expect(create(terse)).resolves.toEqual({ created: true, resource: mine });
      expect(terse.urls).toEqual(['/fhir/Practitioner', '/fhir/Practitioner/_search']);
    });

    it('refuses, rather than pick one, several matches (as the 412 a create may answer) or one lacking the identifier', async () => {
      const several = await create(await terseServer(undefined, [someoneElse, mine])).catch((e: unknown) => e);
      expect(several).toBeInstanceOf(FhirPreconditionFailedError);
      expect((several as Error).message).toBe('FHIR create Practitioner: several resources match the criteria after creating one');
      await expect(create(await terseServer(undefined, [someoneElse]))).rejects.toThrow(
        new FhirRequestError('FHIR create Practitioner: the resource found after creating one does not match the criteria'),
      );
    });

    /** A server need not return as many matches as `_count` asks (R4 search.html#count): a page of one is not one. */
    it.each([
      ['a Bundle.total of two', () => [{ ...searchset([mine]), total: 2 }]],
      [
        'a second page holding another',
        (base: string) => [
          { ...searchset([mine]), link: [{ relation: 'next', url: `${base}/Practitioner?page=2` }] },
          searchset([someoneElse]),
        ],
      ],
    ])('refuses as several one match on the first page of a search with %s', async (_, pages) => {
      let base = '';
      const server = await stub((response, index) => {
        if (index === 0) return response.writeHead(201).end();
        sendJson(response, 200, pages(base)[index - 1]);
      });
      base = server.baseUrl;
      const error = await create(server).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FhirPreconditionFailedError);
      expect((error as Error).message).toBe('FHIR create Practitioner: several resources match the criteria after creating one');
    });

    it('is retryable when the created resource cannot be found yet', async () => {
      const error = await create(await terseServer(undefined, [])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FhirUnavailableError);
      expect((error as Error).message).toBe('FHIR create Practitioner: the resource cannot be found after creating it');
    });
  });
});
