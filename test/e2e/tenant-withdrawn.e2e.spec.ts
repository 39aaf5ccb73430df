import { decodeJwt } from 'jose';
import { RealmRegistry } from '../../src/realms/realm.registry.js';
import { RefreshTokenMac } from '../../src/tokens/refresh-token-mac.js';
import { loginTokens, portalDelegation, portalRefresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TEST_TENANTS } from '../support/test-config.js';
import { restartedServerForSuite } from '../support/restarted-server.js';

/**
 * The portal opened a delegated session for one of its tenants (token exchange); then a config change
 * took that tenant away from it. Its refresh token no longer continues that session.
 */
describe('a delegated session whose tenant its client no longer has', () => {
  const suite = restartedServerForSuite();
  const start = (portalTenants?: string[]) =>
    suite.start((raw) => {
      if (portalTenants) raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'portal').tenants = portalTenants;
    });
  const refreshAsPortal = (refreshToken: string, organisationAgb: string | null = null) =>
    portalRefresh(suite.server.baseUrl, 'nemlogin', refreshToken, organisationAgb);
  /** The chain's current refresh token id of the session, to show a refusal changed nothing. */
  const currentJti = async (sid: string) =>
    (await suite.db.query<{ refresh_jti: string }>('SELECT refresh_jti FROM sessions WHERE id = $1', [sid])).rows[0]!.refresh_jti;

  /** A delegated session of the portal for TEST_TENANTS.allowed: its refresh token and session id. */
  const delegatedSession = async () => {
    await start();
    const patient = await loginTokens(suite.server.baseUrl, 'nemlogin', 'alice');
    const delegated = await portalDelegation(suite.server.baseUrl, 'nemlogin', patient.access_token);
    expect(delegated.status).toBe(200);
    const refreshToken = delegated.body.access_token as string;
    return { refreshToken, sid: decodeJwt(refreshToken).sid as string };
  };

  it('names its tenant in the refresh token, as its access tokens do', async () => {
    const { refreshToken } = await delegatedSession();
    expect(decodeJwt(refreshToken).organisation_agb).toBe(TEST_TENANTS.allowed);
  });

  it('is refused once the portal has no tenants at all, and the refused token stays the current one', async () => {
    const { refreshToken, sid } = await delegatedSession();
    const before = await currentJti(sid);
    await start([]);
    expectOAuthError(await refreshAsPortal(refreshToken), 400, 'unauthorized_client');
    expect(await currentJti(sid)).toBe(before);
  });

  it('is refused too for a refresh token issued before refresh tokens named their tenant, and no token names the tenant in the answer', async () => {
    const { refreshToken } = await delegatedSession();
    // The same token as an earlier version issued it: the same claims, but for the tenant.
    const { organisation_agb: _tenant, ...claims } = decodeJwt(refreshToken);
    const older = suite.server.app.get(RefreshTokenMac).sign(suite.server.app.get(RealmRegistry).get('nemlogin'), claims);
    await start([]);
    const refused = await refreshAsPortal(older);
    expectOAuthError(refused, 400, 'unauthorized_client');
    expect(refused.body).not.toHaveProperty('access_token');
  });

  it('is refused once the portal keeps only another tenant', async () => {
    const { refreshToken, sid } = await delegatedSession();
    const before = await currentJti(sid);
    await start([TEST_TENANTS.other]);
    expectOAuthError(await refreshAsPortal(refreshToken, TEST_TENANTS.allowed), 400, 'unauthorized_client');
    expect(await currentJti(sid)).toBe(before);
  });

  it('continues when the tenant is given back', async () => {
    const { refreshToken } = await delegatedSession();
    await start([]);
    expectOAuthError(await refreshAsPortal(refreshToken), 400, 'unauthorized_client');
    await start([TEST_TENANTS.allowed]);
    const refreshed = await refreshAsPortal(refreshToken, TEST_TENANTS.allowed);
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token as string).organisation_agb).toBe(TEST_TENANTS.allowed);
  });
});
