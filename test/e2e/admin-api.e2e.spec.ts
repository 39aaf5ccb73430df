import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { adminCall, adminToken, clientToken, withAdminClients } from '../support/admin-api.js';
import { ClientRegistry } from '../../src/clients/client.registry.js';
import { AuditTrail } from '../../src/audit/audit-trail.service.js';
import { RealmRegistry } from '../../src/realms/realm.registry.js';
import { ssoSessionIdOf } from '../../src/sessions/sso-session.service.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { AccessTokenIssuer } from '../../src/tokens/access-token.issuer.js';
import { CookieJar } from '../support/cookie-jar.js';
import { loginTokens, portalDelegation, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { meanwhileInSsoEnd } from '../support/sso-end-hook.js';
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

  /** A browser (cookie jar) logged in to patient-app by the mock IdP; `authorize` asks again from it. */
  const browserLogin = async () => {
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
    return authorize;
  };
  const db = () => server.app.get<Database>(DATABASE);
  /** The session a portal's token exchange (RFC 8693, refresh token requested) delegated from `parentSid`. */
  const delegatedSession = async (patient: Record<string, any>) => {
    const parentSid = decodeJwt(patient.access_token).sid as string;
    const issued = await portalDelegation(server.baseUrl, 'nemlogin', patient.access_token);
    expect(issued.status).toBe(200);
    const { rows } = await db().query<{ id: string }>('SELECT id FROM sessions WHERE parent_id = $1', [parentSid]);
    return { parentSid, childSid: rows[0]!.id, refreshToken: issued.body.access_token as string };
  };
  /** Tokens of patient-app from the browser's SSO session (prompt=none), its code redeemed with PKCE. */
  const silentTokens = async (authorize: Awaited<ReturnType<typeof browserLogin>>) => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const silent = await authorize({ prompt: 'none', scope: 'openid profile patient/*.read', code_challenge: challenge });
    const code = new URL(silent.headers.get('location')!).searchParams.get('code')!;
    const params = { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1/callback', client_id: 'patient-app' };
    const redeemed = await postForm(`${oidc}/token`, new URLSearchParams({ ...params, code_verifier: verifier }));
    expect(redeemed.status).toBe(200);
    return redeemed.body as Record<string, any>;
  };

  const portalRefresh = (token: string) =>
    postForm(`${oidc}/token`, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }), {
      authorization: basic('portal', TEST_SECRETS.portal),
      organisation_agb: TEST_TENANTS.allowed,
    });
  const queuedBackchannelLogout = async (sid: string) =>
    (await db().query('SELECT session_id FROM backchannel_logouts WHERE session_id = $1', [sid])).rows.length === 1;

  it('logging a user out everywhere ends their browser’s SSO session too: prompt=none gets no code', async () => {
    const authorize = await browserLogin();

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

  it('ending one session ends the browser’s SSO session it belongs to: prompt=none from that browser gets login_required', async () => {
    const authorize = await browserLogin();
    const [login] = await adminEvents({ type: 'LOGIN', max: '1' });
    const sid = login!.sessionId as string;

    expect((await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await operator())).status).toBe(204);
    const refused = new URL((await authorize({ prompt: 'none' })).headers.get('location')!);
    expect(refused.searchParams.get('error')).toBe('login_required');
    const [action] = await adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '2' }).then((events) =>
      events.filter((e) => e.details.resource_path === `sessions/${sid}`),
    );
    // Two client sessions: the login's, and the one prompt=none opened in the same SSO session.
    expect(action).toMatchObject({ userId: login!.userId, details: { operation_type: 'DELETE', sessions: '2', sso_sessions: '1' } });
  });

  it('ending a session ends the sessions delegated from it (token exchange) with their LOGOUT and back-channel logout', async () => {
    const patient = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { parentSid, childSid, refreshToken } = await delegatedSession(patient);

    expect((await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${parentSid}`, await operator())).status).toBe(204);
    expectOAuthError(await portalRefresh(refreshToken), 400, 'invalid_grant');
    const logouts = await adminEvents({ type: 'LOGOUT', max: '2' });
    expect(logouts.map((e) => [e.sessionId, e.clientId, e.details.by, e.details.actor]).sort()).toEqual(
      [
        [parentSid, 'patient-app', 'admin', 'operator'],
        [childSid, 'portal', 'admin', 'operator'],
      ].sort(),
    );
    expect(await queuedBackchannelLogout(childSid)).toBe(true);
  });

  it('ends the delegated sessions of a session opened before SSO, which has no SSO session to end them with', async () => {
    const patient = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { parentSid, childSid, refreshToken } = await delegatedSession(patient);
    await db().query('UPDATE sessions SET sso_session_id = NULL WHERE id = ANY($1)', [[parentSid, childSid]]);

    expect((await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${parentSid}`, await operator())).status).toBe(204);
    expectOAuthError(await portalRefresh(refreshToken), 400, 'invalid_grant');
    const logouts = await adminEvents({ type: 'LOGOUT', max: '2' });
    expect(logouts.map((e) => e.sessionId).sort()).toEqual([parentSid, childSid].sort());
    expect(await queuedBackchannelLogout(childSid)).toBe(true);
  });

  it('logging a user out everywhere ends their delegated sessions with a LOGOUT each', async () => {
    const patient = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { childSid } = await delegatedSession(patient);
    const sub = decodeJwt(patient.access_token).sub as string;

    expect((await adminCall(server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await operator())).status).toBe(204);
    const logouts = await adminEvents({ type: 'LOGOUT', client: 'portal', max: '1' });
    expect(logouts[0]).toMatchObject({ sessionId: childSid, details: { by: 'admin', actor: 'operator' } });
    expect(await queuedBackchannelLogout(childSid)).toBe(true);
  });

  it('ending a delegated session ends it alone: the patient’s browser and app keep their SSO session, only the portal is logged out', async () => {
    const authorize = await browserLogin();
    const patient = await silentTokens(authorize);
    const { parentSid, childSid, refreshToken } = await delegatedSession(patient);

    expect((await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${childSid}`, await operator())).status).toBe(204);
    expectOAuthError(await portalRefresh(refreshToken), 400, 'invalid_grant');
    expect((await refresh(server.baseUrl, 'nemlogin', patient.refresh_token)).status).toBe(200);
    expect(new URL((await authorize({ prompt: 'none' })).headers.get('location')!).searchParams.has('code')).toBe(true);
    // The delegated session carries the SSO session's id too: of all of them, it alone has a LOGOUT.
    const { rows } = await db().query<{ session_id: string }>(
      `SELECT a.session_id FROM audit_events a JOIN sessions s ON s.id = a.session_id
        WHERE a.type = 'LOGOUT' AND s.sso_session_id = (SELECT sso_session_id FROM sessions WHERE id = $1)`,
      [parentSid],
    );
    expect(rows).toEqual([{ session_id: childSid }]);
    const [action] = (await adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '1' })).filter(
      (e) => e.details.resource_path === `sessions/${childSid}`,
    );
    expect(action).toMatchObject({ details: { sessions: '1', sso_sessions: '0' } });
  });

  it('an SSO session’s end records a LOGOUT for exactly the client sessions it ended, whatever ended or opened since they were read', async () => {
    await browserLogin();
    const [login] = await adminEvents({ type: 'LOGIN', max: '1' });
    const sid = login!.sessionId as string;
    const sso = ssoSessionIdOf(sid)!;
    const [other] = (await db().query<{ id: string }>('SELECT id FROM sessions WHERE sso_session_id = $1 AND id <> $2', [sso, sid])).rows;
    const late = `${sso}.opened-meanwhile`;
    const spy = meanwhileInSsoEnd(server.app, async (tx, now) => {
      // Another request revokes one client session (with its LOGOUT) and opens one, both committed before the end.
      await server.app.get(SessionRepository).end(other!.id, 'refresh token revoked', now, tx);
      await server.app.get(AuditTrail).sessionEnded(other!.id, { by: 'user', ipAddress: '127.0.0.1' }, tx);
      await server.app.get(SessionRepository).create({ ...(await server.app.get(SessionRepository).find(sid, tx))!, id: late }, tx);
    });

    expect((await adminCall(server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await operator())).status).toBe(204);
    spy.mockRestore();
    const { rows } = await db().query<{ session_id: string; n: number }>(
      "SELECT session_id, count(*)::int AS n FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1) GROUP BY session_id ORDER BY session_id",
      [[sid, other!.id, late]],
    );
    expect(rows).toEqual([sid, other!.id, late].sort().map((session_id) => ({ session_id, n: 1 })));
  });

  it('refuses a token issued for another audience, as RFC 9068 §4 has a resource server do', async () => {
    const realm = server.app.get(RealmRegistry).get('nemlogin');
    const auditor = server.app.get(ClientRegistry).find('nemlogin', 'auditor')!;
    // What an auditor client configured with `audience: [xis]` got before config.schema.ts refused it.
    const issue = (audience: string[]) =>
      server.app
        .get(AccessTokenIssuer)
        .issue({ realm, client: auditor, subject: 'auditor', userType: 'SYSTEM', scopes: [], roles: ['view-events'], audience });
    const forXis = (await issue(['xis'])).token;
    expect(await adminCall(server.baseUrl, 'GET', 'nemlogin/events', forXis)).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
    expect((await adminCall(server.baseUrl, 'GET', 'nemlogin/events', (await issue(['xis', realm.issuer])).token)).status).toBe(200);
  });

  it('records a refused call as a failed ADMIN_ACTION: 403 without the role, 404 for no such session', async () => {
    const auditor = await adminToken(server.baseUrl, 'nemlogin', 'auditor');
    expect((await adminCall(server.baseUrl, 'DELETE', 'nemlogin/sessions/someone-else', auditor)).status).toBe(403);
    expect((await adminCall(server.baseUrl, 'DELETE', 'nemlogin/sessions/no-such-session', await operator())).status).toBe(404);
    const [notFound, forbidden] = await adminEvents({ type: 'ADMIN_ACTION', max: '3' }).then((events) =>
      events.filter((e) => e.error !== undefined),
    );
    expect(forbidden).toMatchObject({
      clientId: 'auditor',
      error: 'insufficient_scope',
      details: { operation_type: 'DELETE', resource_path: 'sessions/someone-else' },
    });
    expect(notFound).toMatchObject({
      clientId: 'operator',
      error: 'not_found',
      details: { operation_type: 'DELETE', resource_path: 'sessions/no-such-session' },
    });
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
