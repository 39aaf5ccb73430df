import type * as fhir4 from 'fhir/r4.js';
import type { IdentityLink } from '../../src/identity/identity-link.js';
import {
  AmbiguousIdentityError,
  IdentityDirectoryRefusedError,
  IdentityDirectoryUnavailableError,
} from '../../src/identity/linking-errors.js';
import { activeParticipantsOf, clinicianInFhir, participantsOf, roleSummary, versionOf } from '../support/fhir/clinician-probes.js';
import { FHIR_SERVER_SETUPS, type RunningFhirServer } from '../support/fhir/fhir-servers.js';
import { captureNestLogs, fhirLinker, measure } from '../support/fhir/fhir-linker.js';
import { probeCreate, probeRead, probeSearch, probeUpdate } from '../support/fhir/fhir-probe.js';
import { clinician, DEMO, fakeCpr, ROLE, sor, SOR_SYSTEM, storedPractitioner, uniqueClinicianId } from '../support/fhir/principals.js';
import { EMPTY_SEARCHSET, sendJson, searchset, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';
import { rejectionOf } from '../support/rejection.js';

/**
 * Clinician linking (DOMAIN.md "Clinician login") over real HTTP, against the server in this
 * process and against a separate process on its own port. Every assertion about what FHIR holds
 * reads the server directly, not through the gateway under test.
 */
describe.each(FHIR_SERVER_SETUPS)('clinician linking against a FHIR server %s', (_name, start) => {
  let server: RunningFhirServer;
  let base: string;
  let logs: ReturnType<typeof captureNestLogs>;
  const cprs: string[] = [];

  beforeAll(async () => {
    server = await start();
    base = server.baseUrl;
    logs = captureNestLogs();
  });
  afterAll(async () => {
    logs.restore();
    await server.stop();
  });

  const org = (id: string) => `${base}/Organization/${id}`;
  const team = (id: string) => `${base}/CareTeam/${id}`;
  const { hospital, gpPractice } = DEMO.organizationId;
  const { cardiology, copd, diabetes } = DEMO.careTeamId;

  describe('one clinician over three logins', () => {
    const id = uniqueClinicianId();
    const cpr = fakeCpr();
    cprs.push(cpr);
    const firstAssertion = () =>
      clinician(id, {
        cpr,
        organisations: [sor(DEMO.sor.hospital, [ROLE.doctor]), sor(DEMO.sor.gpPractice, [ROLE.nurse])],
        careTeams: [
          { id: DEMO.careTeam.cardiology, roles: [ROLE.doctor] },
          { id: DEMO.careTeam.copd, roles: [ROLE.nurse] },
        ],
      });
    let first: Extract<IdentityLink, { kind: 'practitioner' }>;
    let practitioner: string;

    it('first login creates the Practitioner, a role per existing organisation and joins existing care teams', async () => {
      const { gateway, linker } = fhirLinker(base);
      const { result, cost } = await measure(gateway, () => linker.link(firstAssertion()));
      first = result as typeof first;
      // Reads: Practitioner; roles (+ their organisations); organisations by identifier; memberships;
      // care teams by identifier. Writes: the Practitioner, two roles, two care teams.
      expect(cost).toEqual({ requests: 10, reads: 5, writes: 5, retries: 0, failures: 0 });
      expect(first).toEqual({
        kind: 'practitioner',
        practitioner: expect.stringMatching(new RegExp(`^${base}/Practitioner/[\\w-]+$`)),
        organisations: [
          { organization: org(hospital), roles: [ROLE.doctor] },
          { organization: org(gpPractice), roles: [ROLE.nurse] },
        ],
        careTeams: [
          { careTeam: team(cardiology), organization: org(hospital), roles: [ROLE.doctor] },
          { careTeam: team(copd), organization: org(gpPractice), roles: [ROLE.nurse] },
        ],
      });
      practitioner = first.practitioner.slice(base.length + 1);

      const fhir = await clinicianInFhir(base, id);
      expect(fhir.practitioners).toHaveLength(1);
      expect(fhir.practitioners[0]).toMatchObject({ active: true, name: [{ use: 'official', family: 'Demo-Hansen', given: ['Hanne'] }] });
      expect(roleSummary(fhir.roles)).toEqual([
        [`Organization/${gpPractice}`, [ROLE.nurse], true],
        [`Organization/${hospital}`, [ROLE.doctor], true],
      ]);
      expect(fhir.careTeams.map((t) => t.id).sort()).toEqual([cardiology, copd]);
      const [membership, ...others] = await activeParticipantsOf(base, cardiology, practitioner);
      expect(others).toEqual([]);
      expect(membership?.period?.start).toEqual(expect.any(String));
      expect(membership?.role?.[0]?.coding?.[0]?.code).toBe(ROLE.doctor);
    });

    it('an unchanged second login writes nothing, makes no new version and costs three searches', async () => {
      const { gateway, linker } = fhirLinker(base);
      const references = [
        practitioner,
        `CareTeam/${cardiology}`,
        `CareTeam/${copd}`,
        ...(await clinicianInFhir(base, id)).roles.map((r) => `PractitionerRole/${r.id}`),
      ];
      const before = await Promise.all(references.map((r) => versionOf(base, r)));

      const { result, cost } = await measure(gateway, () => linker.link(firstAssertion()));
      expect(result).toEqual(first);
      expect(cost).toEqual({ requests: 3, reads: 3, writes: 0, retries: 0, failures: 0 });
      expect(await Promise.all(references.map((r) => versionOf(base, r)))).toEqual(before);
    });

    it('a changed name and dropped memberships update the Practitioner and end, not delete, the rest', async () => {
      const { linker } = fhirLinker(base);
      const cardiologyVersion = await versionOf(base, `CareTeam/${cardiology}`);
      const practitionerVersion = await versionOf(base, practitioner);
      const changed = clinician(id, {
        cpr,
        family: 'Demo-Hansen-Berg',
        organisations: [sor(DEMO.sor.hospital, [ROLE.doctor])],
        careTeams: [{ id: DEMO.careTeam.cardiology, roles: [ROLE.doctor] }],
      });
      const link = await linker.link(changed);
      expect(link).toEqual({ ...first, organisations: [first.organisations[0]], careTeams: [first.careTeams[0]] });

      const fhir = await clinicianInFhir(base, id);
      expect(fhir.practitioners[0]?.name).toEqual([{ use: 'official', family: 'Demo-Hansen-Berg', given: ['Hanne'] }]);
      expect(await versionOf(base, practitioner)).not.toBe(practitionerVersion);
      expect(await versionOf(base, `CareTeam/${cardiology}`)).toBe(cardiologyVersion);

      const copdEntries = await participantsOf(base, copd, practitioner);
      expect(copdEntries).toHaveLength(1);
      expect(copdEntries[0]?.period).toEqual({ start: expect.any(String), end: expect.any(String) });
      expect(fhir.careTeams.map((t) => t.id).sort()).toEqual([cardiology, copd]);

      const gpRole = fhir.roles.find((r) => r.organization?.reference === `Organization/${gpPractice}`);
      expect(gpRole).toMatchObject({ active: false, period: { end: expect.any(String) } });
      expect(fhir.roles.find((r) => r.organization?.reference === `Organization/${hospital}`)?.active).toBe(true);
    });
  });

  it('skips organisations and care teams that do not exist, never creating them; each costs a lookup per login', async () => {
    const assertion = clinician(uniqueClinicianId(), {
      organisations: [sor(DEMO.sor.hospital, [ROLE.doctor]), sor(DEMO.sor.unknown, [ROLE.doctor])],
      careTeams: [
        { id: DEMO.careTeam.cardiology, roles: [ROLE.doctor] },
        { id: 'DEMO-CT-DOES-NOT-EXIST', roles: [ROLE.doctor] },
      ],
    });
    const { gateway, linker } = fhirLinker(base);
    const link = await linker.link(assertion);
    expect(link).toMatchObject({ organisations: [{ organization: org(hospital) }], careTeams: [{ careTeam: team(cardiology) }] });
    expect(await probeSearch(base, `Organization?identifier=${SOR_SYSTEM}|${DEMO.sor.unknown}`)).toEqual([]);
    expect(await probeSearch(base, 'CareTeam?identifier=urn:dk:sundhed:ehealth:careteam|DEMO-CT-DOES-NOT-EXIST')).toEqual([]);
    expect(logs.lines.some((l) => l.startsWith('debug') && l.includes('care team DEMO-CT-DOES-NOT-EXIST'))).toBe(true);
    expect(logs.lines.some((l) => l.startsWith('debug') && l.includes('organisation #1 of the assertion does not exist'))).toBe(true);

    // Returning: the three searches, plus one for the missing organisation and two for the missing team.
    const { cost } = await measure(gateway, () => linker.link(assertion));
    expect(cost).toEqual({ requests: 6, reads: 6, writes: 0, retries: 0, failures: 0 });
  });

  it('joins no care team not in force (CareTeam.status is a modifier), ends a membership in one, and takes the team in force that replaced it', async () => {
    const identifier = `DEMO-CT-STATUS-${uniqueClinicianId()}`;
    const newTeam = (status: fhir4.CareTeam['status'], value = identifier) =>
      probeCreate<fhir4.CareTeam>(base, {
        resourceType: 'CareTeam',
        status,
        identifier: [{ system: 'urn:dk:sundhed:ehealth:careteam', value }],
      });
    const old = await newTeam('active');
    const id = uniqueClinicianId();
    const cpr = fakeCpr();
    cprs.push(cpr);
    const naming = clinician(id, { cpr, careTeams: [{ id: identifier, roles: [ROLE.doctor] }] });
    const { linker } = fhirLinker(base);

    expect(await linker.link(naming)).toMatchObject({ careTeams: [{ careTeam: team(old.id) }] });
    const practitioner = `Practitioner/${(await clinicianInFhir(base, id)).practitioners[0]?.id}`;
    expect(await activeParticipantsOf(base, old.id, practitioner)).toHaveLength(1);

    // The team is suspended in FHIR: though still named, it is no longer the clinician's, and the
    // membership ends, so it does not count again the day the team is active again.
    await probeUpdate(base, { ...(await probeRead<fhir4.CareTeam & { id: string }>(base, `CareTeam/${old.id}`)), status: 'suspended' });
    expect(await linker.link(naming)).toMatchObject({ careTeams: [] });
    expect(await activeParticipantsOf(base, old.id, practitioner)).toHaveLength(0);

    // A team in force now carries the identifier (the old one kept it): it is the one joined.
    const replacement = await newTeam('active');
    expect(await linker.link(naming)).toMatchObject({ careTeams: [{ careTeam: team(replacement.id) }] });
    expect(await activeParticipantsOf(base, replacement.id, practitioner)).toHaveLength(1);
    expect(await activeParticipantsOf(base, old.id, practitioner)).toHaveLength(0);

    // A team entered in error is not joined at a first login.
    const erroneous = await newTeam('entered-in-error', `${identifier}-E`);
    const newcomer = clinician(uniqueClinicianId(), { careTeams: [{ id: `${identifier}-E`, roles: [ROLE.doctor] }] });
    expect(await linker.link(newcomer)).toMatchObject({ careTeams: [] });
    expect((await probeRead<fhir4.CareTeam>(base, `CareTeam/${erroneous.id}`)).participant ?? []).toEqual([]);
  });

  it('joins a care team named by its logical id when no team has that identifier', async () => {
    const { linker } = fhirLinker(base);
    const link = await linker.link(clinician(uniqueClinicianId(), { careTeams: [{ id: diabetes, roles: [ROLE.secretary] }] }));
    expect(link).toMatchObject({ careTeams: [{ careTeam: team(diabetes), organization: org(hospital), roles: [ROLE.secretary] }] });
  });

  /** One clinician's assertion, the same at every login (a fixed CPR, unlike `clinician()`'s default). */
  const concurrentAssertion = (id: string, cpr: string) =>
    clinician(id, {
      cpr,
      organisations: [sor(DEMO.sor.hospital, [ROLE.doctor]), sor(DEMO.sor.gpPractice, [ROLE.nurse])],
      careTeams: [
        { id: DEMO.careTeam.cardiology, roles: [ROLE.doctor] },
        { id: DEMO.careTeam.copd, roles: [ROLE.nurse] },
      ],
    });

  const expectExactlyOneOfEach = async (id: string, links: IdentityLink[]) => {
    const fhir = await clinicianInFhir(base, id);
    expect(fhir.practitioners).toHaveLength(1);
    const practitioner = `Practitioner/${fhir.practitioners[0]?.id}`;
    expect(new Set(links.map((l) => (l.kind === 'practitioner' ? l.practitioner : l.kind)))).toEqual(new Set([`${base}/${practitioner}`]));
    expect(roleSummary(fhir.roles)).toEqual([
      [`Organization/${gpPractice}`, [ROLE.nurse], true],
      [`Organization/${hospital}`, [ROLE.doctor], true],
    ]);
    for (const careTeam of [cardiology, copd]) expect(await participantsOf(base, careTeam, practitioner)).toHaveLength(1);
  };

  /**
   * Two PractitionerRoles of the clinician at one organisation (another writer's, or a server whose
   * conditional create is not atomic): the roles there are made to match the assertion (DOMAIN.md), so
   * one keeps the asserted roles and the other is ended, as planJoin closes a member's extra entries —
   * not left in force with roles the assertion no longer names.
   */
  it('ends a second PractitionerRole in force at one organisation, rather than leave it the roles no longer asserted', async () => {
    const id = uniqueClinicianId();
    const { linker } = fhirLinker(base);
    const first = (await linker.link(clinician(id, { organisations: [sor(DEMO.sor.hospital, [ROLE.doctor])] }))) as {
      practitioner: string;
    };
    const practitioner = `Practitioner/${first.practitioner.split('/').pop()}`;
    await probeCreate<fhir4.PractitionerRole>(base, {
      resourceType: 'PractitionerRole',
      active: true,
      practitioner: { reference: practitioner },
      organization: { reference: `Organization/${hospital}` },
      code: [{ coding: [{ system: 'urn:ietf:rfc:3986', code: ROLE.doctor }] }],
    });
    expect(roleSummary((await clinicianInFhir(base, id)).roles)).toEqual([
      [`Organization/${hospital}`, [ROLE.doctor], true],
      [`Organization/${hospital}`, [ROLE.doctor], true],
    ]);

    await linker.link(clinician(id, { organisations: [sor(DEMO.sor.hospital, [ROLE.nurse])] }));
    const roles = (await clinicianInFhir(base, id)).roles;
    expect(roleSummary(roles.filter((r) => r.active !== false))).toEqual([[`Organization/${hospital}`, [ROLE.nurse], true]]);
    expect(roles.filter((r) => r.active === false)).toEqual([
      expect.objectContaining({ period: expect.objectContaining({ end: expect.any(String) }) }),
    ]);
  });

  it('20 concurrent first logins of one new clinician in one instance make exactly one of each', async () => {
    const [id, cpr] = [uniqueClinicianId(), fakeCpr()];
    const { gateway, linker } = fhirLinker(base);
    const { result: links, cost } = await measure(gateway, () =>
      Promise.all(Array.from({ length: 20 }, () => linker.link(concurrentAssertion(id, cpr)))),
    );
    await expectExactlyOneOfEach(id, links);
    // Serialised in-process: the first login writes (Practitioner, 2 roles, 2 teams), the others find it all in place.
    expect(cost).toMatchObject({ writes: 5, failures: 0 });
  });

  /**
   * The races below prove that every writer ends right, not how fast: 20 writers on one CareTeam queue
   * behind each other's If-Match retries, and on a slow, busy machine one write can wait longer than
   * the production default of 3 s. A timed-out write is not retried (not idempotent), so it would fail
   * the test for the machine's speed, not for a lost update.
   */
  const RACE = { timeoutMs: 30_000 };

  it('20 service instances racing the first login of one clinician make exactly one of each', async () => {
    // Each round is checked. The race itself is up to the scheduler: on a busy machine the instances'
    // writes can happen to come one after another. So a new clinician races again, at most three
    // times, until a round shows it was a race and not a queue: instances wrote concurrently and lost
    // If-Match races (412s). Each round's outcome is 'raced', or what it did instead, shown if none raced.
    const rounds: string[] = [];
    while (rounds.length < 3 && !rounds.includes('raced')) {
      const [id, cpr] = [uniqueClinicianId(), fakeCpr()];
      const instances = Array.from({ length: 20 }, () => fhirLinker(base, RACE));
      const links = await Promise.all(instances.map(({ linker }) => linker.link(concurrentAssertion(id, cpr))));
      await expectExactlyOneOfEach(id, links);
      const stats = instances.map(({ gateway }) => gateway.stats());
      const [writing, failures] = [stats.filter((s) => s.writes > 0).length, stats.reduce((sum, s) => sum + s.failures, 0)];
      rounds.push(writing > 1 && failures > 0 ? 'raced' : `${writing} instances wrote, ${failures} failed`);
    }
    expect(rounds).toContain('raced');
  });

  it('20 clinicians joining one care team at once from separate instances all stay members', async () => {
    const ids = Array.from({ length: 20 }, () => uniqueClinicianId());
    const links = await Promise.all(
      ids.map((id) =>
        fhirLinker(base, RACE).linker.link(clinician(id, { careTeams: [{ id: DEMO.careTeam.diabetes, roles: [ROLE.nurse] }] })),
      ),
    );
    for (const link of links) {
      const practitioner = (link as Extract<IdentityLink, { kind: 'practitioner' }>).practitioner.slice(base.length + 1);
      expect(await activeParticipantsOf(base, diabetes, practitioner)).toHaveLength(1);
    }
  });

  it('never wrote a clinician CPR into a log line', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.filter((line) => cprs.some((cpr) => line.includes(cpr)))).toEqual([]);
  });
});

