import { decodeJwt } from 'jose';
import { adminCall } from '../support/admin-api.js';
import { adminApiServerForSuite } from '../support/admin-api-server.js';
import { AuditTrail } from '../../src/audit/audit-trail.service.js';
import { ssoSessionIdOf } from '../../src/sessions/sso-session.service.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { meanwhileInSsoEnd } from '../support/sso-end-hook.js';

/**
 * The admin API's session and key actions over HTTP (issue 13): an administrator ends a user's
 * sessions, or one session, and with them the browser's SSO session. The sessions delegated from
 * them: admin-api-delegated-sessions.e2e.spec.ts; refused calls: admin-api-refusals.e2e.spec.ts;
 * the signing key's rotation: admin-api-keys.e2e.spec.ts.
 */
describe('admin API: sessions and keys', () => {
  const h = adminApiServerForSuite();

  it('lists a user’s live sessions, then ends them all: refresh tokens fail, introspection answers inactive', async () => {
    const first = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const second = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(first.access_token) as { sub: string };
    const sids = [second, first].map((t) => decodeJwt(t.access_token).sid);

    const listed = await adminCall(h.server.baseUrl, 'GET', `nemlogin/users/${sub}/sessions`, await h.operator());
    expect(listed.status).toBe(200);
    expect(listed.body.map((s: Record<string, unknown>) => s.id)).toEqual(expect.arrayContaining(sids));
    expect(listed.body[0]).toMatchObject({
      userId: sub,
      ipAddress: '127.0.0.1',
      start: expect.any(Number),
      lastAccess: expect.any(Number),
      clients: { 'patient-app': 'patient-app' },
    });

    const logout = await adminCall(h.server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await h.operator());
    expect(logout.status).toBe(204);
    for (const tokens of [first, second]) {
      expectOAuthError(await refresh(h.server.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');
      expect(await h.introspect(tokens.access_token)).toEqual({ active: false });
    }
    expect((await adminCall(h.server.baseUrl, 'GET', `nemlogin/users/${sub}/sessions`, await h.operator())).body).toEqual([]);

    const logouts = await h.adminEvents({ type: 'LOGOUT', user: sub, max: '2' });
    expect(logouts.map((e) => [e.sessionId, e.details.by, e.details.actor]).sort()).toEqual(
      sids.map((sid) => [sid, 'admin', 'operator']).sort(),
    );
    const actions = await h.adminEvents({ type: 'ADMIN_ACTION', user: sub });
    expect(actions.map((e) => e.details.resource_path)).toEqual([`users/${sub}/sessions`, `users/${sub}/logout`, `users/${sub}/sessions`]);
    expect(actions[1]).toMatchObject({
      clientId: 'operator',
      details: { operation_type: 'ACTION', resource_path: `users/${sub}/logout`, sessions: '2' },
    });
  });

  it('logging a user out everywhere ends their browser’s SSO session too: prompt=none gets no code', async () => {
    const authorize = await h.browserLogin();

    const sub = (await h.adminEvents({ type: 'LOGIN', max: '1' }))[0]!.userId as string;
    expect((await adminCall(h.server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await h.operator())).status).toBe(204);
    const refused = new URL((await authorize({ prompt: 'none' })).headers.get('location')!);
    expect(refused.searchParams.get('error')).toBe('login_required');
  });

  it('logging a user out everywhere records the end of an SSO session none of whose client sessions was live as its LOGOUT', async () => {
    const authorize = await h.browserLogin();
    const [login] = await h.adminEvents({ type: 'LOGIN', max: '1' });
    const sub = login!.userId as string;
    const sso = ssoSessionIdOf(login!.sessionId as string)!;
    // Its apps revoked their refresh tokens (each a LOGOUT): the browser still gets codes without the IdP.
    const repository = h.server.app.get(SessionRepository);
    for (const { id } of (await h.db().query<{ id: string }>('SELECT id FROM sessions WHERE sso_session_id = $1', [sso])).rows) {
      await repository.end(id, 'refresh token revoked', new Date());
    }

    expect((await adminCall(h.server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await h.operator())).status).toBe(204);
    expect(new URL((await authorize({ prompt: 'none' })).headers.get('location')!).searchParams.get('error')).toBe('login_required');
    const [logout] = await h.adminEvents({ type: 'LOGOUT', user: sub, max: '1' });
    expect(logout).toMatchObject({ sessionId: sso, details: { by: 'admin', actor: 'operator', sso_session: 'true' } });
    const [action] = await h.adminEvents({ type: 'ADMIN_ACTION', user: sub, max: '1' });
    expect(action).toMatchObject({ details: { resource_path: `users/${sub}/logout`, sessions: '0', sso_sessions: '1' } });
  });

  it('answers 404 for the sessions and the logout of a user the realm does not have, as Keycloak; [] and 204 for one with none live', async () => {
    const nobody = '5f0c7a1e-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `nemlogin/users/${nobody}/sessions`],
      ['POST', `nemlogin/users/${nobody}/logout`],
    ] as const) {
      expect(await adminCall(h.server.baseUrl, method, path, await h.operator())).toMatchObject({
        status: 404,
        body: { error: 'not_found', error_description: 'User not found.' },
      });
    }
    const refused = await h.adminEvents({ type: 'ADMIN_ACTION', user: nobody, max: '2' });
    expect(refused.map((e) => [e.error, (e.details as Record<string, string>).resource_path])).toEqual([
      ['not_found', `users/${nobody}/logout`],
      ['not_found', `users/${nobody}/sessions`],
    ]);

    const { access_token } = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(access_token) as { sub: string };
    expect((await adminCall(h.server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await h.operator())).status).toBe(204);
    expect(await adminCall(h.server.baseUrl, 'GET', `nemlogin/users/${sub}/sessions`, await h.operator())).toMatchObject({
      status: 200,
      body: [],
    });
    expect((await adminCall(h.server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await h.operator())).status).toBe(204);
  });

  it('ends one session; a second attempt, and a session of nobody, are 404', async () => {
    const kept = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const ended = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const sid = decodeJwt(ended.access_token).sid as string;

    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await h.operator())).status).toBe(204);
    expectOAuthError(await refresh(h.server.baseUrl, 'nemlogin', ended.refresh_token), 400, 'invalid_grant');
    expect((await refresh(h.server.baseUrl, 'nemlogin', kept.refresh_token)).status).toBe(200);
    for (const id of [sid, 'no-such-session']) {
      const again = await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${id}`, await h.operator());
      expect(again).toMatchObject({ status: 404, body: { error: 'not_found' } });
    }
    const malformed = await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${encodeURIComponent('a b')}`, await h.operator());
    expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('ending one session ends the browser’s SSO session it belongs to: prompt=none from that browser gets login_required', async () => {
    const authorize = await h.browserLogin();
    const [login] = await h.adminEvents({ type: 'LOGIN', max: '1' });
    const sid = login!.sessionId as string;

    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await h.operator())).status).toBe(204);
    const refused = new URL((await authorize({ prompt: 'none' })).headers.get('location')!);
    expect(refused.searchParams.get('error')).toBe('login_required');
    const [action] = await h
      .adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '2' })
      .then((events) => events.filter((e) => e.details.resource_path === `sessions/${sid}`));
    // Two client sessions: the login's, and the one prompt=none opened in the same SSO session.
    expect(action).toMatchObject({ userId: login!.userId, details: { operation_type: 'DELETE', sessions: '2', sso_sessions: '1' } });
  });

  it('an SSO session’s end records a LOGOUT for exactly the client sessions it ended, whatever ended or opened since they were read', async () => {
    await h.browserLogin();
    const [login] = await h.adminEvents({ type: 'LOGIN', max: '1' });
    const sid = login!.sessionId as string;
    const sso = ssoSessionIdOf(sid)!;
    const [other] = (await h.db().query<{ id: string }>('SELECT id FROM sessions WHERE sso_session_id = $1 AND id <> $2', [sso, sid])).rows;
    const late = `${sso}.opened-meanwhile`;
    const spy = meanwhileInSsoEnd(h.server.app, async (tx, now) => {
      // Another request revokes one client session (with its LOGOUT) and opens one, both committed before the end.
      await h.server.app.get(SessionRepository).end(other!.id, 'refresh token revoked', now, tx);
      await h.server.app.get(AuditTrail).sessionEnded(other!.id, { by: 'user', ipAddress: '127.0.0.1' }, tx);
      await h.server.app.get(SessionRepository).create({ ...(await h.server.app.get(SessionRepository).find(sid, tx))!, id: late }, tx);
    });

    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await h.operator())).status).toBe(204);
    spy.mockRestore();
    const { rows } = await h
      .db()
      .query<{ session_id: string; n: number }>(
        "SELECT session_id, count(*)::int AS n FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1) GROUP BY session_id ORDER BY session_id",
        [[sid, other!.id, late]],
      );
    expect(rows).toEqual([sid, other!.id, late].sort().map((session_id) => ({ session_id, n: 1 })));
  });
});
