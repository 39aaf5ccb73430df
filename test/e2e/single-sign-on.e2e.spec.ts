import { decodeJwt } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { CookieJar } from '../support/cookie-jar.js';
import { APP, ssoServerForSuite, WEB } from '../support/single-sign-on-server.js';
import { TEST_SECRETS } from '../support/test-config.js';

/**
 * Single sign-on in a realm (OIDC Core §3.1.2.3, §3.1.2.1 prompt and max_age; RP-Initiated Logout
 * 1.0): one browser (a cookie jar over plain HTTP), two clients, openid-client redeeming the codes.
 * This file: clients sharing one SSO session. What prompt, max_age and id_token_hint ask of it:
 * single-sign-on-prompts.e2e.spec.ts; its end: single-sign-on-end.e2e.spec.ts.
 */
describe('single sign-on', () => {
  const h = ssoServerForSuite();

  it('a second client of the realm gets a code without the IdP step: same person, same link, its own client session', async () => {
    const browser = new CookieJar();
    const first = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    expect(browser.get('KEYCLOAK_IDENTITY')).toEqual(expect.any(String));

    const request = await h.authorization(h.web, WEB.redirectUri);
    const callback = await h.authorize(browser, request.url);
    expect(callback.origin + callback.pathname).toBe(WEB.redirectUri);
    expect(callback.searchParams.get('iss')).toBe(h.issuer);
    const second = await h.redeem(h.web, callback, request);

    const [a, b] = [decodeJwt(first.access_token), decodeJwt(second.access_token)];
    expect(b).toMatchObject({
      sub: a.sub,
      client_id: 'web',
      user_type: 'PATIENT',
      patient: a.patient,
      fhirUser: a.fhirUser,
      auth_time: a.auth_time,
    });
    expect(b.patient).toBe('demo-patient-nancy');
    expect(b.sid).not.toBe(a.sid);
    expect(callback.searchParams.get('session_state')).toBe(b.sid);
    const sessions = h.server.app.get(SessionRepository);
    const [rowA, rowB] = [await sessions.find(a.sid as string), await sessions.find(b.sid as string)];
    expect(rowB!.sso_session_id).toBe(rowA!.sso_session_id);
    expect(rowB!.sso_session_id).toEqual(expect.any(String));
    // Like a login at the IdP, it is a LOGIN in the audit trail, marked as answered from the SSO session.
    const { rows } = await h.server.app
      .get<Database>(DATABASE)
      .query<{ type: string; client_id: string; details: Record<string, unknown> }>(
        "SELECT type, client_id, details FROM audit_events WHERE session_id = $1 AND type = 'LOGIN'",
        [b.sid],
      );
    expect(rows).toEqual([{ type: 'LOGIN', client_id: 'web', details: expect.objectContaining({ sso: true, link: 'patient' }) }]);
    // Each client session has its own refresh chain.
    expect((await h.refreshOf('patient-app', first.refresh_token!)).status).toBe(200);
    expect((await h.refreshOf('web', second.refresh_token!, TEST_SECRETS.web)).status).toBe(200);
  });

  it('the same client again in the same browser: a new client session of the same SSO session, no IdP step', async () => {
    const browser = new CookieJar();
    const first = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const request = await h.authorization(h.app, APP.redirectUri);
    const second = await h.redeem(h.app, await h.authorize(browser, request.url), request);
    expect(decodeJwt(second.access_token).sid).not.toBe(decodeJwt(first.access_token).sid);
    // Both chains live on: a second tab does not make the first tab's refresh token a reuse.
    expect((await h.refreshOf('patient-app', first.refresh_token!)).status).toBe(200);
    expect((await h.refreshOf('patient-app', second.refresh_token!)).status).toBe(200);
  });

  it('a new login of the same person (prompt=login) keeps the other clients’ sessions and renews the cookie', async () => {
    const browser = new CookieJar();
    const first = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const before = browser.get('KEYCLOAK_IDENTITY');
    const request = await h.authorization(h.web, WEB.redirectUri, { prompt: 'login' });
    await h.redeem(h.web, await h.pickMockUser(browser, await h.authorize(browser, request.url), 'alice'), request);
    expect(browser.get('KEYCLOAK_IDENTITY')).not.toBe(before);
    expect((await h.refreshOf('patient-app', first.refresh_token!)).status).toBe(200);
  });
});
