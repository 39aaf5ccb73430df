import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { FhirGateway } from '../../src/fhir/fhir.gateway.js';
import { FhirGateways } from '../../src/fhir/fhir-gateways.js';
import { FHIR_ENDPOINT } from '../../src/fhir/fhir.module.js';
import type { FhirEndpoint } from '../../src/fhir/fhir-endpoint.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { loginTokens, portalDelegation, portalExchange, portalRefresh, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { RawResponse } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { sendJson } from '../support/fhir/stub-http-server.js';
import { membershipEnded, whileCareTeamEdited } from '../support/fhir/care-team-edit.js';

const SOR = 'urn:oid:1.2.208.176.1.1';
const NURSE = 'urn:dk:sundhed:role:nurse';

/** Contexts with the demo seed: two organisations, three care teams, patients and episodes of care. */
describe('contexts: listed, selected, checked against FHIR', () => {
  let server: TestServer;
  /** The FHIR bases of the realms (the embedded server's, one per realm over one store). */
  let fhir: string;
  let citizenFhir: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        const app = {
          ...raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app'),
          scopes: ['openid', 'profile'],
        };
        // The portal too, to act for the nurse in a session delegated by token exchange.
        raw.realms[1].clients = [app, raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'portal')];
        raw.realms[1].mockUsers = [
          {
            username: 'nurse',
            kind: 'clinician',
            identifiers: [{ system: 'urn:test:clinician', value: 'nurse-ctx' }],
            organisations: [{ system: SOR, value: '999000000000101', roles: [NURSE] }],
            careTeams: [
              { id: 'DEMO-CT-DIABETES', roles: [NURSE] },
              { id: 'DEMO-CT-COPD', roles: [NURSE] },
            ],
          },
        ];
        raw.realms[2].clients = [app];
        raw.realms[2].mockUsers = [{ username: 'supplier', kind: 'generic', name: { text: 'Sam Supplier' } }];
      },
    });
    fhir = server.app.get(FhirGateways).forRealm('ehealth').baseUrl;
    citizenFhir = server.app.get(FhirGateways).forRealm('nemlogin').baseUrl;
  });
  afterAll(() => server.close());

  const nurse = () => loginTokens(server.baseUrl, 'ehealth', 'nurse', 'openid profile', PUBLIC_CLIENT);
  const select = (realm: string, token: string, choice: Record<string, string>) => refresh(server.baseUrl, realm, token, choice);
  const contextOf = (response: RawResponse) => decodeJwt(response.body.access_token as string).context;
  const contexts = async (realm: string, accessToken: string) =>
    (await fetch(`${server.baseUrl}/realms/${realm}/contexts`, { headers: { authorization: `Bearer ${accessToken}` } })).json() as Promise<
      Record<string, any>
    >;
  const expectRefused = (response: RawResponse) => {
    expectOAuthError(response, 400, 'invalid_request', { description: 'The requested context is not available to this user.' });
  };

  /** Runs `check` while `practitioner`'s participation in the diabetes care team has ended in FHIR (period.end). */
  const whileLeftDiabetesTeam = (practitioner: string, check: () => Promise<void>) =>
    whileCareTeamEdited(fhir, 'demo-careteam-diabetes', membershipEnded(practitioner), check);

  it('lists a clinician’s care teams with organisation and roles, and organisations; no team is preselected with two', async () => {
    const tokens = await nurse();
    expect(decodeJwt(tokens.access_token)).not.toHaveProperty('context');
    const answer = await fetch(`${server.baseUrl}/realms/ehealth/contexts`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const listed = await contexts('ehealth', tokens.access_token);
    expect(listed.user_type).toBe('PRACTITIONER');
    expect(listed.current).toEqual({});
    expect(listed.care_teams).toEqual(
      expect.arrayContaining([
        {
          care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes`,
          organization_id: `${fhir}/Organization/demo-org-hospital`,
          roles: [NURSE],
        },
        {
          care_team_id: `${fhir}/CareTeam/demo-careteam-copd`,
          organization_id: `${fhir}/Organization/demo-org-gp-practice`,
          roles: [NURSE],
        },
      ]),
    );
    expect(listed.organizations).toEqual([{ organization_id: `${fhir}/Organization/demo-org-hospital`, roles: [NURSE] }]);
  });

  it('team → patient → episode, each step in the token, and the context survives a plain refresh', async () => {
    const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
    expect(team.status).toBe(200);
    expect(contextOf(team)).toEqual({
      care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes`,
      organization_id: `${fhir}/Organization/demo-org-hospital`,
    });
    expect(decodeJwt(team.body.access_token as string).realm_access).toEqual({ roles: [NURSE] });

    const patient = await select('ehealth', team.body.refresh_token as string, { patient_id: `${fhir}/Patient/demo-patient-bo` });
    expect(contextOf(patient)).toMatchObject({ patient_id: `${fhir}/Patient/demo-patient-bo` });

    const episode = await select('ehealth', patient.body.refresh_token as string, {
      episode_of_care_id: 'EpisodeOfCare/demo-eoc-bo-diabetes',
    });
    expect(contextOf(episode)).toEqual({
      care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes`,
      organization_id: `${fhir}/Organization/demo-org-hospital`,
      patient_id: `${fhir}/Patient/demo-patient-bo`,
      episode_of_care_id: `${fhir}/EpisodeOfCare/demo-eoc-bo-diabetes`,
    });
    expect(decodeJwt(episode.body.refresh_token as string).context).toEqual(contextOf(episode));

    const plain = await refresh(server.baseUrl, 'ehealth', episode.body.refresh_token as string);
    expect(contextOf(plain)).toEqual(contextOf(episode));
  });

  it('a plain refresh after the clinician left the care team in FHIR takes the team and all that rested on it out of the tokens, and says why in the audit trail', async () => {
    const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
    const patient = await select('ehealth', team.body.refresh_token as string, { patient_id: 'demo-patient-bo' });
    expect(patient.body.patient).toBe('demo-patient-bo');
    const { sid, user_id } = decodeJwt(patient.body.access_token as string);
    let plain: RawResponse | undefined;
    await whileLeftDiabetesTeam(user_id as string, async () => {
      plain = await refresh(server.baseUrl, 'ehealth', patient.body.refresh_token as string);
    });
    expect(plain!.status).toBe(200);
    const claims = decodeJwt(plain!.body.access_token as string);
    expect(claims).not.toHaveProperty('context');
    expect(claims).not.toHaveProperty('realm_access');
    expect(claims).not.toHaveProperty('patient');
    expect(plain!.body).not.toHaveProperty('patient');
    expect(decodeJwt(plain!.body.refresh_token as string)).not.toHaveProperty('context');
    const { rows } = await server.app
      .get<Database>(DATABASE)
      .query<{ details: object }>("SELECT details FROM audit_events WHERE type = 'CONTEXT_SELECTED' AND session_id = $1", [sid]);
    const reasons = rows.filter((row) => 'reason' in row.details);
    expect(reasons).toEqual([
      { details: { reason: 'care_team_membership_ended', care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` } },
    ]);
    // Back in the team, the session does not get it back by itself: the clinician chooses again.
    const after = await refresh(server.baseUrl, 'ehealth', plain!.body.refresh_token as string);
    expect(decodeJwt(after.body.access_token as string)).not.toHaveProperty('context');
  });

  it('a plain refresh after the care team moved to another organisation in FHIR takes the team and its organisation out of the tokens', async () => {
    const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
    expect(contextOf(team)).toMatchObject({ organization_id: `${fhir}/Organization/demo-org-hospital` });
    const { sid } = decodeJwt(team.body.access_token as string);
    let plain: RawResponse | undefined;
    const moved = (careTeam: { managingOrganization?: { reference?: string }[] }) => {
      careTeam.managingOrganization = [{ reference: 'Organization/demo-org-gp-practice' }];
    };
    await whileCareTeamEdited(fhir, 'demo-careteam-diabetes', moved, async () => {
      plain = await refresh(server.baseUrl, 'ehealth', team.body.refresh_token as string);
    });
    expect(plain!.status).toBe(200);
    const claims = decodeJwt(plain!.body.access_token as string);
    expect(claims).not.toHaveProperty('context');
    expect(claims).not.toHaveProperty('realm_access');
    const { rows } = await server.app
      .get<Database>(DATABASE)
      .query<{ details: object }>("SELECT details FROM audit_events WHERE type = 'CONTEXT_SELECTED' AND session_id = $1", [sid]);
    expect(rows.filter((row) => 'reason' in row.details)).toEqual([
      { details: { reason: 'care_team_organization_changed', care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` } },
    ]);
  });

  it('an access token issued before a refresh took the team out is exchanged without it, and so is the token exchanged from it', async () => {
    const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
    const chosen = await select('ehealth', team.body.refresh_token as string, { patient_id: 'demo-patient-bo' });
    const before = chosen.body.access_token as string;
    const exchangedBefore = await portalExchange(server.baseUrl, 'ehealth', before);
    expect(exchangedBefore.status).toBe(200);
    expect(contextOf(exchangedBefore)).toMatchObject({ care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` });
    await whileLeftDiabetesTeam(decodeJwt(before).user_id as string, async () => {
      expect((await refresh(server.baseUrl, 'ehealth', chosen.body.refresh_token as string)).status).toBe(200);
    });
    // The old token is still live (its session is), but the session holds no team any more.
    for (const subject of [before, exchangedBefore.body.access_token as string]) {
      const exchanged = await portalExchange(server.baseUrl, 'ehealth', subject);
      expect(exchanged.status).toBe(200);
      const claims = decodeJwt(exchanged.body.access_token as string);
      expect(claims).toMatchObject({ act: { sub: 'portal' }, sub: decodeJwt(before).sub });
      expect(claims).not.toHaveProperty('context');
      expect(claims).not.toHaveProperty('realm_access');
      expect(claims).not.toHaveProperty('patient');
    }
  });

  it('a session delegated from the clinician’s loses the care team on its plain refresh too, as the clinician’s own would', async () => {
    const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
    const delegated = await portalDelegation(server.baseUrl, 'ehealth', team.body.access_token as string);
    expect(delegated.status).toBe(200);
    const kept = await portalRefresh(server.baseUrl, 'ehealth', delegated.body.access_token as string);
    expect(contextOf(kept)).toMatchObject({ care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` });
    let plain: RawResponse | undefined;
    await whileLeftDiabetesTeam(decodeJwt(team.body.access_token as string).user_id as string, async () => {
      plain = await portalRefresh(server.baseUrl, 'ehealth', kept.body.refresh_token as string);
    });
    expect(plain!.status).toBe(200);
    const claims = decodeJwt(plain!.body.access_token as string);
    expect(claims).toMatchObject({ act: { sub: 'portal' }, organisation_agb: TEST_TENANTS.allowed });
    expect(claims).not.toHaveProperty('context');
    expect(claims).not.toHaveProperty('realm_access');
  });

  it('a patient a clinician chose is the `patient` of the access and refresh tokens, as of the token response (SMART launch context), not of UserInfo', async () => {
    const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
    const chosen = await select('ehealth', team.body.refresh_token as string, { patient_id: 'demo-patient-bo' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.patient).toBe('demo-patient-bo');
    const access = chosen.body.access_token as string;
    expect(decodeJwt(access).patient).toBe('demo-patient-bo');
    expect(decodeJwt(chosen.body.refresh_token as string).patient).toBe('demo-patient-bo');
    const userinfo = await fetch(`${server.baseUrl}/realms/ehealth/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${access}` },
    });
    // UserInfo is about the person (OIDC Core §5.3.2): the clinician, whose own claims hold no patient.
    expect(await userinfo.json()).not.toHaveProperty('patient');

    // Another care team, no patient: no `patient` anywhere.
    const other = await select('ehealth', chosen.body.refresh_token as string, { care_team_id: 'demo-careteam-copd' });
    expect(other.body).not.toHaveProperty('patient');
    expect(decodeJwt(other.body.access_token as string)).not.toHaveProperty('patient');
  });

  describe('refused, changing nothing', () => {
    it('a care team the clinician is not in; the refusal is in the clinician’s audit trail, with the session', async () => {
      const tokens = await nurse();
      expectRefused(await select('ehealth', tokens.refresh_token, { care_team_id: 'demo-careteam-cardiology' }));
      const { sid, sub } = decodeJwt(tokens.access_token as string);
      const { rows } = await server.app
        .get<Database>(DATABASE)
        .query("SELECT user_id, session_id, error FROM audit_events WHERE type = 'REFRESH_TOKEN_ERROR' AND session_id = $1", [sid]);
      expect(rows).toEqual([{ user_id: sub, session_id: sid, error: 'context_refused' }]);
      expect((await refresh(server.baseUrl, 'ehealth', tokens.refresh_token)).status).toBe(200);
    });

    it('an episode of another patient', async () => {
      const team = await select('ehealth', (await nurse()).refresh_token, {
        care_team_id: 'demo-careteam-copd',
        patient_id: 'demo-patient-karen',
      });
      expect(team.status).toBe(200);
      expectRefused(
        await select('ehealth', team.body.refresh_token as string, {
          patient_id: 'demo-patient-karen',
          episode_of_care_id: 'demo-eoc-jan-gp',
        }),
      );
    });

    it('an episode that does not name the care team', async () => {
      const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
      expectRefused(await select('ehealth', team.body.refresh_token as string, { episode_of_care_id: 'demo-eoc-karen-copd' }));
    });

    it('a patient without a care team', async () => {
      expectRefused(await select('ehealth', (await nurse()).refresh_token, { patient_id: 'demo-patient-bo' }));
    });

    it('an organisation the clinician holds no role in, and a care team on another FHIR server', async () => {
      const tokens = await nurse();
      expectRefused(await select('ehealth', tokens.refresh_token, { organization_id: 'demo-org-gp-practice' }));
      expectRefused(
        await select('ehealth', tokens.refresh_token, { care_team_id: 'http://evil.example/fhir/CareTeam/demo-careteam-diabetes' }),
      );
    });

    it('a patient or episode under a care team the clinician has left since choosing it', async () => {
      const team = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
      expect(team.status).toBe(200);
      await whileLeftDiabetesTeam(decodeJwt(team.body.access_token as string).user_id as string, async () => {
        for (const choice of [{ patient_id: 'demo-patient-bo' }, { episode_of_care_id: 'demo-eoc-bo-diabetes' }] as Record<
          string,
          string
        >[]) {
          expectRefused(await select('ehealth', team.body.refresh_token as string, choice));
        }
      });
      expect((await select('ehealth', team.body.refresh_token as string, { patient_id: 'demo-patient-bo' })).status).toBe(200);
    });

    /** Runs `check` while `reference` in FHIR holds `change`, then puts it back as it was. */
    const whileChanged = async (base: string, reference: string, change: object, check: () => Promise<void>) => {
      const url = `${base}/${reference}`;
      const original = (await (await fetch(url)).json()) as object;
      const put = (body: object) =>
        fetch(url, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
      expect((await put({ ...original, ...change })).status).toBe(200);
      try {
        await check();
      } finally {
        expect((await put(original)).status).toBe(200);
      }
    };

    it('a care team, episode or patient whose record FHIR marks as not in force (status and link are modifiers)', async () => {
      const tokens = await nurse();
      for (const status of ['inactive', 'entered-in-error']) {
        await whileChanged(fhir, 'CareTeam/demo-careteam-diabetes', { status }, async () => {
          expectRefused(await select('ehealth', tokens.refresh_token, { care_team_id: 'demo-careteam-diabetes' }));
        });
      }
      const team = await select('ehealth', tokens.refresh_token, { care_team_id: 'demo-careteam-diabetes' });
      expect(team.status).toBe(200);
      const underTeam = team.body.refresh_token as string;
      // The team chosen before is checked again when a patient is chosen under it.
      await whileChanged(fhir, 'CareTeam/demo-careteam-diabetes', { status: 'suspended' }, async () => {
        expectRefused(await select('ehealth', underTeam, { patient_id: 'demo-patient-bo' }));
      });
      // A patient a merge replaced "must no longer be used" (R4 Patient.link): not chosen, by id or through an episode.
      const replaced = { link: [{ type: 'replaced-by', other: { reference: 'Patient/demo-patient-nancy' } }] };
      await whileChanged(fhir, 'Patient/demo-patient-bo', replaced, async () => {
        expectRefused(await select('ehealth', underTeam, { patient_id: 'demo-patient-bo' }));
        expectRefused(await select('ehealth', underTeam, { episode_of_care_id: 'demo-eoc-bo-diabetes' }));
      });
      // An inactive one may be: R4 notes it may be a patient not seen for a while. (In a session of its
      // own: a choice that succeeds rotates the refresh token.)
      const another = await select('ehealth', (await nurse()).refresh_token, { care_team_id: 'demo-careteam-diabetes' });
      await whileChanged(fhir, 'Patient/demo-patient-bo', { active: false }, async () => {
        expect((await select('ehealth', another.body.refresh_token as string, { patient_id: 'demo-patient-bo' })).status).toBe(200);
      });
      for (const status of ['entered-in-error', 'cancelled']) {
        await whileChanged(fhir, 'EpisodeOfCare/demo-eoc-bo-diabetes', { status }, async () => {
          expectRefused(await select('ehealth', underTeam, { episode_of_care_id: 'demo-eoc-bo-diabetes' }));
        });
      }
      const episode = await select('ehealth', underTeam, { episode_of_care_id: 'demo-eoc-bo-diabetes' });
      expect(contextOf(episode)).toMatchObject({ episode_of_care_id: `${fhir}/EpisodeOfCare/demo-eoc-bo-diabetes` });
      // A team no longer in force leaves the session on a plain refresh, with what rested on it.
      let plain: RawResponse | undefined;
      await whileChanged(fhir, 'CareTeam/demo-careteam-diabetes', { status: 'suspended' }, async () => {
        plain = await refresh(server.baseUrl, 'ehealth', episode.body.refresh_token as string);
      });
      expect(plain!.status).toBe(200);
      expect(decodeJwt(plain!.body.access_token as string)).not.toHaveProperty('context');
      const { rows } = await server.app
        .get<Database>(DATABASE)
        .query<{ details: Record<string, unknown> }>(
          "SELECT details FROM audit_events WHERE type = 'CONTEXT_SELECTED' AND session_id = $1",
          [decodeJwt(episode.body.access_token as string).sid],
        );
      expect(rows.filter((row) => 'reason' in row.details)).toEqual([
        { details: { reason: 'care_team_not_in_force', care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` } },
      ]);
    });

    it('a citizen’s episode entered in error: neither listed nor chosen', async () => {
      const citizen = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      await whileChanged(citizenFhir, 'EpisodeOfCare/demo-eoc-nancy-copd', { status: 'entered-in-error' }, async () => {
        const listed = await contexts('nemlogin', citizen.access_token);
        expect(listed.episodes_of_care.map((e: { episode_of_care_id: string }) => e.episode_of_care_id)).toEqual([
          `${citizenFhir}/EpisodeOfCare/demo-eoc-nancy-cardiology`,
        ]);
        expectRefused(await select('nemlogin', citizen.refresh_token, { episode_of_care_id: 'demo-eoc-nancy-copd' }));
      });
    });

    it('a citizen switching patient, or taking another patient’s episode', async () => {
      const citizen = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      expectRefused(await select('nemlogin', citizen.refresh_token, { patient_id: 'demo-patient-bo' }));
      expectRefused(await select('nemlogin', citizen.refresh_token, { episode_of_care_id: 'demo-eoc-bo-diabetes' }));
      expectRefused(await select('nemlogin', citizen.refresh_token, { care_team_id: 'demo-careteam-copd' }));
    });
  });

  it('a citizen works in their own patient context, lists their episodes, and may choose one', async () => {
    const citizen = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect(decodeJwt(citizen.access_token).context).toEqual({ patient_id: `${citizenFhir}/Patient/demo-patient-nancy` });
    const listed = await contexts('nemlogin', citizen.access_token);
    expect(listed.episodes_of_care.map((e: { episode_of_care_id: string }) => e.episode_of_care_id).sort()).toEqual([
      `${citizenFhir}/EpisodeOfCare/demo-eoc-nancy-cardiology`,
      `${citizenFhir}/EpisodeOfCare/demo-eoc-nancy-copd`,
    ]);
    const chosen = await select('nemlogin', citizen.refresh_token, { episode_of_care_id: 'demo-eoc-nancy-copd' });
    expect(contextOf(chosen)).toEqual({
      patient_id: `${citizenFhir}/Patient/demo-patient-nancy`,
      episode_of_care_id: `${citizenFhir}/EpisodeOfCare/demo-eoc-nancy-copd`,
    });
  });

  it('a FHIR outage during selection, or during a plain refresh’s check of the care team, is a retryable 503, and the refresh token stays the current one', async () => {
    const down = await startTestServer({
      patch: (raw) => {
        raw.realms[1].clients = [
          { ...raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app'), scopes: ['openid'] },
        ];
        raw.realms[1].mockUsers = [
          {
            username: 'nurse',
            kind: 'clinician',
            identifiers: [{ system: 'urn:test:clinician', value: 'nurse-outage' }],
            careTeams: [
              { id: 'DEMO-CT-DIABETES', roles: [NURSE] },
              { id: 'DEMO-CT-COPD', roles: [NURSE] },
            ],
          },
        ];
      },
    });
    try {
      const tokens = await loginTokens(down.baseUrl, 'ehealth', 'nurse', 'openid', PUBLIC_CLIENT);
      const withTeam = await refresh(
        down.baseUrl,
        'ehealth',
        (await loginTokens(down.baseUrl, 'ehealth', 'nurse', 'openid', PUBLIC_CLIENT)).refresh_token,
        { care_team_id: 'demo-careteam-diabetes' },
      );
      expect(withTeam.status).toBe(200);
      await down.app.get<FhirEndpoint>(FHIR_ENDPOINT).close();
      const refused = await refresh(down.baseUrl, 'ehealth', tokens.refresh_token, { care_team_id: 'demo-careteam-diabetes' });
      expect(refused.status).toBe(503);
      expectOAuthError(refused, 503, 'temporarily_unavailable');
      expect((await refresh(down.baseUrl, 'ehealth', tokens.refresh_token)).status).toBe(200);
      // A plain refresh of a session with a care team checks the team again: retryable, never tokens carrying it unchecked.
      const teamToken = withTeam.body.refresh_token as string;
      expectOAuthError(await refresh(down.baseUrl, 'ehealth', teamToken), 503, 'temporarily_unavailable');
      const { sid, jti } = decodeJwt(teamToken);
      const current = await down.app.get<Database>(DATABASE).query('SELECT refresh_jti FROM sessions WHERE id = $1', [sid]);
      expect(current.rows).toEqual([{ refresh_jti: jti }]);
    } finally {
      await down.close();
    }
  });

  it('the SSL realm logs a supplier employee in with user_type SSL and no FHIR call', async () => {
    const gateway = server.app.get(FhirGateway);
    const before = gateway.stats().requests;
    const tokens = await loginTokens(server.baseUrl, 'ssl', 'supplier', 'openid profile', PUBLIC_CLIENT);
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ user_type: 'SSL', user_id: access.sub });
    expect(access).not.toHaveProperty('fhirUser');
    expect(decodeJwt(tokens.id_token).name).toBe('Sam Supplier');
    expect(gateway.stats().requests).toBe(before);
    expectRefused(await select('ssl', tokens.refresh_token, { care_team_id: 'demo-careteam-copd' }));
  });
});