/**
 * R4 http.html#update lets a server answer a version conflict with 409 Conflict instead of 412. On
 * such a server a clinician who loses the If-Match race for a CareTeam must re-read and retry, as
 * after a 412, not be refused: concurrent logins joining one team are the normal case.
 */
describe('clinician linking against a FHIR server that answers 409 for a version conflict', () => {
  it('re-reads the CareTeam after a 409 and joins it with the next version', async () => {
    const principal = clinician(uniqueClinicianId(), { careTeams: [{ id: 'DEMO-CT-409', roles: [ROLE.doctor] }] });
    const me = storedPractitioner(principal);
    let version = 1;
    const team = () => ({
      resourceType: 'CareTeam',
      id: 'ct-409',
      meta: { versionId: String(version) },
      identifier: [{ system: 'urn:dk:sundhed:ehealth:careteam', value: 'DEMO-CT-409' }],
      participant: [],
    });
    let careTeamSearches = 0;
    let updates = 0;
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      const ifMatch = server.requests[index]?.['if-match'];
      if (url.endsWith('/Practitioner/_search')) return sendJson(response, 200, searchset([me]));
      // First the clinician's memberships (none), then the team by identifier.
      if (url.endsWith('/CareTeam/_search')) return sendJson(response, 200, searchset(careTeamSearches++ === 0 ? [] : [team()]));
      if (url.endsWith('/_search')) return sendJson(response, 200, EMPTY_SEARCHSET);
      if (ifMatch === undefined) return sendJson(response, 200, team());
      // Every If-Match update makes a version; the first is another writer's, so this one gets a 409.
      version++;
      if (++updates === 1)
        return sendJson(response, 409, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] });
      return sendJson(response, 200, team());
    });
    try {
      const { gateway, linker } = fhirLinker(server.baseUrl, { timeoutMs: 2000 });
      const link = await linker.link(principal);
      expect(link).toMatchObject({ careTeams: [{ careTeam: `${server.baseUrl}/CareTeam/ct-409`, roles: [ROLE.doctor] }] });
      // PUT with the version searched, re-read, PUT with the version the other writer left.
      expect(server.requests.map((headers) => headers['if-match']).filter((v) => v !== undefined)).toEqual(['W/"1"', 'W/"2"']);
      expect(server.urls.filter((url) => url.endsWith('/CareTeam/ct-409'))).toHaveLength(3);
      expect(gateway.stats()).toMatchObject({ writes: 2, failures: 1 });
    } finally {
      await server.close();
    }
  });
});

