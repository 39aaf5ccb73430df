import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { AuditTrail } from '../../src/audit/audit-trail.service.js';
import { ssoSessionIdOf } from '../../src/sessions/sso-session.service.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { CookieJar } from '../support/cookie-jar.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { meanwhileInSsoEnd } from '../support/sso-end-hook.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm } from '../support/token-requests.js';

const APP = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const WEB = { clientId: 'web', redirectUri: 'http://127.0.0.1/web/callback' };
const BYE = 'http://127.0.0.1/bye';

/**
 * Single sign-on in a realm (OIDC Core §3.1.2.3, §3.1.2.1 prompt and max_age; RP-Initiated Logout
 * 1.0): one browser (a cookie jar over plain HTTP), two clients, openid-client redeeming the codes.
 */
describe('single sign-on', () => {
  const clock = new TestClock(new Date('2030-03-01T08:00:00Z'));
  let server: TestServer;
  let issuer: string;
  let app: oidc.Configuration;
  let web: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].sessionIdle = 1800;
        raw.realms[0].sessionMax = 36000;
        raw.realms[0].mockUsers.push({ username: 'bob', kind: 'citizen', ssn: '0909099999' });
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [BYE];
      },
    });
    issuer = `${server.baseUrl}/realms/nemlogin`;
    const options = { execute: [oidc.allowInsecureRequests] };
    app = await oidc.discovery(new URL(issuer), APP.clientId, undefined, oidc.None(), options);
    web = await oidc.discovery(new URL(issuer), WEB.clientId, undefined, oidc.ClientSecretBasic(TEST_SECRETS.web), options);
  });
  afterAll(() => server.close());

  /** An authorization request of `client`, with what its answer must be checked against. */
  async function authorization(client: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    return { url: url.href, verifier, state };
  }

  /** The browser at the authorization endpoint: where it is sent next. */
  async function authorize(browser: CookieJar, url: string): Promise<URL> {
    const response = await browser.fetch(url);
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!);
  }

  /** Picks a mocked user on the mock login page the browser was sent to; returns the client's callback URL. */
  async function pickMockUser(browser: CookieJar, mockPage: URL, username: string): Promise<URL> {
    const html = await (await browser.fetch(mockPage.href)).text();
    const tx = /name="tx" value="([^"]+)"/.exec(html)![1]!;
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const posted = await browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx, username }).toString(),
    });
    expect(posted.status).toBe(303);
    return new URL(posted.headers.get('location')!);
  }

  const isMockPage = (url: URL) => url.pathname.endsWith('/broker/mock/login');

  /** A full login at the (mock) IdP in this browser, redeemed by `client`. */
  async function loginAtIdp(browser: CookieJar, client: oidc.Configuration, redirectUri: string, username = 'alice') {
    const request = await authorization(client, redirectUri);
    const next = await authorize(browser, request.url);
    expect(isMockPage(next)).toBe(true);
    const callback = await pickMockUser(browser, next, username);
    return redeem(client, callback, request);
  }

  function redeem(client: oidc.Configuration, callback: URL, request: { verifier: string; state: string }) {
    return oidc.authorizationCodeGrant(client, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
  }

  const refreshOf = (clientId: string, refreshToken: string, secret?: string) =>
    postForm(
      `${issuer}/protocol/openid-connect/token`,
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: clientId,
        ...(secret ? { client_secret: secret } : {}),
      }),
    );

  it('a second client of the realm gets a code without the IdP step: same person, same link, its own client session', async () => {
    const browser = new CookieJar();
    const first = await loginAtIdp(browser, app, APP.redirectUri);
    expect(browser.get('KEYCLOAK_IDENTITY')).toEqual(expect.any(String));

    const request = await authorization(web, WEB.redirectUri);
    const callback = await authorize(browser, request.url);
    expect(callback.origin + callback.pathname).toBe(WEB.redirectUri);
    expect(callback.searchParams.get('iss')).toBe(issuer);
    const second = await redeem(web, callback, request);

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
    const sessions = server.app.get(SessionRepository);
    const [rowA, rowB] = [await sessions.find(a.sid as string), await sessions.find(b.sid as string)];
    expect(rowB!.sso_session_id).toBe(rowA!.sso_session_id);
    expect(rowB!.sso_session_id).toEqual(expect.any(String));
    // Like a login at the IdP, it is a LOGIN in the audit trail, marked as answered from the SSO session.
    const { rows } = await server.app
      .get<Database>(DATABASE)
      .query<{ type: string; client_id: string; details: Record<string, unknown> }>(
        "SELECT type, client_id, details FROM audit_events WHERE session_id = $1 AND type = 'LOGIN'",
        [b.sid],
      );
    expect(rows).toEqual([{ type: 'LOGIN', client_id: 'web', details: expect.objectContaining({ sso: true, link: 'patient' }) }]);
    // Each client session has its own refresh chain.
    expect((await refreshOf('patient-app', first.refresh_token!)).status).toBe(200);
    expect((await refreshOf('web', second.refresh_token!, TEST_SECRETS.web)).status).toBe(200);
  });

  it('the same client again in the same browser: a new client session of the same SSO session, no IdP step', async () => {
    const browser = new CookieJar();
    const first = await loginAtIdp(browser, app, APP.redirectUri);
    const request = await authorization(app, APP.redirectUri);
    const second = await redeem(app, await authorize(browser, request.url), request);
    expect(decodeJwt(second.access_token).sid).not.toBe(decodeJwt(first.access_token).sid);
    // Both chains live on: a second tab does not make the first tab's refresh token a reuse.
    expect((await refreshOf('patient-app', first.refresh_token!)).status).toBe(200);
    expect((await refreshOf('patient-app', second.refresh_token!)).status).toBe(200);
  });

  it('prompt=none: a code with an SSO session; login_required without one, in the requested response mode', async () => {
    const browser = new CookieJar();
    const none = await authorization(app, APP.redirectUri, { prompt: 'none' });
    const refused = await authorize(browser, none.url);
    expect(refused.origin + refused.pathname).toBe(APP.redirectUri);
    expect(Object.fromEntries(refused.searchParams)).toEqual({ error: 'login_required', state: none.state, iss: issuer });

    const inFragment = await authorization(app, APP.redirectUri, { prompt: 'none', response_mode: 'fragment' });
    const fragment = await authorize(browser, inFragment.url);
    expect(fragment.search).toBe('');
    expect(Object.fromEntries(new URLSearchParams(fragment.hash.slice(1)))).toEqual({
      error: 'login_required',
      state: inFragment.state,
      iss: issuer,
    });

    await loginAtIdp(browser, web, WEB.redirectUri);
    const silent = await authorization(app, APP.redirectUri, { prompt: 'none' });
    const tokens = await redeem(app, await authorize(browser, silent.url), silent);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ client_id: 'patient-app', patient: 'demo-patient-nancy' });
  });

  it('id_token_hint: the SSO session answers only for the person the hint names (OIDC Core §3.1.2.1)', async () => {
    const alices = new CookieJar();
    const alice = await loginAtIdp(alices, app, APP.redirectUri);
    const bob = await loginAtIdp(new CookieJar(), app, APP.redirectUri, 'bob');
    const silently = async (hint: string) =>
      authorize(alices, (await authorization(web, WEB.redirectUri, { prompt: 'none', id_token_hint: hint })).url);

    expect((await silently(alice.id_token!)).searchParams.get('code')).toEqual(expect.any(String));
    for (const hint of [bob.id_token!, `${alice.id_token!}x`, 'not-a-token', 'x'.repeat(9000)]) {
      expect((await silently(hint)).searchParams.get('error')).toBe('login_required');
    }
    // Without prompt=none the hinted person is asked to log in, and Alice's session is left as it is.
    const request = await authorization(web, WEB.redirectUri, { id_token_hint: bob.id_token! });
    expect(isMockPage(await authorize(alices, request.url))).toBe(true);
    expect((await refreshOf('patient-app', alice.refresh_token!)).status).toBe(200);
  });

  it('prompt=login and max_age send the person to the IdP despite the SSO session; a recent enough login does not', async () => {
    const browser = new CookieJar();
    await loginAtIdp(browser, app, APP.redirectUri);
    expect(isMockPage(await authorize(browser, (await authorization(web, WEB.redirectUri, { prompt: 'login' })).url))).toBe(true);
    expect(isMockPage(await authorize(browser, (await authorization(web, WEB.redirectUri, { max_age: '0' })).url))).toBe(true);
    clock.advance(120);
    expect(isMockPage(await authorize(browser, (await authorization(web, WEB.redirectUri, { max_age: '60' })).url))).toBe(true);
    const recent = await authorize(browser, (await authorization(web, WEB.redirectUri, { max_age: '600' })).url);
    expect(recent.origin + recent.pathname).toBe(WEB.redirectUri);
    // prompt=none cannot meet a max_age the SSO session's authentication is older than.
    const tooOld = await authorize(browser, (await authorization(web, WEB.redirectUri, { prompt: 'none', max_age: '60' })).url);
    expect(tooOld.searchParams.get('error')).toBe('login_required');
  });

  it('a new login of the same person (prompt=login) keeps the other clients’ sessions and renews the cookie', async () => {
    const browser = new CookieJar();
    const first = await loginAtIdp(browser, app, APP.redirectUri);
    const before = browser.get('KEYCLOAK_IDENTITY');
    const request = await authorization(web, WEB.redirectUri, { prompt: 'login' });
    await redeem(web, await pickMockUser(browser, await authorize(browser, request.url), 'alice'), request);
    expect(browser.get('KEYCLOAK_IDENTITY')).not.toBe(before);
    expect((await refreshOf('patient-app', first.refresh_token!)).status).toBe(200);
  });

  it('RP-initiated logout ends the SSO session, every client session in it and the cookies', async () => {
    const browser = new CookieJar();
    const first = await loginAtIdp(browser, app, APP.redirectUri);
    const request = await authorization(web, WEB.redirectUri);
    const second = await redeem(web, await authorize(browser, request.url), request);

    const logout = oidc.buildEndSessionUrl(app, { id_token_hint: first.id_token!, post_logout_redirect_uri: BYE, state: 'bye' });
    const response = await browser.fetch(logout.href);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${BYE}?state=bye`);
    expect(browser.get('KEYCLOAK_IDENTITY')).toBeUndefined();
    expect(browser.get('KEYCLOAK_SESSION')).toBeUndefined();

    expectOAuthError(await refreshOf('patient-app', first.refresh_token!), 400, 'invalid_grant');
    expectOAuthError(await refreshOf('web', second.refresh_token!, TEST_SECRETS.web), 400, 'invalid_grant');
    expect((await server.app.get(SessionRepository).find(decodeJwt(second.access_token).sid as string))!.end_reason).toBe('logout');
    // Each client session that ended has its LOGOUT, not only the one the hint named.
    const sids = [decodeJwt(first.access_token).sid, decodeJwt(second.access_token).sid];
    const { rows } = await server.app
      .get<Database>(DATABASE)
      .query<{ client_id: string }>(
        "SELECT client_id FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1) ORDER BY client_id",
        [sids],
      );
    expect(rows.map((row) => row.client_id)).toEqual(['patient-app', 'web']);
    // Without the cookies the next request goes to the IdP.
    expect(isMockPage(await authorize(browser, (await authorization(web, WEB.redirectUri)).url))).toBe(true);
  });

  it('logout records a LOGOUT for exactly the client sessions the SSO session’s end ended: not twice, not none, not for one run out', async () => {
    const browser = new CookieJar();
    const first = await loginAtIdp(browser, app, APP.redirectUri);
    const again = async (client: oidc.Configuration, redirectUri: string) => {
      const request = await authorization(client, redirectUri);
      return decodeJwt((await redeem(client, await authorize(browser, request.url), request)).access_token).sid as string;
    };
    const [sid, revoked, runOut] = [
      decodeJwt(first.access_token).sid as string,
      await again(web, WEB.redirectUri),
      await again(app, APP.redirectUri),
    ];
    const db = server.app.get<Database>(DATABASE);
    // Its idle end passed: it ran out, which is no event (migration 013).
    await db.query('UPDATE sessions SET idle_expires_at = created_at WHERE id = $1', [runOut]);
    const late = `${ssoSessionIdOf(sid)}.opened-meanwhile`;
    const spy = meanwhileInSsoEnd(server.app, async (tx, now) => {
      // Another request revokes one client session (with its LOGOUT) and opens one, both committed before the end.
      const sessions = server.app.get(SessionRepository);
      await sessions.end(revoked, 'refresh token revoked', now, tx);
      await server.app.get(AuditTrail).sessionEnded(revoked, { by: 'user', ipAddress: '127.0.0.1' }, tx);
      await sessions.create({ ...(await sessions.find(sid, tx))!, id: late }, tx);
    });

    const logout = oidc.buildEndSessionUrl(app, { id_token_hint: first.id_token!, post_logout_redirect_uri: BYE });
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
    const first = await loginAtIdp(browser, app, APP.redirectUri);
    const request = await authorization(web, WEB.redirectUri);
    const second = await redeem(web, await authorize(browser, request.url), request);

    // patient-app refreshes every 20 minutes: its client session and the SSO session stay alive past 30 minutes.
    let appRefresh = first.refresh_token!;
    for (let i = 0; i < 2; i++) {
      clock.advance(1200);
      const refreshed = await refreshOf('patient-app', appRefresh);
      expect(refreshed.status).toBe(200);
      appRefresh = refreshed.body.refresh_token as string;
    }
    const later = await authorization(web, WEB.redirectUri, { prompt: 'none' });
    expect((await authorize(browser, later.url)).searchParams.get('code')).toEqual(expect.any(String));

    // Then nobody uses it for longer than sessionIdle: the SSO session ends, and with it both chains.
    clock.advance(1801);
    expectOAuthError(await refreshOf('patient-app', appRefresh), 400, 'invalid_grant');
    expectOAuthError(await refreshOf('web', second.refresh_token!, TEST_SECRETS.web), 400, 'invalid_grant');
    const none = await authorization(app, APP.redirectUri, { prompt: 'none' });
    expect((await authorize(browser, none.url)).searchParams.get('error')).toBe('login_required');
  });

  it('another person logging in in the same browser ends the first person’s SSO session and its client sessions', async () => {
    const browser = new CookieJar();
    const alice = await loginAtIdp(browser, app, APP.redirectUri);
    const request = await authorization(web, WEB.redirectUri, { prompt: 'login' });
    const other = await redeem(web, await pickMockUser(browser, await authorize(browser, request.url), 'bob'), request);
    expect(decodeJwt(other.access_token).sub).not.toBe(decodeJwt(alice.access_token).sub);
    expectOAuthError(await refreshOf('patient-app', alice.refresh_token!), 400, 'invalid_grant');
  });
});
