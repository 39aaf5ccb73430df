import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Clock } from '../../src/common/clock.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { adminCall, adminToken, withAdminClients } from './admin-api.js';
import { CookieJar } from './cookie-jar.js';
import { portalDelegation } from './login-flow.js';
import { pickMockUserIn } from './mock-login.js';
import { TEST_SECRETS, TEST_TENANTS } from './test-config.js';
import { startTestServer, type TestServer } from './test-server.js';
import { basic, postForm, type RawResponse } from './token-requests.js';

/** The S256 challenge of a fixed test verifier (the code is never redeemed here). */
const CHALLENGE = 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM';

/** patient-app's authorization request from a logged-in browser, with `extra` parameters. */
export type Authorize = (extra?: Record<string, string>) => Promise<Response>;

/** The test server of the admin API specs (the demo realm with the admin clients), and the steps they take. */
export interface AdminApiServer {
  server: TestServer;
  /** nemlogin's OpenID Connect endpoints. */
  oidc: string;
  /** An access token of the operator client (every admin role). */
  operator(): Promise<string>;
  introspect(token: string): Promise<any>;
  /** The realm's audit events the admin API lists for `query`. */
  adminEvents(query: Record<string, string>): Promise<Record<string, any>[]>;
  /** A browser (cookie jar) logged in to patient-app by the mock IdP; `authorize` asks again from it. */
  browserLogin(): Promise<Authorize>;
  db(): Database;
  /** The session a portal's token exchange (RFC 8693, refresh token requested) delegated from `parentSid`. */
  delegatedSession(patient: Record<string, any>): Promise<{ parentSid: string; childSid: string; refreshToken: string }>;
  /** Tokens of patient-app from the browser's SSO session (prompt=none), its code redeemed with PKCE. */
  silentTokens(authorize: Authorize): Promise<Record<string, any>>;
  portalRefresh(token: string): Promise<RawResponse>;
  queuedBackchannelLogout(sid: string): Promise<boolean>;
}

/**
 * The admin API server of the calling `describe` (embedded PGlite, whose one connection the service
 * holds): started before its specs, closed after them; on `clock` when given.
 */
export function adminApiServerForSuite(clock?: Clock): AdminApiServer {
  const h = {} as AdminApiServer;
  beforeAll(async () => {
    h.server = await startTestServer({ patch: (raw) => withAdminClients(raw.realms[0]), overrides: clock && { clock } });
    h.oidc = `${h.server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => h.server?.close());

  h.operator = () => adminToken(h.server.baseUrl, 'nemlogin', 'operator');
  h.introspect = async (token) =>
    (await postForm(`${h.oidc}/token/introspect`, new URLSearchParams({ token }), { authorization: basic('system', TEST_SECRETS.system) }))
      .body;
  h.adminEvents = async (query) =>
    (await adminCall(h.server.baseUrl, 'GET', `nemlogin/events?${new URLSearchParams(query)}`, await h.operator())).body;
  h.browserLogin = async () => {
    const browser = new CookieJar();
    const authorize: Authorize = (extra = {}) => {
      const url = new URL(`${h.oidc}/auth`);
      const params = { client_id: 'patient-app', redirect_uri: 'http://127.0.0.1/callback', response_type: 'code', scope: 'openid' };
      for (const [name, value] of Object.entries({ ...params, code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra }))
        url.searchParams.set(name, value);
      return browser.fetch(url.href);
    };
    const toMock = await authorize();
    const callback = await pickMockUserIn(browser, new URL(toMock.headers.get('location')!), 'alice');
    expect(callback.searchParams.has('code')).toBe(true);
    const silent = new URL((await authorize({ prompt: 'none' })).headers.get('location')!);
    expect(silent.searchParams.has('code')).toBe(true);
    return authorize;
  };
  h.db = () => h.server.app.get<Database>(DATABASE);
  h.delegatedSession = async (patient) => {
    const parentSid = decodeJwt(patient.access_token).sid as string;
    const issued = await portalDelegation(h.server.baseUrl, 'nemlogin', patient.access_token);
    expect(issued.status).toBe(200);
    const { rows } = await h.db().query<{ id: string }>('SELECT id FROM sessions WHERE parent_id = $1', [parentSid]);
    return { parentSid, childSid: rows[0]!.id, refreshToken: issued.body.access_token as string };
  };
  h.silentTokens = async (authorize) => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const silent = await authorize({ prompt: 'none', scope: 'openid profile patient/*.read', code_challenge: challenge });
    const code = new URL(silent.headers.get('location')!).searchParams.get('code')!;
    const params = { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1/callback', client_id: 'patient-app' };
    const redeemed = await postForm(`${h.oidc}/token`, new URLSearchParams({ ...params, code_verifier: verifier }));
    expect(redeemed.status).toBe(200);
    return redeemed.body as Record<string, any>;
  };
  h.portalRefresh = (token) =>
    postForm(`${h.oidc}/token`, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }), {
      authorization: basic('portal', TEST_SECRETS.portal),
      organisation_agb: TEST_TENANTS.allowed,
    });
  h.queuedBackchannelLogout = async (sid) =>
    (await h.db().query('SELECT session_id FROM backchannel_logouts WHERE session_id = $1', [sid])).rows.length === 1;
  return h;
}
