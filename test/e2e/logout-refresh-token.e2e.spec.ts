import { decodeJwt } from 'jose';
import { openDatabase } from '../../src/storage/database.factory.js';
import { DATABASE, DatabaseUnavailableError, type Database } from '../../src/storage/database.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { eventuallyRefusalEvents, refusalEvents } from '../support/refusal-events.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * Keycloak's non-browser logout: a POST to the logout endpoint with the client's `refresh_token`
 * (and its client authentication; `client_id` for a public client), as keycloak-connect, Spring's
 * Keycloak logout handler and python-keycloak send it from an app's server. Keycloak ends the user
 * session and answers 204; a client written for it must not be told its session ended when it did not.
 */
describe('logout by refresh token (Keycloak non-browser logout)', () => {
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer();
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  const login = () => loginTokens(server.baseUrl, 'nemlogin', 'alice');
  const logout = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${oidc}/logout`, new URLSearchParams(params), headers);

  it('ends the session of the refresh token: 204, and the refresh token is dead', async () => {
    const tokens = await login();
    const response = await logout({ client_id: 'patient-app', refresh_token: tokens.refresh_token });
    expect(response.status).toBe(204);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');
  });

  it('refuses a refresh token it cannot verify, or presented by another client, and ends nothing', async () => {
    const tokens = await login();
    expectOAuthError(await logout({ client_id: 'patient-app', refresh_token: `${tokens.refresh_token}x` }), 400, 'invalid_grant');
    expectOAuthError(
      await logout({ refresh_token: tokens.refresh_token }, { authorization: basic('web', TEST_SECRETS.web) }),
      400,
      'invalid_grant',
    );
    expectOAuthError(await logout({ client_id: 'web', refresh_token: tokens.refresh_token }), 401, 'invalid_client');
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
  });

  // An API call on a browser route: an outage is the client's to retry, so it is JSON as every other
  // refusal here (python-keycloak parses the body), never the browser's error page.
  it('answers an unavailable database with a retryable RFC 6749 body, and the logout can be sent again', async () => {
    const tokens = await login();
    const db = server.app.get<Database>(DATABASE);
    const transaction = db.transaction.bind(db);
    db.transaction = (() => Promise.reject(new DatabaseUnavailableError('57P01', true))) as Database['transaction'];
    try {
      const refused = await fetch(`${oidc}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ client_id: 'patient-app', refresh_token: tokens.refresh_token }).toString(),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await refused.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    } finally {
      db.transaction = transaction;
    }
    expect((await logout({ client_id: 'patient-app', refresh_token: tokens.refresh_token })).status).toBe(204);
  });

  it('records each refusal as a LOGOUT_ERROR (Keycloak’s event), under the token endpoint’s reason codes, and never the token or a secret', async () => {
    const db = server.app.get<Database>(DATABASE);
    const logoutErrors = async () =>
      (
        await db.query<Record<string, unknown>>(
          `SELECT type, error, client_id, user_id, session_id, ip_address, details FROM audit_events
            WHERE type = 'LOGOUT_ERROR' ORDER BY id`,
        )
      ).rows;
    const before = (await logoutErrors()).length;
    const tokens = await login();
    const { sub, sid } = decodeJwt(tokens.access_token) as { sub: string; sid: string };

    expectOAuthError(await logout({ client_id: 'patient-app', refresh_token: `${tokens.refresh_token}x` }), 400, 'invalid_grant');
    expectOAuthError(
      await logout({ refresh_token: tokens.refresh_token }, { authorization: basic('web', TEST_SECRETS.web) }),
      400,
      'invalid_grant',
    );
    expectOAuthError(await logout({ client_id: 'web', refresh_token: tokens.refresh_token }), 401, 'invalid_client');
    expectOAuthError(
      await logout({ refresh_token: tokens.refresh_token }, { authorization: basic('nobody', TEST_SECRETS.web) }),
      401,
      'invalid_client',
    );
    expectOAuthError(await logout({ client_id: 'patient-app', refresh_token: '' }), 400, 'invalid_request');

    const recorded = (await logoutErrors()).slice(before);
    const anonymous = { user_id: null, session_id: null, ip_address: '127.0.0.1' };
    expect(recorded).toEqual([
      // A token that does not verify names no one; another client's is genuine, so its person's trail shows it.
      { type: 'LOGOUT_ERROR', error: 'invalid_token', client_id: 'patient-app', ...anonymous, details: {} },
      {
        type: 'LOGOUT_ERROR',
        error: 'invalid_token',
        client_id: 'web',
        user_id: sub,
        session_id: sid,
        ip_address: '127.0.0.1',
        details: {},
      },
      // A confidential client without its secret; an id nobody registered is not kept.
      {
        type: 'LOGOUT_ERROR',
        error: 'invalid_client_credentials',
        client_id: 'web',
        ...anonymous,
        details: { client_auth_method: 'none' },
      },
      {
        type: 'LOGOUT_ERROR',
        error: 'client_not_found',
        client_id: null,
        ...anonymous,
        details: { client_auth_method: 'client_secret_basic' },
      },
      { type: 'LOGOUT_ERROR', error: 'invalid_request', client_id: 'patient-app', ...anonymous, details: {} },
    ]);
    const everything = JSON.stringify((await db.query('SELECT * FROM audit_events')).rows);
    for (const secret of [tokens.refresh_token, tokens.refresh_token.split('.')[2]!, TEST_SECRETS.web, 'nobody'])
      expect(everything).not.toContain(secret);
    // Refused, none of it ended the session.
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
  });
});

