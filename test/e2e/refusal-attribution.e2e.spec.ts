import { decodeJwt } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { adminCall, adminToken, withAdminClients } from '../support/admin-api.js';
import { loginTokens, mockLoginCode, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * A refusal of a token request whose code, refresh token or subject token was genuine names the
 * session and the person it belonged to, as a reused refresh token's does: a leaked refresh token
 * tried by another client, or a code redeemed after its session ended, shows in that person's trail
 * (audit-trail.service.ts, `refused`), not as an anonymous row with only the presenter's client.
 */
describe('refused token requests name the session and user of a genuine grant', () => {
  let server: TestServer;
  let db: Database;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer({ patch: (raw) => withAdminClients(raw.realms[0]) });
    db = server.app.get<Database>(DATABASE);
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  /** The newest failed event of `type`. */
  const lastRefusal = async (type: string) => {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT type, error, client_id, user_id, session_id, ip_address FROM audit_events
        WHERE type = $1 AND outcome = 'failure' ORDER BY id DESC LIMIT 1`,
      [type],
    );
    return rows[0];
  };
  const login = async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid } = decodeJwt(tokens.access_token as string) as { sub: string; sid: string };
    return { tokens, sub, sid };
  };

  it('a refresh token presented by another client', async () => {
    const { tokens, sub, sid } = await login();
    const stolen = await postForm(
      `${oidc}/token`,
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string }),
      { authorization: basic('web', TEST_SECRETS.web) },
    );
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect(await lastRefusal('REFRESH_TOKEN_ERROR')).toEqual({
      type: 'REFRESH_TOKEN_ERROR',
      error: 'invalid_token',
      client_id: 'web',
      user_id: sub,
      session_id: sid,
      ip_address: '127.0.0.1',
    });
  });

  it('a refresh asking for a scope never granted, or naming a tenant its client has none of', async () => {
    const { tokens, sub, sid } = await login();
    expectOAuthError(
      await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string, { scope: 'system/*.read' }),
      400,
      'invalid_scope',
    );
    expect(await lastRefusal('REFRESH_TOKEN_ERROR')).toMatchObject({ error: 'invalid_scope', user_id: sub, session_id: sid });
    const withTenant = await postForm(
      `${oidc}/token`,
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: 'patient-app' }),
      { organisation_agb: TEST_TENANTS.allowed },
    );
    expect(withTenant.status).toBe(400);
    expect(await lastRefusal('REFRESH_TOKEN_ERROR')).toMatchObject({ user_id: sub, session_id: sid, client_id: 'patient-app' });
    // Refused before anything changed: the token is still good.
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
  });

  it('a code redeemed after an administrator ended its session', async () => {
    const { callback, redeem } = await mockLoginCode(server.baseUrl, 'nemlogin', 'alice', 'openid');
    const sid = callback.searchParams.get('session_state')!;
    const ended = await adminCall(
      server.baseUrl,
      'DELETE',
      `nemlogin/sessions/${sid}`,
      await adminToken(server.baseUrl, 'nemlogin', 'operator'),
    );
    expect(ended.status).toBe(204);
    const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM sessions WHERE id = $1', [sid]);

    const redeemed = await redeem();
    expectOAuthError(redeemed, 400, 'invalid_grant');
    expect(await lastRefusal('CODE_TO_TOKEN_ERROR')).toEqual({
      type: 'CODE_TO_TOKEN_ERROR',
      error: 'session_expired',
      client_id: 'patient-app',
      user_id: rows[0]!.user_id,
      session_id: sid,
      ip_address: '127.0.0.1',
    });
  });

  it('a token exchange refused for a live subject token', async () => {
    const { tokens, sub, sid } = await login();
    const refused = await postForm(
      `${oidc}/token`,
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: tokens.access_token as string,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'not-allowed',
      }),
      { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed },
    );
    expectOAuthError(refused, 400, 'invalid_target');
    expect(await lastRefusal('TOKEN_EXCHANGE_ERROR')).toEqual({
      type: 'TOKEN_EXCHANGE_ERROR',
      error: 'invalid_target',
      client_id: 'portal',
      user_id: sub,
      session_id: sid,
      ip_address: '127.0.0.1',
    });
  });
});
