import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { decodeJwt } from 'jose';
import { launchChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { startStaticApp, type StaticApp } from '../support/static-app.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** What the test pages expose of oidc-client-ts to the test: the `UserManager`, and how each callback settled. */
interface OidcWindow {
  mgr: {
    signinRedirect(args?: Record<string, unknown>): Promise<void>;
    signinSilent(args?: { forceIframeAuth?: boolean }): Promise<OidcUser | null>;
    signoutRedirect(args?: Record<string, unknown>): Promise<void>;
    getUser(): Promise<OidcUser | null>;
    revokeTokens(): Promise<void>;
  };
  outcome?: { user?: OidcUser; response?: { userState?: unknown }; error?: string };
}

/** What the test pages record: the UserManager's session events, and the session check iframe's answers. */
interface PageLog {
  events: string[];
  statuses: string[];
}

/** The parts of oidc-client-ts's `User` the test reads (it is structured-cloned out of the page). */
interface OidcUser {
  profile: Record<string, unknown>;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  token_type: string;
  state?: unknown;
  session_state?: string | null;
}

/**
 * oidc-client-ts 3 (the generic OIDC library of single-page apps; react-oidc-context and others wrap
 * it) in headless Chromium, its browser bundle as published, configured the way its README shows:
 * the realm as `authority` (everything else from discovery), a public client with the authorization
 * code flow and PKCE, and `loadUserInfo: true`. `signinRedirect` → the mocked citizen logs in →
 * `signinRedirectCallback` gives a `User`; `signinSilent` renews with the refresh token;
 * `signoutRedirect` (with `id_token_hint`, `post_logout_redirect_uri` and `state`) ends the SSO
 * session and comes back to `signoutRedirectCallback`. Then what apps turn on besides: session
 * monitoring in discovery's `check_session_iframe`, silent sign-in in a hidden iframe, and
 * `revokeTokens()`.
 */
describe('oidc-client-ts in a real browser', () => {
  let server: TestServer;
  let app: StaticApp;
  let browser: Browser;
  let aliceSub: string;

  beforeAll(async () => {
    const appPort = await freePort();
    const appOrigin = `http://127.0.0.1:${appPort}`;
    server = await startTestServer({
      patch: (raw) => {
        // As the demo's `web-app`: a public client of the app's origin.
        raw.realms[0].clients.push({
          clientId: 'spa',
          type: 'public',
          redirectUris: [`${appOrigin}/callback.html`, `${appOrigin}/monitored/callback.html`, `${appOrigin}/monitored/silent.html`],
          postLogoutRedirectUris: [`${appOrigin}/bye.html`],
          webOrigins: ['+'],
          grantTypes: ['authorization_code', 'refresh_token'],
        });
      },
    });
    // Alice's subject as the realm knows it, from a login of another client without a browser.
    aliceSub = decodeJwt((await loginTokens(server.baseUrl, 'nemlogin', 'alice')).id_token as string).sub!;

    // One UserManager per page, as an app makes it; the user in sessionStorage, the request state in localStorage (its defaults).
    const html = (
      settings: string,
      body: string,
    ) => `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/oidc-client-ts.js"></script>
<script>
window.mgr = new oidc.UserManager({
  authority: '${server.baseUrl}/realms/nemlogin',
  client_id: 'spa',
  post_logout_redirect_uri: location.origin + '/bye.html',
  scope: 'openid profile',
  loadUserInfo: true,
  ${settings}
});
window.events = [];
// What the session check iframe answers the monitor (OIDC Session Management 1.0 §3.2).
window.statuses = [];
addEventListener('message', (event) => { if (['changed', 'unchanged', 'error'].includes(event.data)) statuses.push(event.data); });
mgr.events.addUserSignedOut(() => events.push('userSignedOut'));
mgr.events.addUserSessionChanged(() => events.push('userSessionChanged'));
window.settle = (promise, key) => promise.then(
  (value) => { window.outcome = { [key]: value }; },
  (error) => { window.outcome = { error: String((error && (error.message || error.error)) || error) }; },
);
</script></head><body>${body}</body></html>`;
    const plain = `redirect_uri: location.origin + '/callback.html',`;
    // Session monitoring (OIDC Session Management 1.0) through discovery's check_session_iframe, and silent sign-in in an iframe.
    const monitored = `redirect_uri: location.origin + '/monitored/callback.html', silent_redirect_uri: location.origin + '/monitored/silent.html',
  monitorSession: true, checkSessionIntervalInSeconds: 1,`;
    app = await startStaticApp(
      appPort,
      {
        '/index.html': html(plain, '<p>app</p>'),
        '/callback.html': html(plain, `<p>callback</p><script>settle(mgr.signinRedirectCallback(), 'user');</script>`),
        '/bye.html': html(plain, `<p>bye</p><script>settle(mgr.signoutRedirectCallback(), 'response');</script>`),
        '/monitored/index.html': html(monitored, '<p>app</p>'),
        '/monitored/callback.html': html(monitored, `<p>callback</p><script>settle(mgr.signinRedirectCallback(), 'user');</script>`),
        '/monitored/silent.html': html(
          monitored.replace('monitorSession: true', 'monitorSession: false'),
          `<script>mgr.signinSilentCallback();</script>`,
        ),
      },
      { '/oidc-client-ts.js': 'node_modules/oidc-client-ts/dist/browser/oidc-client-ts.js' },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.close();
  });

  /** Waits until the page's callback settled, and returns how. */
  async function outcomeOf(page: Page): Promise<NonNullable<OidcWindow['outcome']>> {
    await page.waitForFunction(() => (window as unknown as OidcWindow).outcome !== undefined);
    return page.evaluate(() => (window as unknown as OidcWindow).outcome!);
  }

  /**
   * Starts a redirect of the UserManager's (`signinRedirect`, `signoutRedirect`) without waiting for
   * it: the page navigates away. A redirect that fails before it navigates is the page's `outcome`.
   */
  async function startRedirect(
    page: Page,
    method: 'signinRedirect' | 'signoutRedirect',
    args: Record<string, unknown> = {},
  ): Promise<void> {
    await page.evaluate(
      ({ method, args }) => {
        const w = window as unknown as OidcWindow;
        w.mgr[method](args).catch((error: Error) => {
          w.outcome = { error: String(error.message || error) };
        });
      },
      { method, args },
    );
  }

  /** A page in a fresh browser context, and every request it (or a frame of it) makes to the realm's OIDC endpoints. */
  async function recordingPage(): Promise<{ context: BrowserContext; page: Page; to(endpoint: string): Request[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const requests: Request[] = [];
    context.on('request', (request) => requests.push(request));
    const to = (endpoint: string) =>
      requests.filter((request) => new URL(request.url()).pathname === `/realms/nemlogin/protocol/openid-connect/${endpoint}`);
    return { context, page, to };
  }

  /** signinRedirect from `start`, the mocked citizen Alice logs in, and the callback page's outcome. */
  async function signIn(page: Page, start: string, state?: unknown): Promise<NonNullable<OidcWindow['outcome']>> {
    await page.goto(start);
    await startRedirect(page, 'signinRedirect', { state });
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    await page.waitForURL(/\/callback\.html\?/);
    return outcomeOf(page);
  }

  it('signinRedirect → mocked citizen → signinRedirectCallback (user info loaded); signinSilent by refresh token; signoutRedirect ends the session', async () => {
    const { context, page, to } = await recordingPage();

    const signedIn = await signIn(page, `${app.origin}/index.html`, { returnTo: '/inbox' });
    expect(signedIn.error).toBeUndefined();
    const authorize = new URL(to('auth')[0].url());
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'spa',
      redirect_uri: `${app.origin}/callback.html`,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge_method: 'S256',
    });
    const user = signedIn.user!;
    expect(user.profile.sub).toBe(aliceSub);
    expect(user.state).toEqual({ returnTo: '/inbox' });
    expect(user.token_type).toMatch(/^bearer$/i);
    expect(user.scope!.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile']));
    expect(user.refresh_token).toBeTruthy();
    expect(decodeJwt(user.access_token)).toMatchObject({ sub: aliceSub, client_id: 'spa', patient: 'demo-patient-nancy' });
    // loadUserInfo: the userinfo endpoint was read across origins with the access token; oidc-client-ts
    // checked its `sub` against the ID token's (a mismatch fails the callback) and merged its claims.
    const userinfo = to('userinfo');
    expect(userinfo).toHaveLength(1);
    expect(await userinfo[0].allHeaders()).toMatchObject({ authorization: `Bearer ${user.access_token}` });
    const userinfoResponse = (await userinfo[0].response())!;
    expect(userinfoResponse.status()).toBe(200);
    expect(await userinfoResponse.json()).toMatchObject({ sub: aliceSub, given_name: 'Alice', family_name: 'Andersen' });
    expect(user.profile).toMatchObject({ given_name: 'Alice', family_name: 'Andersen', patient: 'demo-patient-nancy' });

    // signinSilent with a refresh token held: the refresh_token grant, no iframe, and new tokens for the same person.
    const renewed = await page.evaluate(() => (window as unknown as OidcWindow).mgr.signinSilent());
    expect(to('auth')).toHaveLength(1);
    const grant = new URLSearchParams(to('token').at(-1)!.postData()!);
    expect(Object.fromEntries(grant)).toMatchObject({ grant_type: 'refresh_token', refresh_token: user.refresh_token, client_id: 'spa' });
    expect(renewed!.access_token).not.toBe(user.access_token);
    expect(renewed!.profile.sub).toBe(aliceSub);
    expect(decodeJwt(renewed!.access_token)).toMatchObject({ sub: aliceSub, patient: 'demo-patient-nancy' });
    expect(await page.evaluate(() => (window as unknown as OidcWindow).mgr.getUser())).toMatchObject({
      access_token: renewed!.access_token,
    });

    // signoutRedirect: the end-session endpoint with the ID token and the registered return, then back with the state.
    const refreshToken = renewed!.refresh_token!;
    await startRedirect(page, 'signoutRedirect', { state: 'signed-out' });
    await page.waitForURL(/\/bye\.html/);
    const endSession = new URL(to('logout')[0].url());
    expect(endSession.searchParams.get('id_token_hint')).toBe(renewed!.id_token);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${app.origin}/bye.html`);
    expect(await outcomeOf(page)).toEqual({ response: expect.objectContaining({ userState: 'signed-out' }) });
    expect(await page.evaluate(() => (window as unknown as OidcWindow).mgr.getUser())).toBeNull();
    // The SSO session ended: its refresh token no longer works, and the next sign-in needs the login page.
    const stale = await refresh(server.baseUrl, 'nemlogin', refreshToken, { client_id: 'spa' });
    expect(stale.status).toBe(400);
    expect(stale.body).toMatchObject({ error: 'invalid_grant' });
    await startRedirect(page, 'signinRedirect');
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await context.close();
  });

  it('monitorSession: the check_session_iframe answers unchanged; signinSilent in an iframe (prompt=none) signs on; a logout in another tab raises userSignedOut', async () => {
    const { context, page, to } = await recordingPage();
    const signedIn = await signIn(page, `${app.origin}/monitored/index.html`);
    expect(signedIn.error).toBeUndefined();
    const user = signedIn.user!;
    // The authorization response's session_state, which the monitor posts to the iframe, is the session's `sid`.
    expect(user.session_state).toBe(decodeJwt(user.id_token!).sid);
    // The monitor checks the session every second: the iframe answers unchanged, and no event is raised.
    await page.waitForFunction(() => (window as unknown as PageLog).statuses.length >= 3);
    expect(await page.evaluate(() => (window as unknown as PageLog).statuses.slice(0, 3))).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await page.evaluate(() => (window as unknown as PageLog).events)).toEqual([]);

    // Silent sign-in in a hidden iframe, as without a refresh token: the SSO session answers prompt=none.
    const silent = await page.evaluate(() => (window as unknown as OidcWindow).mgr.signinSilent({ forceIframeAuth: true }));
    const silentAuthorize = new URL(to('auth').at(-1)!.url());
    expect(silentAuthorize.searchParams.get('prompt')).toBe('none');
    expect(silentAuthorize.searchParams.get('redirect_uri')).toBe(`${app.origin}/monitored/silent.html`);
    expect(silent!.profile.sub).toBe(aliceSub);
    expect(silent!.access_token).not.toBe(user.access_token);
    expect(silent!.session_state).toBe(decodeJwt(silent!.id_token!).sid);
    // The monitor goes on with the new session_state, and the iframe still answers unchanged.
    const checked = await page.evaluate(() => (window as unknown as PageLog).statuses.length);
    await page.waitForFunction((checked) => (window as unknown as PageLog).statuses.length >= checked + 2, checked);
    expect(await page.evaluate(() => (window as unknown as PageLog).statuses)).not.toContain('changed');

    // Another tab of the same browser logs out: the monitor sees the session change, finds no session, and says so.
    const other = await context.newPage();
    await other.goto(`${app.origin}/index.html`);
    await startRedirect(other, 'signoutRedirect', { id_token_hint: silent!.id_token });
    await other.waitForURL(/\/bye\.html/);
    await page.waitForFunction(() => (window as unknown as PageLog).events.includes('userSignedOut'));
    expect(await page.evaluate(() => (window as unknown as PageLog).statuses)).toContain('changed');
    // The monitor asked with prompt=none whether anyone is still logged in, and the realm said no one is.
    expect(new URL(to('auth').at(-1)!.url()).searchParams.get('prompt')).toBe('none');
    await context.close();
  });

  it('revokeTokens(): the access token and the refresh token are revoked at the revocation endpoint (RFC 7009)', async () => {
    const { context, page, to } = await recordingPage();
    const user = (await signIn(page, `${app.origin}/index.html`)).user!;
    await page.evaluate(() => (window as unknown as OidcWindow).mgr.revokeTokens());
    const revoked = to('revoke').map((request) => Object.fromEntries(new URLSearchParams(request.postData()!)));
    expect(revoked).toEqual([
      { token: user.access_token, token_type_hint: 'access_token', client_id: 'spa' },
      { token: user.refresh_token, token_type_hint: 'refresh_token', client_id: 'spa' },
    ]);
    const userinfo = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${user.access_token}` },
    });
    expect(userinfo.status).toBe(401);
    const stale = await refresh(server.baseUrl, 'nemlogin', user.refresh_token!, { client_id: 'spa' });
    expect(stale.body).toMatchObject({ error: 'invalid_grant' });
    await context.close();
  });
});
