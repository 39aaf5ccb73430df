import { createHash, randomBytes } from 'node:crypto';
import { openDatabase } from '../../src/storage/database.factory.js';
import type { Database } from '../../src/storage/database.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { CookieJar } from '../support/cookie-jar.js';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A valid authorization request of the public test client, as a URL a link previewer may be shown. */
function authorizeUrl(baseUrl: string): URL {
  const url = new URL(`${baseUrl}/realms/nemlogin/protocol/openid-connect/auth`);
  const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  for (const [name, value] of Object.entries({
    client_id: PUBLIC_CLIENT.clientId,
    redirect_uri: PUBLIC_CLIENT.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st',
  }))
    url.searchParams.set(name, value);
  return url;
}

const head = (url: string | URL, headers: Record<string, string> = {}) => fetch(url, { method: 'HEAD', redirect: 'manual', headers });

/**
 * HEAD is safe (RFC 9110 §9.2.1): at a GET route that changes state it is 405 with `Allow`
 * (head-requests.ts), and nothing of what the GET does happens; at the other GET routes it answers
 * as the GET does.
 */
describe('HEAD at the browser routes', () => {
  let db: Database;
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({
      overrides: { database: db },
      patch: (raw) => {
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [
          'http://127.0.0.1/bye',
        ];
      },
    });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const pendingLogins = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM login_transactions')).rows[0]!.n);

  it('starts no login at the authorization endpoint: 405, Allow GET and POST, no row, no cookie', async () => {
    const url = authorizeUrl(server.baseUrl);
    const before = await pendingLogins();
    const response = await head(url);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toBe('');
    expect(await pendingLogins()).toBe(before);
    // The same link by GET does start one: what HEAD was kept from.
    const get = await fetch(url, { redirect: 'manual' });
    expect(get.status).toBe(303);
    expect(await pendingLogins()).toBe(before + 1);
  });

  it('ends no session at the logout endpoint, even with an id_token_hint', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const logout = `${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1/bye' })}`;
    const response = await head(logout);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    const refreshed = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    // The same link by GET does end it.
    expect((await fetch(logout, { redirect: 'manual' })).status).toBe(303);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', refreshed.body.refresh_token as string), 400, 'invalid_grant');
  });

  it('answers HEAD as GET at the routes whose GET changes nothing', async () => {
    for (const path of [
      '/realms/nemlogin/.well-known/openid-configuration',
      '/realms/nemlogin/protocol/openid-connect/certs',
      '/realms/nemlogin/protocol/openid-connect/login-status-iframe.html',
    ]) {
      const get = await fetch(`${server.baseUrl}${path}`);
      const response = await head(`${server.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
      expect(await response.text()).toBe('');
    }
  });
});

describe('HEAD at the routes of a SAML IdP', () => {
  let db: Database;
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    ({ server, idp, issuer } = await startSamlTestServer({ slo: true, overrides: { database: db } }));
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  /** The IdP a pending login chose, and how many AuthnRequests it has sent. */
  const login = async (tx: string) => {
    const { rows } = await db.query<{ idp_alias: string | null; requests: string }>(
      `SELECT idp_alias, (SELECT count(*) FROM saml_pending_requests WHERE relay_state = $1) AS requests
         FROM login_transactions WHERE id = $1`,
      [tx],
    );
    return { idp: rows[0]!.idp_alias, requests: Number(rows[0]!.requests) };
  };

  it('chooses no IdP and sends no AuthnRequest from the chooser’s link', async () => {
    const browser = new CookieJar();
    // The IdP and the mocked users: the person chooses.
    const chooser = await browser.fetch(authorizeUrl(server.baseUrl).href);
    expect(chooser.status).toBe(200);
    const link = /href="([^"]*\/broker\/nemlog-in\/login\?tx=[^"]+)"/.exec(await chooser.text())![1]!;
    const tx = new URL(link).searchParams.get('tx')!;

    const response = await browser.fetch(link, { method: 'HEAD' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(await login(tx)).toEqual({ idp: null, requests: 0 });
    // The same link by GET does both.
    const get = await browser.fetch(link);
    expect(get.status).toBe(303);
    expect(get.headers.get('location')!.startsWith(idp.ssoUrl)).toBe(true);
    expect(await login(tx)).toEqual({ idp: 'nemlog-in', requests: 1 });
  });

  it('takes no IdP LogoutRequest by HTTP-Redirect at the broker endpoint: the session goes on', async () => {
    const nameId = 'https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-000000000001';
    const { browser, tokens } = await samlHttpLogin(issuer, idp, PUBLIC_CLIENT, {
      attributes: citizenAttributes(),
      nameId,
      sessionIndex: '_1',
    });
    const message = idp.logout.request({ binding: 'redirect', nameId, sessionIndexes: ['_1'] });

    const response = await browser.fetch(message.url, { method: 'HEAD' });
    expect(response.status).toBe(405);
    // The ACS and the HTTP-POST binding share the path.
    expect(response.headers.get('allow')).toBe('GET, POST');
    const refreshed = await refresh(server.baseUrl, 'nemlogin', tokens!.refresh_token);
    expect(refreshed.status).toBe(200);
    // The same message by GET ends it.
    expect((await browser.fetch(message.url)).status).toBe(303);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', refreshed.body.refresh_token as string), 400, 'invalid_grant');
  });
});

describe('HEAD and the login rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.trustProxy = true;
        raw.limits = { loginRate: { windowSeconds: 60, perAddress: 2, global: 4 } };
      },
    });
  });
  afterAll(() => server.close());

  it('counts no HEAD: a flood of them uses up neither an address’s share nor the global one', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await head(authorizeUrl(server.baseUrl), { 'x-forwarded-for': `203.0.113.${i % 2}` });
      expect(response.status).toBe(405);
    }
    const get = await fetch(authorizeUrl(server.baseUrl), { redirect: 'manual', headers: { 'x-forwarded-for': '203.0.113.0' } });
    expect(get.status).toBe(303);
  });
});

/**
 * A browser route's path with a trailing slash names no route (browser-routes.ts): the person sees the
 * not-found page, never JSON, and nothing happens; an API route's keeps its JSON 404. Any path no
 * route serves is the not-found page too when a browser navigates to it (browser-navigation.ts).
 */
describe('a browser route’s path with a trailing slash', () => {
  let db: Database;
  let server: TestServer;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db } });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const pendingLogins = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM login_transactions')).rows[0]!.n);

  const expectNotFoundPage = async (response: Response) => {
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await response.text()).toContain('<h1>Not found</h1>');
  };

  it('answers /auth/ with the not-found page and starts no login', async () => {
    const url = authorizeUrl(server.baseUrl);
    url.pathname += '/';
    const before = await pendingLogins();
    await expectNotFoundPage(await fetch(url, { redirect: 'manual' }));
    expect(await pendingLogins()).toBe(before);
  });

  it('answers every other browser route’s, by GET or by form POST, with the not-found page', async () => {
    const realm = `${server.baseUrl}/realms/nemlogin`;
    for (const path of [
      'protocol/openid-connect/logout/',
      'protocol/openid-connect/login-status-iframe.html/',
      'broker/mock/login/?tx=x',
      'broker/nemlog-in/endpoint/',
    ])
      await expectNotFoundPage(await fetch(`${realm}/${path}`, { redirect: 'manual' }));
    for (const path of ['protocol/openid-connect/auth/', 'protocol/openid-connect/logout/confirm/', 'broker/nemlog-in/endpoint/']) {
      const post = await fetch(`${realm}/${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'client_id=patient-app',
      });
      await expectNotFoundPage(post);
    }
  });

  it('keeps the JSON 404 of an API route’s', async () => {
    const response = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/certs/`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('answers a browser that navigates to a path no route serves with the not-found page, an API client with JSON', async () => {
    const navigation = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    for (const path of [
      '/',
      '/realms/nemlogin/account/x',
      '/realms/nemlogin/protocol/openid-connect/authx',
      '/realms/nemlogin/protocol/openid-connect/certs/',
    ])
      await expectNotFoundPage(await fetch(`${server.baseUrl}${path}`, { headers: { accept: navigation } }));
    for (const accept of ['application/json', '*/*', 'application/json, text/html;q=0.5', undefined]) {
      const response = await fetch(`${server.baseUrl}/realms/nemlogin/account/x`, { headers: accept === undefined ? {} : { accept } });
      expect([accept, response.status, response.headers.get('content-type')]).toEqual([accept, 404, 'application/json; charset=utf-8']);
    }
  });
});

/**
 * A browser route takes a form by POST, nothing else (request-bodies.ts): a JSON or plain-text body is
 * 415 with `Accept` and the page that says so, and changes nothing.
 */
describe('a body other than a form posted to a browser route', () => {
  let db: Database;
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db } });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const pendingLogins = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM login_transactions')).rows[0]!.n);
  const post = (url: string, type: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': type, ...headers }, body });

  const expectRefused = async (response: Response) => {
    expect(response.status).toBe(415);
    expect(response.headers.get('accept')).toBe('application/x-www-form-urlencoded');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('in a format the login service does not accept');
  };

  it('refuses an authorization request in JSON or plain text, starting no login; the same as a form starts one', async () => {
    const params = Object.fromEntries(authorizeUrl(server.baseUrl).searchParams);
    const before = await pendingLogins();
    await expectRefused(await post(`${oidc}/auth`, 'application/json', JSON.stringify(params)));
    await expectRefused(await post(`${oidc}/auth`, 'application/json; charset=utf-8', JSON.stringify(params)));
    await expectRefused(await post(`${oidc}/auth`, 'text/plain', new URLSearchParams(params).toString()));
    expect(await pendingLogins()).toBe(before);
    // Logged as a refused request, as Fastify's own refusal of a type it cannot parse is.
    const refusal = server.logs.filter((line) => line.includes('request refused')).at(-1);
    expect(JSON.parse(refusal!)).toMatchObject({
      code: 'invalid_request',
      reason: 'Unsupported Media Type',
      path: expect.stringMatching(/\/auth$/),
    });
    const form = await post(`${oidc}/auth`, 'application/x-www-form-urlencoded; charset=UTF-8', new URLSearchParams(params).toString());
    expect(form.status).toBe(303);
    expect(await pendingLogins()).toBe(before + 1);
  });

  it('ends no session for a logout in JSON', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    await expectRefused(await post(`${oidc}/logout`, 'application/json', JSON.stringify({ id_token_hint: tokens.id_token })));
    // Keycloak's non-browser logout, too, takes a form only.
    const byToken = JSON.stringify({ refresh_token: tokens.refresh_token, client_id: PUBLIC_CLIENT.clientId });
    await expectRefused(await post(`${oidc}/logout`, 'application/json', byToken));
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
  });

  it('completes no login for a mocked user chosen in JSON', async () => {
    const started = await fetch(authorizeUrl(server.baseUrl), { redirect: 'manual' });
    const page = new URL(started.headers.get('location')!);
    const tx = page.searchParams.get('tx')!;
    const cookie = cookiesFrom(started);
    const action = `${page.origin}${page.pathname}`;
    await expectRefused(await post(action, 'application/json', JSON.stringify({ tx, username: 'alice' }), { cookie }));
    // Still pending: the form completes it.
    const form = await post(action, 'application/x-www-form-urlencoded', new URLSearchParams({ tx, username: 'alice' }).toString(), {
      cookie,
    });
    expect(form.status).toBe(303);
    expect(new URL(form.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('refuses JSON at the logout confirmation and the broker endpoint too', async () => {
    for (const url of [`${oidc}/logout/confirm`, `${server.baseUrl}/realms/nemlogin/broker/nemlog-in/endpoint`])
      await expectRefused(await post(url, 'application/json', '{"SAMLResponse":"x","confirmation":"x"}'));
  });
});
