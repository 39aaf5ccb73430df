import { expectOAuthError } from '../support/oauth-error.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A path the service routes, asked by a method it does not take there, is 405 with `Allow` naming
 * the methods it does take (RFC 9110 §15.5.6, §10.2.1), as Keycloak answers; a path no route matches
 * stays 404. The HEAD a state-changing GET refuses (head-requests.ts) is not offered in `Allow`.
 */
describe('a method a route does not take', () => {
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer();
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  it('is 405 at the token endpoint by GET, with Allow: POST and an RFC 6749 body (§3.2: POST only)', async () => {
    const response = await fetch(`${oidc}/token?grant_type=client_credentials`);
    expect(response.headers.get('allow')).toBe('POST');
    const raw = { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
    expectOAuthError(raw, 405, 'invalid_request', { description: 'This endpoint takes POST.' });
  });

  it('names every method routed at the path, HEAD beside GET where HEAD answers', async () => {
    for (const [method, path, allow] of [
      ['POST', `${server.baseUrl}/realms/nemlogin/.well-known/openid-configuration`, 'GET, HEAD'],
      ['DELETE', `${oidc}/certs`, 'GET, HEAD'],
      ['PUT', `${oidc}/token/introspect`, 'POST'],
      ['GET', `${oidc}/revoke`, 'POST'],
      ['PATCH', `${oidc}/userinfo`, 'GET, HEAD, POST'],
    ] as const) {
      const response = await fetch(path, { method });
      expect([method, path, response.status, response.headers.get('allow')]).toEqual([method, path, 405, allow]);
    }
  });

  it('is a readable page at a browser route, whose refused HEAD it does not offer', async () => {
    const response = await fetch(`${oidc}/auth`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('is 405 for HEAD at a route that takes POST alone', async () => {
    const response = await fetch(`${oidc}/token`, { method: 'HEAD' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('leaves a path no route matches at 404, whatever the method, and so a realm that does not exist, as Keycloak', async () => {
    for (const [method, path] of [
      ['GET', `${oidc}/no-such-endpoint`],
      ['POST', `${oidc}/no-such-endpoint`],
      ['DELETE', `${oidc}/no-such-endpoint`],
      ['GET', `${server.baseUrl}/realms/no-such-realm/protocol/openid-connect/token`],
      ['POST', `${server.baseUrl}/realms/no-such-realm/.well-known/openid-configuration`],
      ['GET', `${server.baseUrl}/admin/realms/no-such-realm/keys/rotate`],
    ]) {
      const response = await fetch(path!, { method });
      expect([method, path, response.status, response.headers.get('allow')]).toEqual([method, path, 404, null]);
    }
  });

  it('leaves the embedded FHIR bases to their own handler: a method none of them takes is no 405 naming TRACE', async () => {
    const response = await fetch(`${server.baseUrl}/fhir/nemlogin/Patient`, { method: 'PROPFIND' });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
  });
});
