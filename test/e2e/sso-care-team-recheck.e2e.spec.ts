import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { ContextSelectionService } from '../../src/contexts/context-selection.service.js';
import { FHIR_ENDPOINT } from '../../src/fhir/fhir.module.js';
import type { FhirEndpoint } from '../../src/fhir/fhir-endpoint.js';
import { FhirGateways } from '../../src/fhir/fhir-gateways.js';
import { SsoSessionService, ssoSessionIdOf } from '../../src/sessions/sso-session.service.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { CookieJar } from '../support/cookie-jar.js';
import { membershipEnded, whileCareTeamEdited } from '../support/fhir/care-team-edit.js';
import { PUBLIC_CLIENT } from '../support/login-flow.js';
import { pickMockUserIn } from '../support/mock-login.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const NURSE = 'urn:dk:sundhed:role:nurse';

/**
 * Single sign-on opens a new client session with the context of the login (sso-login.service.ts): a
 * clinician's care team in it is read from FHIR again first, as a refresh reads it, since the new
 * session's tokens would carry it. Closes the gap where a browser's SSO session handed out fresh
 * tokens in a team the clinician had left, for as long as the SSO session lived.
 */
describe('single sign-on of a clinician: the care team is read from FHIR again for each new client session', () => {
  let server: TestServer;
  let fhir: string;
  let app: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[1].clients = [
          { ...raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app'), scopes: ['openid', 'profile'] },
        ];
        raw.realms[1].mockUsers = [
          {
            username: 'solo',
            kind: 'clinician',
            identifiers: [{ system: 'urn:test:clinician', value: 'solo-sso' }],
            careTeams: [{ id: 'DEMO-CT-DIABETES', roles: [NURSE] }],
          },
        ];
      },
    });
    fhir = server.app.get(FhirGateways).forRealm('ehealth').baseUrl;
    const issuer = new URL(`${server.baseUrl}/realms/ehealth`);
    app = await oidc.discovery(issuer, PUBLIC_CLIENT.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => server.close());

  /** The browser at the authorization endpoint, through the mock login page if it is sent there: the client's callback. */
  async function signOn(browser: CookieJar) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(app, {
      redirect_uri: PUBLIC_CLIENT.redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const answer = await browser.fetch(url.href);
    expect(answer.status).toBe(303);
    let next = new URL(answer.headers.get('location')!);
    const atIdp = next.pathname.endsWith('/broker/mock/login');
    if (atIdp) next = await pickMockUserIn(browser, next, 'solo');
    return {
      callback: next,
      atIdp,
      redeem: () => oidc.authorizationCodeGrant(app, next, { pkceCodeVerifier: verifier, expectedState: state }),
    };
  }

  const reasonsOf = async (sid: string) => {
    const { rows } = await server.app
      .get<Database>(DATABASE)
      .query<{ details: object }>("SELECT details FROM audit_events WHERE type = 'CONTEXT_SELECTED' AND session_id = $1", [sid]);
    return rows.map((row) => row.details);
  };

  it('a team the clinician left in FHIR is not in the new session, says why in the audit trail, and comes back with the membership', async () => {
    const browser = new CookieJar();
    const login = await signOn(browser);
    expect(login.atIdp).toBe(true);
    const first = decodeJwt((await login.redeem()).access_token);
    expect(first.context).toMatchObject({ care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` });

    await whileCareTeamEdited(fhir, 'demo-careteam-diabetes', membershipEnded(first.user_id as string), async () => {
      const sso = await signOn(browser);
      expect(sso.atIdp).toBe(false);
      const claims = decodeJwt((await sso.redeem()).access_token);
      expect(claims.sid).not.toBe(first.sid);
      expect(claims).not.toHaveProperty('context');
      expect(claims).not.toHaveProperty('realm_access');
      expect(await reasonsOf(claims.sid as string)).toEqual([
        { reason: 'care_team_membership_ended', care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` },
      ]);
    });

    // A member again: the next client session carries the team, as the login gave it.
    const again = decodeJwt((await (await signOn(browser)).redeem()).access_token);
    expect(again.context).toMatchObject({ care_team_id: `${fhir}/CareTeam/demo-careteam-diabetes` });
    expect(await reasonsOf(again.sid as string)).toEqual([]);
  });

  it('an SSO session a logout ends while its care team is read opens nothing: the browser goes to the IdP, no LOGIN is recorded', async () => {
    const browser = new CookieJar();
    const first = decodeJwt((await (await signOn(browser)).redeem()).access_token);
    const logins = async () => {
      const { rows } = await server.app
        .get<Database>(DATABASE)
        .query<{ details: { sso?: boolean } }>("SELECT details FROM audit_events WHERE type = 'LOGIN' AND user_id = $1", [first.sub]);
      return rows.map((row) => (row.details.sso ? 'sso' : 'idp'));
    };
    const before = await logins();
    const contexts = server.app.get(ContextSelectionService);
    const check = contexts.recheckContext.bind(contexts);
    const spy = jest.spyOn(contexts, 'recheckContext').mockImplementationOnce(async (...args) => {
      await server.app.get(SsoSessionService).endWithClientSessions(ssoSessionIdOf(first.sid as string)!, 'test logout');
      return check(...args);
    });
    try {
      expect((await signOn(browser)).atIdp).toBe(true);
    } finally {
      spy.mockRestore();
    }
    // One more login, at the IdP the browser was sent to; none from the SSO session that ended.
    expect((await logins()).sort()).toEqual([...before, 'idp'].sort());
  });

  // Last: it closes the FHIR server.
  it('a FHIR outage is temporarily_unavailable at the redirect URI, with no new session, never a session carrying the team unchecked', async () => {
    const browser = new CookieJar();
    const login = await signOn(browser);
    const { sub } = decodeJwt((await login.redeem()).access_token);
    const database = server.app.get<Database>(DATABASE);
    const sessionsOf = async () => (await database.query('SELECT id FROM sessions WHERE user_id = $1', [sub])).rows.length;
    const before = await sessionsOf();

    await server.app.get<FhirEndpoint>(FHIR_ENDPOINT).close();
    const sso = await signOn(browser);
    expect(sso.atIdp).toBe(false);
    expect(`${sso.callback.origin}${sso.callback.pathname}`).toBe(PUBLIC_CLIENT.redirectUri);
    expect(sso.callback.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(sso.callback.searchParams.get('code')).toBeNull();
    expect(await sessionsOf()).toBe(before);
    const { rows } = await database.query<{ error: string; details: object }>(
      "SELECT error, details FROM audit_events WHERE type = 'LOGIN_ERROR' AND user_id = $1",
      [sub],
    );
    expect(rows).toEqual([{ error: 'identity_directory_unavailable', details: { sso: true } }]);
  });
});
