import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { adminCall, adminToken, clientToken, withAdminClients } from '../support/admin-api.js';
import { CookieJar } from '../support/cookie-jar.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/** The S256 challenge of a fixed test verifier (the code is never redeemed here). */
const CHALLENGE = 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM';

/**
 * The admin API's session and key actions over HTTP (issue 13): an administrator ends a user's
 * sessions, or one session, and rotates the realm's signing key while the service runs (embedded
 * PGlite, whose one connection the service holds).
 */
describe('admin API: sessions and keys', () => {
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer({ patch: (raw) => withAdminClients(raw.realms[0]) });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  const operator = () => adminToken(server.baseUrl, 'nemlogin', 'operator');
  const introspect = async (token: string) =>
    (await postForm(`${oidc}/token/introspect`, new URLSearchParams({ token }), { authorization: basic('system', TEST_SECRETS.system) }))
      .body;
  const adminEvents = async (query: Record<string, string>) =>
    (await adminCall(server.baseUrl, 'GET', `nemlogin/events?${new URLSearchParams(query)}`, await operator())).body as Record<
      string,
      any
    >[];

  it('lists a user’s live sessions, then ends them all: refresh tokens fail, introspection answers inactive', async () => {
    const first = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const second = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(first.access_token) as { sub: string };
    const sids = [second, first].map((t) => decodeJwt(t.access_token).sid);

    const listed = await adminCall(server.baseUrl, 'GET', `nemlogin/users/${sub}/sessions`, await operator());
    expect(listed.status).toBe(200);
    expect(listed.body.map((s: Record<string, unknown>) => s.id)).toEqual(expect.arrayContaining(sids));
    expect(listed.body[0]).toMatchObject({
      userId: sub,
      ipAddress: '127.0.0.1',
      start: expect.any(Number),
      lastAccess: expect.any(Number),
      clients: { 'patient-app': 'patient-app' },
    });

    const logout = await adminCall(server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await operator());
    expect(logout.status).toBe(204);
    for (const tokens of [first, second]) {
      expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
    }
    expect((await adminCall(server.baseUrl, 'GET', `nemlogin/users/${sub}/sessions`, await operator())).body).toEqual([]);

    const logouts = await adminEvents({ type: 'LOGOUT', user: sub, max: '2' });
    expect(logouts.map((e) => [e.sessionId, e.details.by, e.details.actor]).sort()).toEqual(
      sids.map((sid) => [sid, 'admin', 'operator']).sort(),
    );
    const actions = await adminEvents({ type: 'ADMIN_ACTION', user: sub });
    expect(actions.map((e) => e.details.resource_path)).toEqual([`users/${sub}/sessions`, `users/${sub}/logout`, `users/${sub}/sessions`]);
    expect(actions[1]).toMatchObject({
      clientId: 'operator',
      details: { operation_type: 'ACTION', resource_path: `users/${sub}/logout`, sessions: '2' },
    });
  });

  it('logging a user out everywhere ends their browser’s SSO session too: prompt=none gets no code', async () => {
    const browser = new CookieJar();
    const authorize = (extra: Record<string, string> = {}) => {
      const url = new URL(`${oidc}/auth`);
      const params = { client_id: 'patient-app', redirect_uri: 'http://127.0.0.1/callback', response_type: 'code', scope: 'openid' };
      for (const [name, value] of Object.entries({ ...params, code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra }))
        url.searchParams.set(name, value);
      return browser.fetch(url.href);
    };
    const toMock = await authorize();
    const page = await (await browser.fetch(toMock.headers.get('location')!)).text();
    const tx = /name="tx" value="([^"]+)"/.exec(page)![1]!;
    const action = /<form method="post" action="([^"]+)"/.exec(page)![1]!;
    const body = new URLSearchParams({ tx, username: 'alice' }).toString();
    const loggedIn = await browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(new URL(loggedIn.headers.get('location')!).searchParams.has('code')).toBe(true);
    const silent = new URL((await authorize({ prompt: 'none' })).headers.get('location')!);
    expect(silent.searchParams.has('code')).toBe(true);

    const sub = (await adminEvents({ type: 'LOGIN', max: '1' }))[0]!.userId as string;
    expect((await adminCall(server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await operator())).status).toBe(204);
    const refused = new URL((await authorize({ prompt: 'none' })).headers.get('location')!);
    expect(refused.searchParams.get('error')).toBe('login_required');
  });

  it('ends one session; a second attempt, and a session of nobody, are 404', async () => {
    const kept = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const ended = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const sid = decodeJwt(ended.access_token).sid as string;

    expect((await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await operator())).status).toBe(204);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', ended.refresh_token), 400, 'invalid_grant');
    expect((await refresh(server.baseUrl, 'nemlogin', kept.refresh_token)).status).toBe(200);
    for (const id of [sid, 'no-such-session']) {
      const again = await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${id}`, await operator());
      expect(again).toMatchObject({ status: 404, body: { error: 'not_found' } });
    }
    const malformed = await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${encodeURIComponent('a b')}`, await operator());
    expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('refuses session actions to a client without manage-users, and changes nothing', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid } = decodeJwt(tokens.access_token) as { sub: string; sid: string };
    const auditor = await adminToken(server.baseUrl, 'nemlogin', 'auditor');
    for (const [method, path] of [
      ['POST', `nemlogin/users/${sub}/logout`],
      ['DELETE', `nemlogin/sessions/${sid}`],
      ['GET', `nemlogin/users/${sub}/sessions`],
      ['POST', 'nemlogin/keys/rotate'],
    ] as const) {
      expect(await adminCall(server.baseUrl, method, path, auditor)).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
      expect((await adminCall(server.baseUrl, method, path)).status).toBe(401);
    }
    expect((await introspect(tokens.access_token)).active).toBe(true);
  });

  it('rotates the signing key while running: new tokens carry the new kid, old ones still verify', async () => {
    const before = await clientToken(server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    const oldKid = decodeProtectedHeader(before).kid;
    const listed = await adminCall(server.baseUrl, 'GET', 'nemlogin/keys', await operator());
    expect(listed.body).toMatchObject({ active: { ES256: oldKid } });
    expect(listed.body.keys[0]).toMatchObject({ kid: oldKid, status: 'ACTIVE', type: 'EC', algorithm: 'ES256', use: 'SIG' });

    const rotated = await adminCall(server.baseUrl, 'POST', 'nemlogin/keys/rotate', await operator());
    expect(rotated).toMatchObject({ status: 200, body: { kid: expect.any(String), algorithm: 'ES256' } });
    const newKid = rotated.body.kid as string;
    expect(newKid).not.toBe(oldKid);

    const after = await clientToken(server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    const jwks = createRemoteJWKSet(new URL(`${oidc}/certs`));
    await expect(jwtVerify(before, jwks)).resolves.toBeDefined();
    await expect(jwtVerify(after, jwks)).resolves.toBeDefined();
    const keys = await adminCall(server.baseUrl, 'GET', 'nemlogin/keys', await operator());
    expect(keys.body.active).toEqual({ ES256: newKid });
    expect(keys.body.keys.map((k: Record<string, unknown>) => [k.kid, k.status])).toEqual([
      [newKid, 'ACTIVE'],
      [oldKid, 'PASSIVE'],
    ]);
    const [action] = await adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '3' }).then((events) =>
      events.filter((e) => e.details.resource_path === 'keys/rotate'),
    );
    expect(action).toMatchObject({ details: { operation_type: 'ACTION', kid: newKid } });
  });
});
