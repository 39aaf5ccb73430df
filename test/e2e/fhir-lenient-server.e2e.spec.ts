import { DEFAULT_FHIR_LOGIN_DEADLINE_MS, DEFAULT_FHIR_MAX_ANSWER_BYTES } from '../../src/config/fhir-config.schema.js';
import { ContextDirectory } from '../../src/fhir/context-directory.js';
import { FhirRequestError } from '../../src/fhir/fhir.errors.js';
import { FhirGateways } from '../../src/fhir/fhir-gateways.js';
import { IdentityDirectoryRefusedError } from '../../src/identity/linking-errors.js';
import { fhirLinker } from '../support/fhir/fhir-linker.js';
import { citizen, clinician, CPR_SYSTEM, DEMO, sor, SOR_SYSTEM, storedPractitioner } from '../support/fhir/principals.js';
import { sendJson, searchset, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';

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

/**
 * A FHIR server that ignores PractitionerRole's `practitioner` parameter answers with everyone's
 * roles. Taken as the clinician's, another practitioner's role would be rewritten and their roles
 * elsewhere ended, while the link claimed an organisation the clinician has no role at: the search
 * fails closed instead, before anything is written.
 */
describe('a FHIR server that ignores the PractitionerRole practitioner parameter', () => {
  it('refuses the login and writes no role, rather than rewrite and end another practitioner’s roles', async () => {
    const principal = clinician('DEMO-CLIN-lenient-roles', { organisations: [sor('111', ['urn:role:doctor'])] });
    // The clinician's Practitioner, already as asserted: the login's only writes would be roles.
    const me = storedPractitioner(principal);
    const orgA = { resourceType: 'Organization', id: 'org-A', identifier: [{ system: SOR_SYSTEM, value: '111' }] };
    const orgB = { resourceType: 'Organization', id: 'org-B', identifier: [{ system: SOR_SYSTEM, value: '222' }] };
    const othersRole = (id: string, organization: string) => ({
      resourceType: 'PractitionerRole',
      id,
      meta: { versionId: '3' },
      active: true,
      practitioner: { reference: 'Practitioner/p-other' },
      organization: { reference: `Organization/${organization}` },
    });
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, searchset([me]));
      if (url.endsWith('/PractitionerRole/_search'))
        return sendJson(response, 200, searchset([othersRole('role-other-A', 'org-A'), othersRole('role-other-B', 'org-B')], [orgA, orgB]));
      if (url.endsWith('/_search')) return sendJson(response, 200, searchset([]));
      // A role write: answered as done, so that without the check the harm would go through.
      return sendJson(response, 201, { resourceType: 'PractitionerRole', id: 'written', meta: { versionId: '9' } });
    });
    try {
      const { linker } = fhirLinker(server.baseUrl, { timeoutMs: 1000 });
      const refusal = await linker.link(principal).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(IdentityDirectoryRefusedError);
      expect((refusal as Error).cause).toBeInstanceOf(FhirRequestError);
      expect((refusal as Error).message).toBe('FHIR search PractitionerRole: a match lacks the searched practitioner');
      // Searches only (all POST `_search`): no PUT to another practitioner's role, no create.
      expect(server.urls.filter((url) => !url.endsWith('/_search'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/**
 * A FHIR server that ignores Organization's or CareTeam's search parameter answers with organisations
 * or teams not asked for. Skipping them as "not found" would log the clinician in without the roles and
 * memberships the assertion names, presented as a success: the search fails closed instead, as the
 * Patient and PractitionerRole searches do, before anything is written.
 */
describe('a FHIR server that ignores the Organization or CareTeam search parameter', () => {
  const team = (id: string, identifier: string) => ({
    resourceType: 'CareTeam',
    id,
    meta: { versionId: '1' },
    status: 'active',
    identifier: [{ system: 'urn:dk:sundhed:ehealth:careteam', value: identifier }],
  });
  /** Answers the Practitioner search with the clinician as asserted, the n-th search of `type` with `answers[n]`, any other with none. */
  const lenientServer = async (me: object, type: string, answers: object[][]) => {
    let searches = 0;
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, searchset([me]));
      if (url.endsWith(`/${type}/_search`)) return sendJson(response, 200, searchset(answers[searches++] ?? []));
      if (url.endsWith('/_search')) return sendJson(response, 200, searchset([]));
      return sendJson(response, 201, { resourceType: type, id: 'written', meta: { versionId: '9' } });
    });
    return server;
  };
  const refusalOf = async (server: StubServer, principal: ReturnType<typeof clinician>) => {
    const { linker } = fhirLinker(server.baseUrl, { timeoutMs: 1000 });
    return linker.link(principal).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
  };

  it.each([
    ['Organization', 'identifier', [[{ resourceType: 'Organization', id: 'org-B', identifier: [{ system: SOR_SYSTEM, value: '222' }] }]]],
    // The clinician's own teams (participant) first, then the one named, by identifier, then by logical id.
    ['CareTeam', 'identifier', [[], [team('ct-other', 'CT-OTHER')]]],
    ['CareTeam', 'id', [[], [], [team('ct-other', 'CT-OTHER')]]],
  ])('%s searched by %s: refuses the login and writes nothing, rather than log in with rights missing', async (type, searched, answers) => {
    const principal = clinician('DEMO-CLIN-lenient-directory', {
      ...(type === 'Organization' ? { organisations: [sor('111', ['urn:role:doctor'])] } : {}),
      ...(type === 'CareTeam' ? { careTeams: [{ id: 'CT-MINE', roles: ['urn:role:doctor'] }] } : {}),
    });
    const server = await lenientServer(storedPractitioner(principal), type, answers);
    try {
      const refusal = await refusalOf(server, principal);
      expect(refusal).toBeInstanceOf(IdentityDirectoryRefusedError);
      expect(refusal?.message).toBe(`FHIR search ${type}: a match lacks the searched ${searched}`);
      expect(server.urls.filter((url) => !url.endsWith('/_search'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/**
 * A server may answer a search with a first page that holds no match but links to the next one (R4
 * http.html#paging; Bundle.total counts the whole search, bundle.html). "No entries" on that page is
 * not "no such patient": the citizen would log in without their patient's rights.
 */
describe('a FHIR server that pages a search from an empty first page', () => {
  const nancy = { resourceType: 'Patient', id: 'nancy', identifier: [{ system: CPR_SYSTEM, value: DEMO.cpr.nancy }] };
  const pagedServer = async (next: (baseUrl: string) => string, match: object = nancy) => {
    const server: StubServer = await startStubServer((response, index) =>
      index === 0
        ? sendJson(response, 200, {
            resourceType: 'Bundle',
            type: 'searchset',
            total: 1,
            link: [{ relation: 'next', url: next(server.baseUrl) }],
          })
        : sendJson(response, 200, {
            resourceType: 'Bundle',
            type: 'searchset',
            total: 1,
            entry: [{ resource: match, search: { mode: 'match' } }],
          }),
    );
    return server;
  };

  it.each([
    ['an absolute', (baseUrl: string) => `${baseUrl}/Patient?page=2`],
    ['a relative', () => 'Patient?page=2'],
  ])('follows %s next link to the patient on the second page', async (_, next) => {
    const server = await pagedServer(next);
    try {
      const { linker } = fhirLinker(server.baseUrl, { timeoutMs: 1000 });
      await expect(linker.link(citizen(DEMO.cpr.nancy))).resolves.toEqual({ kind: 'patient', patient: `${server.baseUrl}/Patient/nancy` });
      // The relative link is read against the base (R4 http.html#paging), so it stays on this server.
      expect(server.urls).toEqual(['/fhir/Patient/_search', '/fhir/Patient?page=2']);
    } finally {
      await server.close();
    }
  });

  it('follows a relative next link of a clinician-side search on this server', async () => {
    const role = { resourceType: 'PractitionerRole', id: 'r-1', practitioner: { reference: 'Practitioner/p' } };
    const server = await pagedServer(() => 'PractitionerRole?page=2', role);
    try {
      const { gateway } = fhirLinker(server.baseUrl, { timeoutMs: 1000 });
      await expect(gateway.searchAll('PractitionerRole', { practitioner: 'Practitioner/p' })).resolves.toMatchObject({
        next: undefined,
        matches: [role],
      });
      expect(server.urls).toEqual(['/fhir/PractitionerRole/_search', '/fhir/PractitionerRole?page=2']);
    } finally {
      await server.close();
    }
  });
});

/**
 * A citizen's episodes of care for GET /contexts (`EpisodeOfCare?patient=`): every page of them (R4
 * http.html#paging), and only theirs. A server that ignored the `patient` parameter would list other
 * patients' episodes, care teams and organisations to the citizen: the listing fails closed instead,
 * as linking does (above), and the endpoint answers it with a retryable 503.
 */
describe('a citizen’s episodes of care on a server that pages or ignores the patient parameter', () => {
  const episode = (id: string, patient: string) => ({
    resourceType: 'EpisodeOfCare',
    id,
    status: 'active',
    patient: { reference: `Patient/${patient}` },
    team: [{ reference: `CareTeam/team-${id}` }],
  });
  const searchset = (episodes: object[], extra: object = {}) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: episodes.map((resource) => ({ resource, search: { mode: 'match' } })),
    ...extra,
  });
  const directoryOn = (baseUrl: string) => {
    const { gateway } = fhirLinker(baseUrl, { timeoutMs: 1000 });
    const fhir = {
      baseUrl,
      timeoutMs: 1000,
      retries: 2,
      loginDeadlineMs: DEFAULT_FHIR_LOGIN_DEADLINE_MS,
      maxAnswerBytes: DEFAULT_FHIR_MAX_ANSWER_BYTES,
    };
    return new ContextDirectory(new FhirGateways(gateway, { realms: [], fhir }));
  };

  it('lists the episodes of every page, not only the first', async () => {
    const server: StubServer = await startStubServer((response, index) =>
      index === 0
        ? sendJson(
            response,
            200,
            searchset([episode('e1', 'nancy')], { total: 2, link: [{ relation: 'next', url: 'EpisodeOfCare?page=2' }] }),
          )
        : sendJson(response, 200, searchset([episode('e2', 'nancy')], { total: 2 })),
    );
    try {
      const episodes = await directoryOn(server.baseUrl).episodesOf('nemlogin', `${server.baseUrl}/Patient/nancy`);
      expect(episodes.map((e) => e.episode)).toEqual([`${server.baseUrl}/EpisodeOfCare/e1`, `${server.baseUrl}/EpisodeOfCare/e2`]);
      expect(server.urls).toEqual(['/fhir/EpisodeOfCare/_search', '/fhir/EpisodeOfCare?page=2']);
    } finally {
      await server.close();
    }
  });

  it('refuses a listing that holds another patient’s episode, rather than show it to the citizen', async () => {
    const server = await startStubServer((response) =>
      sendJson(response, 200, searchset([episode('e1', 'nancy'), episode('e-other', 'someone-else')])),
    );
    try {
      await expect(directoryOn(server.baseUrl).episodesOf('nemlogin', `${server.baseUrl}/Patient/nancy`)).rejects.toThrow(
        new FhirRequestError('FHIR search EpisodeOfCare: a match lacks the searched patient'),
      );
    } finally {
      await server.close();
    }
  });
});
