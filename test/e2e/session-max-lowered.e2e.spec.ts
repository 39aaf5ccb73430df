import { loginTokens, refresh } from '../support/login-flow.js';
import { restartedServerForSuite } from '../support/restarted-server.js';

/**
 * `sessionMax` is the hard cap of a session (README): a config that lowers it binds the sessions
 * opened before it too, from the next start (session-lifetimes-sweep.ts), as Keycloak's SSO Session
 * Max does; a session's end was fixed when it opened.
 */
describe('a start whose config lowered a realm’s sessionMax', () => {
  const suite = restartedServerForSuite();
  const lifetimes = async (table: 'sessions' | 'sso_sessions') =>
    (
      await suite.db.query<{ seconds: number }>(
        `SELECT extract(epoch FROM max_expires_at - created_at)::float8 AS seconds FROM ${table} WHERE realm = 'nemlogin' AND ended_at IS NULL`,
      )
    ).rows.map((row) => Math.round(row.seconds));

  it('caps the live sessions opened before it at the new sessionMax from their login, and says so in the log', async () => {
    await suite.start();
    const tokens = await loginTokens(suite.server.baseUrl, 'nemlogin', 'alice');
    expect(Math.max(...(await lifetimes('sso_sessions')))).toBeGreaterThan(600);

    await suite.start((raw) => Object.assign(raw.realms[0], { sessionMax: 600, sessionIdle: 300 }));
    expect(await lifetimes('sso_sessions')).toEqual([600]);
    for (const seconds of await lifetimes('sessions')) expect(seconds).toBeLessThanOrEqual(600);
    const refreshed = await refresh(suite.server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_expires_in).toBeLessThanOrEqual(600);
    expect(suite.server.logs.some((line) => line.includes('sessions shortened to the realm’s sessionMax'))).toBe(true);

    // Nothing left to shorten at the next start with the same config.
    await suite.start((raw) => Object.assign(raw.realms[0], { sessionMax: 600, sessionIdle: 300 }));
    expect(suite.server.logs.some((line) => line.includes('sessions shortened'))).toBe(false);
  });
});