/**
 * A server guarding uniqueness may answer the conditional create (R4 http.html#ccreate) of a first
 * login that lost the race to another instance's with 409 Conflict. That race is transient and its
 * winner's resource is the one meant: it is searched for again, with the checks of the first search,
 * and the login carries on with it; not finding it yet is retryable, never a refusal.
 */
describe('clinician linking against a FHIR server that answers a conditional create 409', () => {
  const CONFLICT = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] };
  const stubs: StubServer[] = [];
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  const principal = clinician(uniqueClinicianId(), { organisations: [sor('111', [ROLE.doctor])] });
  const practitioner = (identifier: object[] = principal.identifiers) => storedPractitioner(principal, 'p-winner', identifier);
  const organization = { resourceType: 'Organization', id: 'org-A', identifier: [{ system: SOR_SYSTEM, value: '111' }] };
  const role = {
    resourceType: 'PractitionerRole',
    id: 'role-winner',
    meta: { versionId: '1' },
    active: true,
    practitioner: { reference: 'Practitioner/p-winner' },
    organization: { reference: 'Organization/org-A' },
    code: [{ coding: [{ system: 'urn:ietf:rfc:3986', code: ROLE.doctor }] }],
  };

  /**
   * Practitioner and PractitionerRole searches answer `first` until their create met its 409, then
   * `then`; the creates get 409, any other write a 500.
   */
  const racingServer = async (searches: Record<'Practitioner' | 'PractitionerRole', { first: object; then: object }>) => {
    const conflicted = new Set<string>();
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      const type = /\/fhir\/(Practitioner|PractitionerRole)(\/_search)?$/.exec(url);
      if (type?.[2] !== undefined) {
        const answers = searches[type[1] as 'Practitioner' | 'PractitionerRole'];
        return sendJson(response, 200, conflicted.has(type[1]!) ? answers.then : answers.first);
      }
      if (url.endsWith('/Organization/_search')) return sendJson(response, 200, searchset([organization]));
      if (url.endsWith('/_search')) return sendJson(response, 200, EMPTY_SEARCHSET);
      if (type !== null && response.req.method === 'POST') {
        conflicted.add(type[1]!);
        return sendJson(response, 409, CONFLICT);
      }
      sendJson(response, 500, {});
    });
    stubs.push(server);
    return server;
  };
  const writesTo = (server: StubServer) => server.urls.filter((url) => !url.endsWith('/_search'));

  it('finds the Practitioner and the PractitionerRole the winner created, and carries on with them', async () => {
    const server = await racingServer({
      Practitioner: { first: EMPTY_SEARCHSET, then: searchset([practitioner()]) },
      PractitionerRole: { first: EMPTY_SEARCHSET, then: searchset([role]) },
    });
    await expect(fhirLinker(server.baseUrl).linker.link(principal)).resolves.toEqual({
      kind: 'practitioner',
      practitioner: `${server.baseUrl}/Practitioner/p-winner`,
      organisations: [{ organization: `${server.baseUrl}/Organization/org-A`, roles: [ROLE.doctor] }],
      careTeams: [],
    });
    // One create each, answered 409; what the winner wrote already matches, so nothing else is written.
    expect(writesTo(server)).toEqual(['/fhir/Practitioner', '/fhir/PractitionerRole']);
  });

  it('is retryable when the winner’s Practitioner cannot be found yet', async () => {
    const server = await racingServer({
      Practitioner: { first: EMPTY_SEARCHSET, then: EMPTY_SEARCHSET },
      PractitionerRole: { first: EMPTY_SEARCHSET, then: EMPTY_SEARCHSET },
    });
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).message).toBe('FHIR create Practitioner: HTTP 409, and no Practitioner found after it');
  });

  it('is retryable when the winner’s PractitionerRole cannot be found yet', async () => {
    const server = await racingServer({
      Practitioner: { first: searchset([practitioner()]), then: searchset([practitioner()]) },
      PractitionerRole: { first: EMPTY_SEARCHSET, then: EMPTY_SEARCHSET },
    });
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
    expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
    expect((error as Error).message).toBe('FHIR create PractitionerRole: HTTP 409, and no PractitionerRole found after it');
  });

  it('applies the first search’s identifier check to what it finds after the 409', async () => {
    const stranger = [{ system: 'urn:dk:healthcare:demo:clinician-id', value: 'someone-else' }];
    const server = await racingServer({
      Practitioner: { first: EMPTY_SEARCHSET, then: searchset([practitioner(stranger)]) },
      PractitionerRole: { first: EMPTY_SEARCHSET, then: EMPTY_SEARCHSET },
    });
    const error = await rejectionOf(fhirLinker(server.baseUrl).linker.link(principal));
    expect(error).toBeInstanceOf(IdentityDirectoryRefusedError);
    expect((error as Error).message).toBe('FHIR search Practitioner: a match lacks the searched identifier');
    expect(writesTo(server)).toEqual(['/fhir/Practitioner']);
  });
});

