import { decodeJwt } from 'jose';
import { loginTokens } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { rawExchange } from '../support/raw-exchange.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * UserInfo by POST (OIDC Core §5.3.1) and the two ways RFC 6750 §2 lets its bearer token travel.
 * The GET path and its claims by scope are in sessions.e2e.spec.ts.
 */
describe('UserInfo', () => {
  let server: TestServer;
  let userinfo: string;

  beforeAll(async () => {
    server = await startTestServer();
    userinfo = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/userinfo`;
  });
  afterAll(() => server.close());

  const login = (scope?: string) => loginTokens(server.baseUrl, 'nemlogin', 'alice', scope);

  it('answers a POST with the token in the header with 200 and the same claims as a GET', async () => {
    const { access_token } = await login();
    const byGet = await fetch(userinfo, { headers: { authorization: `Bearer ${access_token}` } });
    const byPost = await fetch(userinfo, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
    expect([byGet.status, byPost.status]).toEqual([200, 200]);
    // Claims about a person: never kept in a browser's cache (RFC 9111 §5.2.2.5).
    expect([byGet.headers.get('cache-control'), byPost.headers.get('cache-control')]).toEqual(['no-store', 'no-store']);
    const claims = await byPost.json();
    expect(claims).toEqual(await byGet.json());
    expect(claims).toMatchObject({ sub: decodeJwt(access_token).sub, patient: 'demo-patient-nancy' });
  });

  it('takes the token as the form body’s access_token (RFC 6750 §2.2)', async () => {
    const { access_token } = await login();
    const response = await postForm(userinfo, new URLSearchParams({ access_token }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sub: decodeJwt(access_token).sub });
  });

  it('refuses a token sent both ways with invalid_request (RFC 6750 §2), and a dead one in the body with invalid_token', async () => {
    const { access_token, refresh_token } = await login();
    expectOAuthError(
      await postForm(userinfo, new URLSearchParams({ access_token }), { authorization: `Bearer ${access_token}` }),
      400,
      'invalid_request',
    );
    const dead = await postForm(userinfo, new URLSearchParams({ access_token: refresh_token }));
    expectOAuthError(dead, 401, 'invalid_token');
    expect(dead.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="invalid_token"');
    expectOAuthError(await postForm(userinfo, new URLSearchParams({ access_token: 'a b' })), 401, 'invalid_token');
  });

  it('refuses an access token without the openid scope with 403 insufficient_scope (OIDC Core §5.3, RFC 6750 §3.1), as Keycloak does', async () => {
    const { access_token } = await login('patient/*.read');
    expect(decodeJwt(access_token).scope).toBe('patient/*.read');
    for (const response of [
      await fetch(userinfo, { headers: { authorization: `Bearer ${access_token}` } }),
      await fetch(userinfo, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } }),
    ]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="insufficient_scope"');
    }
    // The same person's token with openid is answered.
    expect(
      (await fetch(userinfo, { headers: { authorization: `Bearer ${(await login('openid patient/*.read')).access_token}` } })).status,
    ).toBe(200);
  });

  it('refuses a live client credentials token with 403 insufficient_scope, not invalid_token: it is good, and names no person (UserInfo, account, contexts)', async () => {
    const granted = await postForm(
      `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'xis' }),
      { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed },
    );
    expect(granted.status).toBe(200);
    const { access_token } = granted.body as { access_token: string };
    const headers = { authorization: `Bearer ${access_token}`, organisation_agb: TEST_TENANTS.allowed };
    for (const url of [userinfo, `${server.baseUrl}/realms/nemlogin/account`, `${server.baseUrl}/realms/nemlogin/contexts`]) {
      const response = await fetch(url, { headers });
      expect([url, response.status]).toEqual([url, 403]);
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="insufficient_scope"');
    }
    // The same token for another tenant is no token at all there (RFC 6750 §3.1 invalid_token).
    const otherTenant = await fetch(userinfo, { headers: { ...headers, organisation_agb: TEST_TENANTS.other } });
    expect(otherTenant.status).toBe(401);
  });

  // RFC 6750 §3: a protected resource that refuses a request's token MUST say so in WWW-Authenticate,
  // and §3.1 names invalid_request for a token sent more than one way or a malformed request.
  it('answers an invalid_request with the bearer challenge too (RFC 6750 §3), at UserInfo and the account endpoint', async () => {
    const { access_token } = await login();
    const both = await postForm(userinfo, new URLSearchParams({ access_token }), { authorization: `Bearer ${access_token}` });
    expectOAuthError(both, 400, 'invalid_request');
    expect(both.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="invalid_request"');
    // Two Authorization lines: node reads the first, a proxy may read the last (RFC 9110 §5.3).
    const twice = await rawExchange(
      Number(new URL(server.baseUrl).port),
      `GET /realms/nemlogin/protocol/openid-connect/userinfo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
        `Authorization: Bearer ${access_token}\r\nAuthorization: Bearer not.this.one\r\n\r\n`,
    );
    expect(twice.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(twice.head).toMatch(/\r\nwww-authenticate: Bearer realm="nemlogin", error="invalid_request"\r\n/i);
    for (const url of [userinfo, `${server.baseUrl}/realms/nemlogin/account`]) {
      const malformedTenant = await fetch(url, { headers: { authorization: `Bearer ${access_token}`, organisation_agb: 'not-agb' } });
      expect(malformedTenant.status).toBe(400);
      expect(malformedTenant.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="invalid_request"');
    }
  });
});
