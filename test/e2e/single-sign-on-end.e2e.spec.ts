import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { AuditTrail } from '../../src/audit/audit-trail.service.js';
import { ssoSessionIdOf } from '../../src/sessions/sso-session.service.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { CookieJar } from '../support/cookie-jar.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { postForm } from '../support/token-requests.js';
import { APP, BYE, ssoServerForSuite, WEB } from '../support/single-sign-on-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { meanwhileInSsoEnd } from '../support/sso-end-hook.js';

/**
 * Single sign-on (single-sign-on.e2e.spec.ts): the end of an SSO session, by RP-initiated logout,
 * by idleness, or by another person's login in the browser, and the client sessions it takes along.
 */
describe('single sign-on', () => {
  const h = ssoServerForSuite();

  it('RP-initiated logout ends the SSO session, every client session in it and the cookies', async () => {
    const browser = new CookieJar();
    const first = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const request = await h.authorization(h.web, WEB.redirectUri);
    const second = await h.redeem(h.web, await h.authorize(browser, request.url), request);

    const logout = oidc.buildEndSessionUrl(h.app, { id_token_hint: first.id_token!, post_logout_redirect_uri: BYE, state: 'bye' });
    const response = await browser.fetch(logout.href);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${BYE}?state=bye`);
    expect(browser.get('KEYCLOAK_IDENTITY')).toBeUndefined();
    expect(browser.get('KEYCLOAK_SESSION')).toBeUndefined();

    expectOAuthError(await h.refreshOf('patient-app', first.refresh_token!), 400, 'invalid_grant');
    expectOAuthError(await h.refreshOf('web', second.refresh_token!, TEST_SECRETS.web), 400, 'invalid_grant');
    expect((await h.server.app.get(SessionRepository).find(decodeJwt(second.access_token).sid as string))!.end_reason).toBe('logout');
    // Each client session that ended has its LOGOUT, not only the one the hint named.
    const sids = [decodeJwt(first.access_token).sid, decodeJwt(second.access_token).sid];
    const { rows } = await h.server.app
      .get<Database>(DATABASE)
      .query<{ client_id: string }>(
        "SELECT client_id FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1) ORDER BY client_id",
        [sids],
      );
    expect(rows.map((row) => row.client_id)).toEqual(['patient-app', 'web']);
    // Without the cookies the next request goes to the IdP.
    expect(h.isMockPage(await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri)).url))).toBe(true);
  });

  it('logout records a LOGOUT for exactly the client sessions the SSO session’s end ended: not twice, not none, not for one run out', async () => {
    const browser = new CookieJar();
    const first = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const again = async (client: oidc.Configuration, redirectUri: string) => {
      const request = await h.authorization(client, redirectUri);
      return decodeJwt((await h.redeem(client, await h.authorize(browser, request.url), request)).access_token).sid as string;
    };
    const [sid, revoked, runOut] = [
      decodeJwt(first.access_token).sid as string,
      await again(h.web, WEB.redirectUri),
      await again(h.app, APP.redirectUri),
    ];
    const db = h.server.app.get<Database>(DATABASE);
    // Its idle end passed: it ran out, which is no event (migration 013).
    await db.query('UPDATE sessions SET idle_expires_at = created_at WHERE id = $1', [runOut]);
    const late = `${ssoSessionIdOf(sid)}.opened-meanwhile`;
    const spy = meanwhileInSsoEnd(h.server.app, async (tx, now) => {
      // Another request revokes one client session (with its LOGOUT) and opens one, both committed before the end.
      const sessions = h.server.app.get(SessionRepository);
      await sessions.end(revoked, 'refresh token revoked', now, tx);
      await h.server.app.get(AuditTrail).sessionEnded(revoked, { by: 'user', ipAddress: '127.0.0.1' }, tx);
      await sessions.create({ ...(await sessions.find(sid, tx))!, id: late }, tx);
    });

    const logout = oidc.buildEndSessionUrl(h.app, { id_token_hint: first.id_token!, post_logout_redirect_uri: BYE });
    expect((await browser.fetch(logout.href)).status).toBe(303);
    spy.mockRestore();
    const { rows } = await db.query<{ session_id: string; n: number }>(
      "SELECT session_id, count(*)::int AS n FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1) GROUP BY session_id ORDER BY session_id",
      [[sid, revoked, runOut, late]],
    );
    expect(rows).toEqual([sid, revoked, late].sort().map((session_id) => ({ session_id, n: 1 })));
    expect((await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [runOut])).rows).toHaveLength(0);
  });

  it('a refresh token of an SSO client session dies with the SSO session; refreshing keeps the SSO session alive', async () => {
    const browser = new CookieJar();
    const first = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const request = await h.authorization(h.web, WEB.redirectUri);
    const second = await h.redeem(h.web, await h.authorize(browser, request.url), request);

    // patient-app refreshes every 20 minutes: its client session and the SSO session stay alive past 30 minutes.
    let appRefresh = first.refresh_token!;
    for (let i = 0; i < 2; i++) {
      h.clock.advance(1200);
      const refreshed = await h.refreshOf('patient-app', appRefresh);
      expect(refreshed.status).toBe(200);
      appRefresh = refreshed.body.refresh_token as string;
    }
    const later = await h.authorization(h.web, WEB.redirectUri, { prompt: 'none' });
    expect((await h.authorize(browser, later.url)).searchParams.get('code')).toEqual(expect.any(String));

    // Then nobody uses it for longer than sessionIdle: the SSO session ends, and with it both chains.
    h.clock.advance(1801);
    expectOAuthError(await h.refreshOf('patient-app', appRefresh), 400, 'invalid_grant');
    expectOAuthError(await h.refreshOf('web', second.refresh_token!, TEST_SECRETS.web), 400, 'invalid_grant');
    const none = await h.authorization(h.app, APP.redirectUri, { prompt: 'none' });
    expect((await h.authorize(browser, none.url)).searchParams.get('error')).toBe('login_required');
  });

  it('an SSO session whose client sessions had all ended is a LOGOUT of its own when it ends: by logout, or by another person’s login', async () => {
    const db = h.server.app.get<Database>(DATABASE);
    /** Alice's login in a new browser, her one client session then revoked by its app: her SSO session alone is live. */
    const ssoAlone = async () => {
      const browser = new CookieJar();
      const tokens = await h.loginAtIdp(browser, h.app, APP.redirectUri);
      const revoked = await postForm(
        `${h.issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: tokens.refresh_token!, client_id: APP.clientId }),
      );
      expect(revoked.status).toBe(200);
      const { sub, sid } = decodeJwt(tokens.access_token) as { sub: string; sid: string };
      return { browser, tokens, sub, sso: ssoSessionIdOf(sid)! };
    };
    const logoutsOf = async (sso: string) =>
      (
        await db.query<Record<string, unknown>>(
          "SELECT client_id, user_id, ip_address, details FROM audit_events WHERE type = 'LOGOUT' AND session_id = $1",
          [sso],
        )
      ).rows;

    const byLogout = await ssoAlone();
    const logout = oidc.buildEndSessionUrl(h.app, { id_token_hint: byLogout.tokens.id_token!, post_logout_redirect_uri: BYE });
    expect((await byLogout.browser.fetch(logout.href)).status).toBe(303);
    expect(await logoutsOf(byLogout.sso)).toEqual([
      { client_id: null, user_id: byLogout.sub, ip_address: '127.0.0.1', details: { by: 'user', sso_session: true } },
    ]);

    const byLogin = await ssoAlone();
    const request = await h.authorization(h.web, WEB.redirectUri, { prompt: 'login' });
    await h.redeem(h.web, await h.pickMockUser(byLogin.browser, await h.authorize(byLogin.browser, request.url), 'bob'), request);
    expect(await logoutsOf(byLogin.sso)).toEqual([
      {
        client_id: null,
        user_id: byLogin.sub,
        ip_address: '127.0.0.1',
        details: { by: 'login', reason: 'another_user_logged_in', actor: 'web', sso_session: true },
      },
    ]);
  });

  it('another person logging in in the same browser ends the first person’s SSO session and its client sessions, each with its LOGOUT', async () => {
    const browser = new CookieJar();
    const alice = await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const signedOn = await h.authorization(h.web, WEB.redirectUri);
    const aliceAtWeb = await h.redeem(h.web, await h.authorize(browser, signedOn.url), signedOn);
    const request = await h.authorization(h.web, WEB.redirectUri, { prompt: 'login' });
    const other = await h.redeem(h.web, await h.pickMockUser(browser, await h.authorize(browser, request.url), 'bob'), request);
    expect(decodeJwt(other.access_token).sub).not.toBe(decodeJwt(alice.access_token).sub);
    expectOAuthError(await h.refreshOf('patient-app', alice.refresh_token!), 400, 'invalid_grant');
    expectOAuthError(await h.refreshOf('web', aliceAtWeb.refresh_token!, TEST_SECRETS.web), 400, 'invalid_grant');
    // Each of Alice's client sessions has its LOGOUT, in her name, saying that Bob's login (at web, from this browser) ended it.
    const [app, web, bob] = [alice, aliceAtWeb, other].map((tokens) => decodeJwt(tokens.access_token).sid as string);
    const { rows } = await h.server.app
      .get<Database>(DATABASE)
      .query(
        "SELECT session_id, client_id, user_id, ip_address, details FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1) ORDER BY client_id",
        [[app, web, bob]],
      );
    const ended = { user_id: decodeJwt(alice.access_token).sub, ip_address: '127.0.0.1' };
    const details = expect.objectContaining({ by: 'login', reason: 'another_user_logged_in', actor: 'web' });
    expect(rows).toEqual([
      { session_id: app, client_id: 'patient-app', ...ended, details },
      { session_id: web, client_id: 'web', ...ended, details },
    ]);
  });
});
