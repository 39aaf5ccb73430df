import { decodeJwt } from 'jose';
import { loginTokens, portalDelegation, refresh } from '../support/login-flow.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

const SESSION_SECONDS = 60;
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * What a session's tokens may carry after the session: nothing past its end (access and ID tokens
 * included), the refresh token's scope kept when a refresh narrows (RFC 6749 §6), and the tenant rules
 * of the other grants on a refresh.
 */
describe('session tokens: lifetime, refresh scope and tenant', () => {
  const clock = new TestClock(new Date('2026-11-22T08:00:00Z'));
  let server: TestServer;
  let tokenUrl: string;

  beforeAll(async () => {
    // A session shorter than an access token (300 s in the test config).
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].sessionIdle = SESSION_SECONDS;
        raw.realms[0].sessionMax = SESSION_SECONDS;
      },
    });
    tokenUrl = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`;
  });
  afterAll(() => server.close());

  const login = () => loginTokens(server.baseUrl, 'nemlogin', 'alice');

  it('access and ID tokens never outlive the session, from the code or a refresh', async () => {
    const sessionEnd = epoch(clock.now()) + SESSION_SECONDS;
    const first = await login();
    expect(first.expires_in).toBe(SESSION_SECONDS);
    expect(decodeJwt(first.access_token).exp).toBe(sessionEnd);
    expect(decodeJwt(first.id_token).exp).toBe(sessionEnd);

    clock.advance(45);
    const second = await refresh(server.baseUrl, 'nemlogin', first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ expires_in: SESSION_SECONDS - 45, refresh_expires_in: SESSION_SECONDS - 45 });
    expect(decodeJwt(second.body.access_token as string).exp).toBe(sessionEnd);
    expect(decodeJwt(second.body.id_token as string).exp).toBe(sessionEnd);
  });

  it('narrowing the scope on refresh narrows the tokens issued now, not the refresh token (RFC 6749 §6)', async () => {
    const { refresh_token } = await login();
    const narrowed = await refresh(server.baseUrl, 'nemlogin', refresh_token, { scope: 'openid' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('openid');
    expect(decodeJwt(narrowed.body.access_token as string).scope).toBe('openid');
    expect(decodeJwt(narrowed.body.id_token as string)).not.toHaveProperty('name');
    expect(decodeJwt(narrowed.body.refresh_token as string).scope).toBe('openid profile patient/*.read');

    const widenedAgain = await refresh(server.baseUrl, 'nemlogin', narrowed.body.refresh_token as string, { scope: 'openid profile' });
    expect(widenedAgain.status).toBe(200);
    expect(widenedAgain.body.scope).toBe('openid profile');
    expect(decodeJwt(widenedAgain.body.id_token as string).name).toBe('Alice Andersen');
    const unchanged = await refresh(server.baseUrl, 'nemlogin', widenedAgain.body.refresh_token as string);
    expect(unchanged.body.scope).toBe('openid profile patient/*.read');
  });

  describe('tenant rules on refresh, as on the other grants', () => {
    const portal = basic('portal', TEST_SECRETS.portal);
    const delegated = async (): Promise<string> => {
      const patient = await login();
      const issued = await portalDelegation(server.baseUrl, 'nemlogin', patient.access_token);
      expect(issued.status).toBe(200);
      return issued.body.access_token as string;
    };
    const portalRefresh = (token: string, headers: Record<string, string> = {}) =>
      postForm(tokenUrl, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }), { authorization: portal, ...headers });

    it('a tenant-bound client names the tenant of its exchanged session; a refusal leaves the token good', async () => {
      const token = await delegated();
      expectOAuthError(await portalRefresh(token), 400, 'invalid_request');
      // Also one of the portal's tenants, but not the one the session acts for.
      expectOAuthError(await portalRefresh(token, { organisation_agb: TEST_TENANTS.other }), 400, 'invalid_request');
      expectOAuthError(await portalRefresh(token, { organisation_agb: TEST_TENANTS.forbidden }), 400, 'unauthorized_client');

      const refreshed = await portalRefresh(token, { organisation_agb: TEST_TENANTS.allowed });
      expect(refreshed.status).toBe(200);
      expect(decodeJwt(refreshed.body.access_token as string).organisation_agb).toBe(TEST_TENANTS.allowed);
    });

    it('a client without tenants names none', async () => {
      const { refresh_token } = await login();
      const named = await postForm(
        tokenUrl,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token, client_id: 'patient-app' }),
        { organisation_agb: TEST_TENANTS.allowed },
      );
      expectOAuthError(named, 400, 'unauthorized_client');
      expect((await refresh(server.baseUrl, 'nemlogin', refresh_token)).status).toBe(200);
    });
  });
});
