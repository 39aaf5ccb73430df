import { createHash, randomBytes } from 'node:crypto';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { CookieJar } from '../support/cookie-jar.js';
import { refresh } from '../support/login-flow.js';
import { postForm } from '../support/token-requests.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const APP = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const BYE = 'http://127.0.0.1/bye';
const APP_ORIGIN = 'https://patient-app.example';
/** Registered with a query that form encoding would write otherwise (`%2F`, `+`, `%7E`). */
const BYE_WITH_QUERY = 'http://127.0.0.1/bye?next=/a%20b&k=v~1';

/**
 * RP-initiated logout without `id_token_hint` (OpenID Connect RP-Initiated Logout 1.0 §2: the hint
 * is only RECOMMENDED, and keycloak-js leaves it out once it has dropped its tokens): the person is
 * asked first, and only the answer from that page, in that browser, ends the SSO session.
 */
describe('logout without id_token_hint', () => {
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [
          BYE,
          BYE_WITH_QUERY,
        ];
        // Its pages may call the credentialed endpoints across origins (CORS), but not logout (below).
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').webOrigins = [APP_ORIGIN];
        // A second person, for a browser of someone else's.
        raw.realms[0].mockUsers.push({ username: 'bente', kind: 'citizen', ssn: '0909091234' });
      },
    });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  /** A mocked citizen's login in `browser`, redeemed: the token response. */
  async function login(browser: CookieJar, username = 'alice'): Promise<Record<string, string>> {
    const verifier = randomBytes(32).toString('base64url');
    const auth = new URL(`${oidc}/auth`);
    const params = {
      client_id: APP.clientId,
      redirect_uri: APP.redirectUri,
      response_type: 'code',
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) auth.searchParams.set(name, value);
    const mockPage = (await browser.fetch(auth.href)).headers.get('location')!;
    const html = await (await browser.fetch(mockPage)).text();
    const posted = await browser.fetch(/<form method="post" action="([^"]+)"/.exec(html)![1]!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: /name="tx" value="([^"]+)"/.exec(html)![1]!, username }).toString(),
    });
    const code = new URL(posted.headers.get('location')!).searchParams.get('code')!;
    const tokens = await postForm(
      `${oidc}/token`,
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: APP.redirectUri,
        client_id: APP.clientId,
        code_verifier: verifier,
      }),
    );
    expect(tokens.status).toBe(200);
    return tokens.body as Record<string, string>;
  }

  /** The confirmation page's form: where it posts and its hidden fields. */
  async function confirmationForm(page: Response): Promise<{ action: string; fields: Record<string, string> }> {
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form in ${html.slice(0, 300)}`);
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );
    return { action: action.replace(/&amp;/g, '&'), fields };
  }

  const confirm = (browser: CookieJar, action: string, fields: Record<string, string>) =>
    browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  /** Whether the refresh token (and so its session) still works; returns the next one. */
  async function stillLive(refreshToken: string): Promise<string> {
    const response = await refresh(server.baseUrl, 'nemlogin', refreshToken);
    expect(response.status).toBe(200);
    return (response.body as Record<string, string>).refresh_token!;
  }

  it('asks first; the confirmed answer ends the SSO session, its client sessions and cookies, and returns with state', async () => {
    const browser = new CookieJar();
    const tokens = await login(browser);
    const page = await browser.fetch(
      `${oidc}/logout?${new URLSearchParams({ client_id: APP.clientId, post_logout_redirect_uri: BYE, state: 's1' })}`,
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const form = await confirmationForm(page);
    expect(form.action).toBe(`${oidc}/logout/confirm`);
    expect(form.fields).toEqual({ confirmation: expect.any(String), client_id: APP.clientId, post_logout_redirect_uri: BYE, state: 's1' });
    // Asking ended nothing.
    const next = await stillLive(tokens.refresh_token!);

    const done = await confirm(browser, form.action, form.fields);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${BYE}?state=s1`);
    expect(browser.get('KEYCLOAK_IDENTITY')).toBeUndefined();
    expect((await refresh(server.baseUrl, 'nemlogin', next)).status).toBe(400);
    const { rows } = await server.app
      .get<Database>(DATABASE)
      .query<{ details: Record<string, unknown> }>("SELECT details FROM audit_events WHERE type = 'LOGOUT' AND session_id = $1", [
        JSON.parse(Buffer.from(tokens.access_token!.split('.')[1]!, 'base64url').toString()).sid,
      ]);
    expect(rows).toEqual([{ details: expect.objectContaining({ by: 'user' }) }]);
  });

  it('ends nothing on a confirmation without the page’s value, or with another browser’s (a cross-site post)', async () => {
    const victim = new CookieJar();
    const tokens = await login(victim);
    const attacker = new CookieJar();
    await login(attacker);
    const attackersForm = await confirmationForm(await attacker.fetch(`${oidc}/logout`));

    for (const fields of [{}, { confirmation: '' }, { confirmation: attackersForm.fields.confirmation! }] as Record<string, string>[]) {
      const refused = await confirm(victim, `${oidc}/logout/confirm`, fields);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('This logout link is not valid');
    }
    expect(victim.get('KEYCLOAK_IDENTITY')).toEqual(expect.any(String));
    await stillLive(tokens.refresh_token!);
  });

  it('lets no other page read the confirmation: logout answers no CORS, not even to a web origin of the realm', async () => {
    const browser = new CookieJar();
    await login(browser);
    // The CORS set-up answers the credentialed endpoints from that origin, so the refusal below is logout's own.
    const allowed = await browser.fetch(`${oidc}/userinfo`, { headers: { origin: APP_ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    for (const method of ['GET', 'POST']) {
      const preflight = await fetch(`${oidc}/logout`, {
        method: 'OPTIONS',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
    // What fetch(…, { credentials: 'include' }) from that origin receives: the page, without the
    // headers a browser needs to let the calling script read the value that would confirm it.
    const page = await browser.fetch(`${oidc}/logout`, { headers: { origin: APP_ORIGIN } });
    expect((await confirmationForm(page)).fields.confirmation).toEqual(expect.any(String));
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(page.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('follows a post_logout_redirect_uri only when client_id names a client it is registered for', async () => {
    const browser = new CookieJar();
    const tokens = await login(browser);
    for (const params of [
      { post_logout_redirect_uri: BYE },
      { client_id: 'web', post_logout_redirect_uri: BYE },
      { client_id: APP.clientId, post_logout_redirect_uri: 'https://evil.example/' },
      { client_id: 'nobody' },
    ] as Record<string, string>[]) {
      const refused = await browser.fetch(`${oidc}/logout?${new URLSearchParams(params)}`);
      expect(refused.status).toBe(400);
      // Also when the confirmation is genuine: the redirect is checked again.
      const form = await confirmationForm(await browser.fetch(`${oidc}/logout`));
      expect((await confirm(browser, form.action, { ...form.fields, ...params })).status).toBe(400);
    }
    await stillLive(tokens.refresh_token!);
  });

  const hinted = (browser: CookieJar, idToken: string, state: string) =>
    browser.fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state })}`);

  it('asks, with a hint, in a browser whose own session is another person’s; the answer ends that session, not the hint’s', async () => {
    const alices = new CookieJar();
    const alice = await login(alices);
    const others = new CookieJar();
    const other = await login(others, 'bente');

    const page = await hinted(others, alice.id_token!, 's3');
    expect(page.status).toBe(200);
    const form = await confirmationForm(page);
    expect(form.fields).toEqual({ confirmation: expect.any(String), client_id: APP.clientId, post_logout_redirect_uri: BYE, state: 's3' });
    const alicesNext = await stillLive(alice.refresh_token!);
    const othersNext = await stillLive(other.refresh_token!);

    const done = await confirm(others, form.action, form.fields);
    expect(done.headers.get('location')).toBe(`${BYE}?state=s3`);
    expect((await refresh(server.baseUrl, 'nemlogin', othersNext)).status).toBe(400);
    await stillLive(alicesNext);
  });

  it('asks, with the hint of a session this browser has since replaced, instead of reporting a logout that did not happen', async () => {
    const browser = new CookieJar();
    const first = await login(browser);
    expect((await hinted(browser, first.id_token!, 's4')).headers.get('location')).toBe(`${BYE}?state=s4`);
    const second = await login(browser);

    const page = await hinted(browser, first.id_token!, 's5');
    expect(page.status).toBe(200);
    const next = await stillLive(second.refresh_token!);
    const form = await confirmationForm(page);
    const done = await confirm(browser, form.action, form.fields);
    expect(done.headers.get('location')).toBe(`${BYE}?state=s5`);
    expect((await refresh(server.baseUrl, 'nemlogin', next)).status).toBe(400);
  });

  it('a browser without a live SSO session has nothing to end: straight on, or a logged-out page', async () => {
    const stranger = new CookieJar();
    const onward = await stranger.fetch(
      `${oidc}/logout?${new URLSearchParams({ client_id: APP.clientId, post_logout_redirect_uri: BYE, state: 's2' })}`,
    );
    expect(onward.status).toBe(303);
    expect(onward.headers.get('location')).toBe(`${BYE}?state=s2`);
    const page = await stranger.fetch(`${oidc}/logout`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You are logged out');
  });

  it('keeps a registered post_logout_redirect_uri’s query as registered when it adds state (RFC 6749 §3.1.2)', async () => {
    const onward = await new CookieJar().fetch(
      `${oidc}/logout?${new URLSearchParams({ client_id: APP.clientId, post_logout_redirect_uri: BYE_WITH_QUERY, state: 's6' })}`,
    );
    expect(onward.headers.get('location')).toBe(`${BYE_WITH_QUERY}&state=s6`);
  });

  it('refuses a parameter sent twice instead of reading it as absent (RFC 6749 §3.1), with or without a hint', async () => {
    const browser = new CookieJar();
    const tokens = await login(browser);
    for (const query of [
      `id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent(BYE)}&state=a&state=b`,
      `client_id=${APP.clientId}&client_id=${APP.clientId}&post_logout_redirect_uri=${encodeURIComponent(BYE)}`,
    ]) {
      const refused = await browser.fetch(`${oidc}/logout?${query}`);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('This logout link is not valid');
    }
    const form = await confirmationForm(await browser.fetch(`${oidc}/logout`));
    const twice = await browser.fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${new URLSearchParams(form.fields)}&confirmation=${form.fields.confirmation}`,
    });
    expect(twice.status).toBe(400);
    await stillLive(tokens.refresh_token!);
  });

  // `state` comes back in the Location header: unbounded, one request made a header of 200 KB, and a
  // proxy's response buffer a 502 after the session had ended. Bounded as at /auth (2048 characters).
  it('refuses a state longer than /auth takes, or with a control character, and ends nothing', async () => {
    const browser = new CookieJar();
    const tokens = await login(browser);
    const asked = (state: string) => ({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE, state });
    for (const state of ['x'.repeat(2049), 'a\u0001b']) {
      const posted = await browser.fetch(`${oidc}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(asked(state)).toString(),
      });
      expect(posted.status).toBe(400);
      expect(await posted.text()).toContain('This logout link is not valid');
    }
    await stillLive(tokens.refresh_token!);
    const longest = await browser.fetch(`${oidc}/logout?${new URLSearchParams(asked('x'.repeat(2048)))}`);
    expect(longest.headers.get('location')).toBe(`${BYE}?state=${'x'.repeat(2048)}`);
  });
});
