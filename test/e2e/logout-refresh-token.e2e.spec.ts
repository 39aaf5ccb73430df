import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
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
});
