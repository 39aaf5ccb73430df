import * as oidc from 'openid-client';
import type { CookieJar } from './cookie-jar.js';
import { PUBLIC_CLIENT } from './login-flow.js';
import { pickMockUserIn } from './mock-login.js';
import { TestClock } from './test-clock.js';
import { TEST_SECRETS } from './test-config.js';
import { startTestServer, type TestServer } from './test-server.js';
import { postForm, type RawResponse } from './token-requests.js';

export const APP = PUBLIC_CLIENT;
export const WEB = { clientId: 'web', redirectUri: 'http://127.0.0.1/web/callback' };
export const BYE = 'http://127.0.0.1/bye';

type Authorization = { url: string; verifier: string; state: string };

/**
 * The test server of the single sign-on specs (sessionIdle 1800 s, sessionMax 36000 s, a second
 * citizen `bob`, patient-app may be sent to BYE after logout) on a test clock, its two clients as
 * openid-client sees them, and the steps of one browser (a cookie jar over plain HTTP).
 */
export interface SsoServer {
  clock: TestClock;
  server: TestServer;
  /** nemlogin's issuer. */
  issuer: string;
  /** patient-app (public) and web (confidential). */
  app: oidc.Configuration;
  web: oidc.Configuration;
  /** An authorization request of `client`, with what its answer must be checked against. */
  authorization(client: oidc.Configuration, redirectUri: string, extra?: Record<string, string>): Promise<Authorization>;
  /** The browser at the authorization endpoint: where it is sent next. */
  authorize(browser: CookieJar, url: string): Promise<URL>;
  /** Picks a mocked user on the mock login page the browser was sent to; returns the client's callback URL. */
  pickMockUser(browser: CookieJar, mockPage: URL, username: string): Promise<URL>;
  isMockPage(url: URL): boolean;
  /** A full login at the (mock) IdP in this browser, redeemed by `client`. */
  loginAtIdp(
    browser: CookieJar,
    client: oidc.Configuration,
    redirectUri: string,
    username?: string,
  ): ReturnType<typeof oidc.authorizationCodeGrant>;
  redeem(
    client: oidc.Configuration,
    callback: URL,
    request: { verifier: string; state: string },
  ): ReturnType<typeof oidc.authorizationCodeGrant>;
  /** A refresh token grant of `clientId` (with its secret, for a confidential client). */
  refreshOf(clientId: string, refreshToken: string, secret?: string): Promise<RawResponse>;
}

/** The single sign-on server of the calling `describe`: started before its specs, closed after them. */
export function ssoServerForSuite(): SsoServer {
  const h = { clock: new TestClock(new Date('2030-03-01T08:00:00Z')) } as SsoServer;
  beforeAll(async () => {
    h.server = await startTestServer({
      overrides: { clock: h.clock },
      patch: (raw) => {
        raw.realms[0].sessionIdle = 1800;
        raw.realms[0].sessionMax = 36000;
        raw.realms[0].mockUsers.push({ username: 'bob', kind: 'citizen', ssn: '0909099999' });
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [BYE];
      },
    });
    h.issuer = `${h.server.baseUrl}/realms/nemlogin`;
    const options = { execute: [oidc.allowInsecureRequests] };
    h.app = await oidc.discovery(new URL(h.issuer), APP.clientId, undefined, oidc.None(), options);
    h.web = await oidc.discovery(new URL(h.issuer), WEB.clientId, undefined, oidc.ClientSecretBasic(TEST_SECRETS.web), options);
  });
  afterAll(() => h.server?.close());

  h.authorization = async (client, redirectUri, extra = {}) => {
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
  };
  h.authorize = async (browser, url) => {
    const response = await browser.fetch(url);
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!);
  };
  h.pickMockUser = pickMockUserIn;
  h.isMockPage = (url) => url.pathname.endsWith('/broker/mock/login');
  h.loginAtIdp = async (browser, client, redirectUri, username = 'alice') => {
    const request = await h.authorization(client, redirectUri);
    const next = await h.authorize(browser, request.url);
    expect(h.isMockPage(next)).toBe(true);
    const callback = await h.pickMockUser(browser, next, username);
    return h.redeem(client, callback, request);
  };
  h.redeem = (client, callback, request) =>
    oidc.authorizationCodeGrant(client, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
  h.refreshOf = (clientId, refreshToken, secret) =>
    postForm(
      `${h.issuer}/protocol/openid-connect/token`,
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: clientId,
        ...(secret ? { client_secret: secret } : {}),
      }),
    );
  return h;
}
