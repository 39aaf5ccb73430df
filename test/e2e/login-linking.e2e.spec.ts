import { decodeJwt } from 'jose';
import { FhirGateway } from '../../src/fhir/fhir.gateway.js';
import { FhirGateways } from '../../src/fhir/fhir-gateways.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { clinicianInFhir, participantsOf, versionOf } from '../support/fhir/clinician-probes.js';
import { loginTokens, PUBLIC_CLIENT } from '../support/login-flow.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CLINICIAN_SYSTEM = 'urn:dk:healthcare:demo:clinician-id';
const SOR = 'urn:oid:1.2.208.176.1.1';
const doctor = (username: string, id: string, name: string, careTeams: string[]) => ({
  username,
  kind: 'clinician',
  name: { text: name },
  identifiers: [{ system: CLINICIAN_SYSTEM, value: id }],
  organisations: [{ system: SOR, value: '999000000000101', roles: ['urn:dk:sundhed:role:doctor'] }],
  careTeams: careTeams.map((team) => ({ id: team, roles: ['urn:dk:sundhed:role:doctor'] })),
});

/** Login over real HTTP, linked to the embedded FHIR server (the demo seed) through mocked users. */
describe('login linked to FHIR', () => {
  let server: TestServer;
  let fhirBase: string;
  let citizenBase: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].mockUsers.push(
          { username: 'stranger', kind: 'citizen', ssn: '0909099999' },
          { username: 'twin', kind: 'citizen', ssn: '0404041234' },
        );
        raw.realms[1].mockUsers = [
          doctor('doc-v1', 'dr-linking-1', 'Dr First Name', ['DEMO-CT-CARDIOLOGY', 'DEMO-CT-DIABETES']),
          doctor('doc-v2', 'dr-linking-1', 'Dr Changed Name', ['DEMO-CT-CARDIOLOGY']),
          doctor('newcomer', 'dr-concurrent-1', 'Dr Newcomer', ['DEMO-CT-COPD']),
          doctor('single-team', 'dr-single-team', 'Dr Single', ['DEMO-CT-COPD']),
        ];
        raw.realms[1].clients = [
          {
            ...raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app'),
            scopes: ['openid', 'profile', 'user/*.read'],
          },
        ];
      },
    });
    // The embedded server's FHIR bases, one per realm over one store: clinicians log in to ehealth, citizens to nemlogin.
    fhirBase = server.app.get(FhirGateways).forRealm('ehealth').baseUrl;
    citizenBase = server.app.get(FhirGateways).forRealm('nemlogin').baseUrl;
  });
  afterAll(() => server.close());

  const sessionCount = () => server.app.get(SessionRepository).count();

  describe('citizens', () => {
    it('found: the patient id is in the access, refresh and ID tokens', async () => {
      const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      const patientUrl = `${citizenBase}/Patient/demo-patient-nancy`;
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        user_type: 'PATIENT',
        patient: 'demo-patient-nancy',
        user_id: patientUrl,
        fhirUser: patientUrl,
        context: { patient_id: patientUrl },
      });
      expect(decodeJwt(tokens.refresh_token)).toMatchObject({ patient: 'demo-patient-nancy' });
      expect(decodeJwt(tokens.id_token)).toMatchObject({ patient: 'demo-patient-nancy', fhirUser: patientUrl });
      // No client of this realm asks for the CPR, so no session keeps it, not even encrypted.
      const kept = await server.app.get<Database>(DATABASE).query('SELECT 1 FROM sessions WHERE national_id_enc IS NOT NULL');
      expect(kept.rows).toHaveLength(0);
    });

    it('not found: the login succeeds without patient claims, user_id is the internal id', async () => {
      const access = decodeJwt((await loginTokens(server.baseUrl, 'nemlogin', 'stranger')).access_token);
      expect(access.user_type).toBe('PATIENT');
      expect(access.user_id).toBe(access.sub);
      for (const claim of ['patient', 'fhirUser', 'context']) expect(access).not.toHaveProperty(claim);
    });

    it('two patients with one CPR: refused with access_denied, no session', async () => {
      const before = await sessionCount();
      await expect(loginTokens(server.baseUrl, 'nemlogin', 'twin')).rejects.toThrow(/login failed: .*error=access_denied/);
      expect(await sessionCount()).toBe(before);
    });
  });

  describe('clinicians', () => {
    const login = (username: string) => loginTokens(server.baseUrl, 'ehealth', username, 'openid profile', PUBLIC_CLIENT);

    it('first login creates Practitioner, PractitionerRole and memberships; a second unchanged one writes nothing', async () => {
      const tokens = await login('doc-v1');
      const inFhir = await clinicianInFhir(fhirBase, 'dr-linking-1');
      expect(inFhir.practitioners).toHaveLength(1);
      const practitioner = `Practitioner/${inFhir.practitioners[0]!.id}`;
      expect(inFhir.roles.map((r) => r.organization?.reference)).toEqual(['Organization/demo-org-hospital']);
      expect(inFhir.careTeams.map((t) => t.id).sort()).toEqual(['demo-careteam-cardiology', 'demo-careteam-diabetes']);
      expect(decodeJwt(tokens.access_token)).toMatchObject({ user_type: 'PRACTITIONER', fhirUser: `${fhirBase}/${practitioner}` });

      const versions = [practitioner, `PractitionerRole/${inFhir.roles[0]!.id}`, 'CareTeam/demo-careteam-cardiology'];
      const before = await Promise.all(versions.map((r) => versionOf(fhirBase, r)));
      const gateway = server.app.get(FhirGateway);
      const writesBefore = gateway.stats().writes;
      await login('doc-v1');
      expect(gateway.stats().writes).toBe(writesBefore);
      expect(await Promise.all(versions.map((r) => versionOf(fhirBase, r)))).toEqual(before);
    });

    it('a changed name and a dropped care team: updated, and the membership’s period ended (not deleted)', async () => {
      await login('doc-v1');
      await login('doc-v2');
      const inFhir = await clinicianInFhir(fhirBase, 'dr-linking-1');
      expect(inFhir.practitioners[0]!.name?.[0]?.text).toBe('Dr Changed Name');
      const practitioner = `Practitioner/${inFhir.practitioners[0]!.id}`;
      const diabetes = await participantsOf(fhirBase, 'demo-careteam-diabetes', practitioner);
      expect(diabetes).toHaveLength(1);
      expect(diabetes[0]!.period?.end).toEqual(expect.any(String));
      const cardiology = await participantsOf(fhirBase, 'demo-careteam-cardiology', practitioner);
      expect(cardiology.filter((p) => !p.period?.end)).toHaveLength(1);
    });

    it('a single care team is selected automatically: context and roles in the access token', async () => {
      const access = decodeJwt((await login('single-team')).access_token);
      expect(access).toMatchObject({
        context: {
          care_team_id: `${fhirBase}/CareTeam/demo-careteam-copd`,
          organization_id: `${fhirBase}/Organization/demo-org-gp-practice`,
        },
        realm_access: { roles: ['urn:dk:sundhed:role:doctor'] },
      });
    });

    it('20 concurrent first logins of one new clinician make exactly one of each resource', async () => {
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => login('newcomer')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      const inFhir = await clinicianInFhir(fhirBase, 'dr-concurrent-1');
      expect(inFhir.practitioners).toHaveLength(1);
      expect(inFhir.roles).toHaveLength(1);
      const members = await participantsOf(fhirBase, 'demo-careteam-copd', `Practitioner/${inFhir.practitioners[0]!.id}`);
      expect(members).toHaveLength(1);
      const subs = new Set(results.map((r) => (r.status === 'fulfilled' ? decodeJwt(r.value.access_token).sub : undefined)));
      expect(subs.size).toBe(1);
    });
  });

  describe('FHIR down', () => {
    it('refuses the login with a retryable error page and creates no session', async () => {
      const down = await startTestServer({
        patch: (raw) => (raw.fhir = { baseUrl: 'http://127.0.0.1:9/fhir', timeoutMs: 500, retries: 0 }),
      });
      try {
        const before = await down.app.get(SessionRepository).count();
        await expect(loginTokens(down.baseUrl, 'nemlogin', 'alice')).rejects.toThrow(/mock login answered 503/);
        expect(await down.app.get(SessionRepository).count()).toBe(before);
        expect(down.logs.join('\n')).not.toContain('0101011234');
      } finally {
        await down.close();
      }
    });
  });
});
