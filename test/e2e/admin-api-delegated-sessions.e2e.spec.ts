import { decodeJwt } from 'jose';
import { adminCall } from '../support/admin-api.js';
import { adminApiServerForSuite } from '../support/admin-api-server.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';

/**
 * The admin API (admin-api.e2e.spec.ts) ending the sessions a portal's token exchange delegated
 * from a user's: with the session or user they were delegated from, or alone.
 */
describe('admin API: sessions and keys', () => {
  const h = adminApiServerForSuite();

  it('ending a session ends the sessions delegated from it (token exchange) with their LOGOUT and back-channel logout', async () => {
    const patient = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { parentSid, childSid, refreshToken } = await h.delegatedSession(patient);

    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${parentSid}`, await h.operator())).status).toBe(204);
    expectOAuthError(await h.portalRefresh(refreshToken), 400, 'invalid_grant');
    const logouts = await h.adminEvents({ type: 'LOGOUT', max: '2' });
    expect(logouts.map((e) => [e.sessionId, e.clientId, e.details.by, e.details.actor]).sort()).toEqual(
      [
        [parentSid, 'patient-app', 'admin', 'operator'],
        [childSid, 'portal', 'admin', 'operator'],
      ].sort(),
    );
    expect(await h.queuedBackchannelLogout(childSid)).toBe(true);
  });

  it('ends the delegated sessions of a session opened before SSO, which has no SSO session to end them with', async () => {
    const patient = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { parentSid, childSid, refreshToken } = await h.delegatedSession(patient);
    await h.db().query('UPDATE sessions SET sso_session_id = NULL WHERE id = ANY($1)', [[parentSid, childSid]]);

    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${parentSid}`, await h.operator())).status).toBe(204);
    expectOAuthError(await h.portalRefresh(refreshToken), 400, 'invalid_grant');
    const logouts = await h.adminEvents({ type: 'LOGOUT', max: '2' });
    expect(logouts.map((e) => e.sessionId).sort()).toEqual([parentSid, childSid].sort());
    expect(await h.queuedBackchannelLogout(childSid)).toBe(true);
  });

  it('logging a user out everywhere ends their delegated sessions with a LOGOUT each', async () => {
    const patient = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { childSid } = await h.delegatedSession(patient);
    const sub = decodeJwt(patient.access_token).sub as string;

    expect((await adminCall(h.server.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await h.operator())).status).toBe(204);
    const logouts = await h.adminEvents({ type: 'LOGOUT', client: 'portal', max: '1' });
    expect(logouts[0]).toMatchObject({ sessionId: childSid, details: { by: 'admin', actor: 'operator' } });
    expect(await h.queuedBackchannelLogout(childSid)).toBe(true);
  });

  it('ending a delegated session ends it alone: the patient’s browser and app keep their SSO session, only the portal is logged out', async () => {
    const authorize = await h.browserLogin();
    const patient = await h.silentTokens(authorize);
    const { parentSid, childSid, refreshToken } = await h.delegatedSession(patient);

    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${childSid}`, await h.operator())).status).toBe(204);
    expectOAuthError(await h.portalRefresh(refreshToken), 400, 'invalid_grant');
    expect((await refresh(h.server.baseUrl, 'nemlogin', patient.refresh_token)).status).toBe(200);
    expect(new URL((await authorize({ prompt: 'none' })).headers.get('location')!).searchParams.has('code')).toBe(true);
    // The delegated session carries the SSO session's id too: of all of them, it alone has a LOGOUT.
    const { rows } = await h.db().query<{ session_id: string }>(
      `SELECT a.session_id FROM audit_events a JOIN sessions s ON s.id = a.session_id
        WHERE a.type = 'LOGOUT' AND s.sso_session_id = (SELECT sso_session_id FROM sessions WHERE id = $1)`,
      [parentSid],
    );
    expect(rows).toEqual([{ session_id: childSid }]);
    const [action] = (await h.adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '1' })).filter(
      (e) => e.details.resource_path === `sessions/${childSid}`,
    );
    expect(action).toMatchObject({ details: { sessions: '1', sso_sessions: '0' } });
  });
});