/**
 * Anyone can send made-up refresh tokens to the logout endpoint in a public client's name, as to the
 * token endpoint: its refusals share an address's `limits.tokenRefusalAudit` with the token endpoint's,
 * that many one by one per window, the rest counted in the address's summary.
 */
describe('the audit trail of refused non-browser logouts, bounded with the token endpoint’s', () => {
  const clock = new TestClock();
  let db: Database;
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db, clock } });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const madeUpLogout = async () =>
    expectOAuthError(await postForm(`${oidc}/logout`, 'client_id=patient-app&refresh_token=e30.e30.AAAA'), 400, 'invalid_grant');

  it('answers 70 made-up refresh tokens, recording only what 10 wrong secrets at the token endpoint left of the share of 60', async () => {
    for (let i = 0; i < 10; i++) {
      expectOAuthError(
        await postForm(`${oidc}/token`, 'grant_type=client_credentials', { authorization: basic('system', 'wrong') }),
        401,
        'invalid_client',
      );
    }
    for (let i = 0; i < 70; i++) await madeUpLogout();
    expect(await refusalEvents(db, { type: 'CLIENT_LOGIN_ERROR' })).toHaveLength(10);
    const recorded = await refusalEvents(db, { type: 'LOGOUT_ERROR' });
    expect(recorded).toHaveLength(50);
    expect(recorded[0]).toMatchObject({ error: 'invalid_token', client_id: 'patient-app', ip_address: '127.0.0.1' });
  });

  it('still logs out a genuine refresh token from the flooding address', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const response = await postForm(
      `${oidc}/logout`,
      new URLSearchParams({ client_id: 'patient-app', refresh_token: tokens.refresh_token }),
    );
    expect(response.status).toBe(204);
  });

  it('counts the 20 not recorded in the address’s summary once the window has passed', async () => {
    clock.advance(60);
    await madeUpLogout();
    expect(await eventuallyRefusalEvents(db, { error: 'refusals_not_recorded' }, 1)).toEqual([
      {
        type: 'LOGOUT_ERROR',
        error: 'refusals_not_recorded',
        client_id: null,
        ip_address: '127.0.0.1',
        details: expect.objectContaining({ refusals: 20, types: ['LOGOUT_ERROR'], logout_error: 20, clients: ['patient-app'] }),
      },
    ]);
    // The refusal after the window opened the next one, with a share of its own.
    expect(await refusalEvents(db, { type: 'LOGOUT_ERROR', error: 'invalid_token' })).toHaveLength(51);
  });
});
