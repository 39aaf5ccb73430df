import { decodeJwt } from 'jose';
import { loginTokens } from '../support/login-flow.js';
import { expectOAuthErrorResponse } from '../support/oauth-error.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The account endpoint keycloak-js's `loadUserProfile()` reads (Keycloak's UserRepresentation, in
 * part): the person's id, their names only to a token with `profile`, never a national identifier.
 * keycloak-js itself reads it in keycloak-js.e2e.spec.ts.
 */
describe('the account endpoint (keycloak-js loadUserProfile)', () => {
  let server: TestServer;
  let account: string;

  beforeAll(async () => {
    server = await startTestServer();
    account = `${server.baseUrl}/realms/nemlogin/account`;
  });
  afterAll(() => server.close());

  const profileWith = (token: string) => fetch(account, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  it('gives the id (the tokens’ sub), and firstName and lastName with the profile scope', async () => {
    const withProfile = await loginTokens(server.baseUrl, 'nemlogin', 'alice', 'openid profile');
    const response = await profileWith(withProfile.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const profile = await response.json();
    expect(profile).toEqual({ id: decodeJwt(withProfile.access_token).sub, firstName: 'Alice', lastName: 'Andersen' });
    expect(JSON.stringify(profile)).not.toContain('0101011234');

    const openidOnly = await loginTokens(server.baseUrl, 'nemlogin', 'alice', 'openid');
    expect(await (await profileWith(openidOnly.access_token)).json()).toEqual({ id: decodeJwt(openidOnly.access_token).sub });
  });

  it('refuses a refresh token, a dead token and no token, as UserInfo does (RFC 6750 §3.1)', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    await expectOAuthErrorResponse(await profileWith(tokens.refresh_token), 401, 'invalid_token');
    await expectOAuthErrorResponse(await profileWith('not.a.token'), 401, 'invalid_token');
    const anonymous = await fetch(account);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin"');
    await expectOAuthErrorResponse(anonymous, 401, 'invalid_token');
  });

  it('shows a person whom keycloak-js’s accountManagement() sent there the not-found page: there is no account console', async () => {
    const navigation = await fetch(`${account}?referrer=patient-app`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(navigation.status).toBe(404);
    expect(navigation.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await navigation.text()).toContain('This page does not exist');
    expect(navigation.headers.get('www-authenticate')).toBeNull();
    // A token sent with an HTML Accept is still an API call: its refusal stays the bearer error.
    const withToken = await fetch(account, { headers: { accept: 'text/html', authorization: 'Bearer not.a.token' } });
    await expectOAuthErrorResponse(withToken, 401, 'invalid_token');
  });
});