/**
 * A FHIR server that fails other than by an outage: a 200 OperationOutcome where an EpisodeOfCare or
 * a searchset Bundle was due (a contract breach), or a refusal (403, 409): FHIR's fault, not the
 * user's, so a retryable 503 that changes nothing, never a 500, whichever FhirError class it becomes.
 * Everything else is the embedded server's answer.
 */
describe.each([200, 403, 409])('contexts: FHIR answering %i with an OperationOutcome', (status) => {
  const OUTCOME = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing' }] };
  let fhir: EmbeddedFhirServer;
  let stub: ReturnType<typeof createServer>;
  let server: TestServer;
  /** While true, every EpisodeOfCare read or search gets the OperationOutcome. */
  let broken = false;

  beforeAll(async () => {
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    stub = createServer((request, response) => {
      if (broken && /\/EpisodeOfCare([/?]|$)/.test(request.url ?? '')) return sendJson(response, status, OUTCOME);
      void fhir.handle(request, response);
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/fhir`;
    server = await startTestServer({ patch: (raw) => (raw.realms[0].fhir = { baseUrl: base }) });
  });
  afterEach(() => (broken = false));
  afterAll(async () => {
    await server?.close();
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
    await fhir?.close();
  });

  it('choosing an episode is a retryable 503, and the refresh token stays the current one', async () => {
    const citizen = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    broken = true;
    const refused = await refresh(server.baseUrl, 'nemlogin', citizen.refresh_token, { episode_of_care_id: 'demo-eoc-nancy-copd' });
    expectOAuthError(refused, 503, 'temporarily_unavailable');
    broken = false;
    expect((await refresh(server.baseUrl, 'nemlogin', citizen.refresh_token)).status).toBe(200);
  });

  it('listing the episodes is a retryable 503', async () => {
    const citizen = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    broken = true;
    const listed = await fetch(`${server.baseUrl}/realms/nemlogin/contexts`, {
      headers: { authorization: `Bearer ${citizen.access_token}` },
    });
    expect(listed.status).toBe(503);
    expect(await listed.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });
});