/**
 * A server need not return as many matches on a page as `_count` asks (R4 search.html#count: "the
 * server is not bound to return the number requested"); `Bundle.total` counts the whole search (R4
 * bundle.html) and a `next` link leads to the rest (R4 http.html#paging). Two Practitioners with the
 * clinician's identifier are two whether they come on one page or two: nobody is linked, as for
 * citizens, rather than the one the first page happened to hold.
 */
describe('clinician linking when the Practitioner search is paged below `_count`', () => {
  const stubs: StubServer[] = [];
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  const principal = clinician(uniqueClinicianId());
  const me = storedPractitioner(principal, 'p-1');
  const twin = storedPractitioner(principal, 'p-2');
  /** Practitioner searches answer `pages` in turn; every other search is empty, every write a 500. */
  const pagedServer = async (pages: (baseUrl: string) => object[]) => {
    let practitionerPages = 0;
    const server: StubServer = await startStubServer((response, index) => {
      const url = server.urls[index] ?? '';
      if (url.endsWith('/Practitioner/_search') || url.includes('/Practitioner?'))
        return sendJson(response, 200, pages(server.baseUrl)[practitionerPages++] ?? EMPTY_SEARCHSET);
      if (url.endsWith('/_search')) return sendJson(response, 200, EMPTY_SEARCHSET);
      sendJson(response, 500, {});
    });
    stubs.push(server);
    return server;
  };
  const writesTo = (server: StubServer) => server.urls.filter((url) => !url.endsWith('/_search') && !url.includes('?'));

  it('refuses to pick when the second page holds another Practitioner with the identifier', async () => {
    const server = await pagedServer((baseUrl) => [
      { ...searchset([me]), link: [{ relation: 'next', url: `${baseUrl}/Practitioner?page=2` }] },
      searchset([twin]),
    ]);
    await expect(fhirLinker(server.baseUrl).linker.link(principal)).rejects.toBeInstanceOf(AmbiguousIdentityError);
    expect(server.urls).toEqual(['/fhir/Practitioner/_search', '/fhir/Practitioner?page=2']);
    expect(writesTo(server)).toEqual([]);
  });

  it('refuses to pick when Bundle.total counts more than the one Practitioner the page holds', async () => {
    const server = await pagedServer(() => [{ ...searchset([me]), total: 2 }]);
    await expect(fhirLinker(server.baseUrl).linker.link(principal)).rejects.toBeInstanceOf(AmbiguousIdentityError);
    expect(writesTo(server)).toEqual([]);
  });

  it('still links the one Practitioner of a whole answer, in one round trip', async () => {
    const server = await pagedServer(() => [{ ...searchset([me]), total: 1 }]);
    await expect(fhirLinker(server.baseUrl).linker.link(principal)).resolves.toMatchObject({
      practitioner: `${server.baseUrl}/Practitioner/p-1`,
    });
    expect(server.urls.filter((url) => /\/Practitioner[/?]/.test(url))).toEqual(['/fhir/Practitioner/_search']);
  });
});
