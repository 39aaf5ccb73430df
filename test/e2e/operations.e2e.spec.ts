import { openDatabase } from '../../src/storage/database.factory.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { OAuthError } from '../../src/protocol/oauth-error.js';
import { expectOAuthErrorResponse } from '../support/oauth-error.js';

describe('discovery and operations', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('publishes metadata at the OIDC path and the RFC 8414 paths, listing only what is implemented', async () => {
    const issuer = `${server.baseUrl}/realms/nemlogin`;
    const paths = [
      '/realms/nemlogin/.well-known/openid-configuration',
      '/realms/nemlogin/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/realms/nemlogin',
    ];
    for (const path of paths) {
      const response = await fetch(`${server.baseUrl}${path}`);
      expect(response.status).toBe(200);
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
        grant_types_supported: [
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:token-exchange',
        ],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        // Absent, request_uri_parameter_supported would mean true (OpenID Connect Discovery 1.0 §3).
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
      });
      expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain('HS256');
      // RFC 8414 §2: every endpoint that takes private_key_jwt names its algorithms, the token endpoint's.
      for (const endpoint of ['introspection', 'revocation']) {
        expect(metadata[`${endpoint}_endpoint_auth_methods_supported`]).toContain('private_key_jwt');
        expect(metadata[`${endpoint}_endpoint_auth_signing_alg_values_supported`]).toEqual(
          metadata.token_endpoint_auth_signing_alg_values_supported,
        );
      }
      // Discovery §3: RS256 MUST be listed, though no client of this realm asks for it; the realm's own comes first.
      expect(metadata.id_token_signing_alg_values_supported).toEqual(['ES256', 'RS256', 'PS256', 'EdDSA']);
    }
  });

  it('answers an unknown realm with 404 and an OAuth-style body on every realm path', async () => {
    for (const path of ['/realms/nope/.well-known/openid-configuration', '/realms/nope/protocol/openid-connect/certs']) {
      const response = await fetch(`${server.baseUrl}${path}`);
      await expectOAuthErrorResponse(response, 404, 'not_found');
      expect(new OAuthError('not_found', 'expected').description).toBe('Realm does not exist.');
    }
  });

  it('answers a browser route of an unknown realm with a readable page, not JSON', async () => {
    const response = await fetch(`${server.baseUrl}/realms/nope/protocol/openid-connect/auth?client_id=x`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('<h1>Not found</h1>');
  });

  it('answers the framed session-status pages of an unknown realm with the 404 page, which no one may frame', async () => {
    const oidc = `${server.baseUrl}/realms/nope/protocol/openid-connect`;
    for (const path of ['3p-cookies/step1.html', '3p-cookies/step2.html', 'login-status-iframe.html']) {
      const response = await fetch(`${oidc}/${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('<h1>Not found</h1>');
      // No realm, no web origins: nobody may frame it, and it runs no script.
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('script-src');
    }
    // The iframe's script reads only the status of its init fetch: a 404, and no page, as before.
    const init = await fetch(`${oidc}/login-status-iframe.html/init?client_id=x&origin=${encodeURIComponent('http://app.example')}`);
    expect(init.status).toBe(404);
    expect(init.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('is live, and ready while its database answers', async () => {
    expect(await (await fetch(`${server.baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('is not ready when its database is gone', async () => {
    const db = await openDatabase({ url: '', dataDir: 'memory://' });
    const instance = await startTestServer({ overrides: { database: db } });
    await db.close();
    const ready = await fetch(`${instance.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    await instance.close();
  });

  it('is not ready when its database refuses writes, as a standby does', async () => {
    const db = await openDatabase({ url: '', dataDir: 'memory://' });
    const instance = await startTestServer({ overrides: { database: db } });
    try {
      // PGlite is one session: from here on every transaction is read-only, as on a hot standby.
      await db.query('SET default_transaction_read_only = on');
      const ready = await fetch(`${instance.baseUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', database: 'read-only' });
    } finally {
      // The database is the test's, not the server's: it closes it.
      await instance.close();
      await db.close();
    }
  });

  it('tags every request with a request id: the caller’s when safe, else a new one, on the response and the log line', async () => {
    const given = await fetch(`${server.baseUrl}/health/live`, { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.123');
    const unsafe = await fetch(`${server.baseUrl}/health/live`, { headers: { 'x-request-id': 'bad id "with quotes" and <tags>' } });
    const generated = unsafe.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const line = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === 'trace-abc.123');
    expect(line).toMatchObject({ msg: 'request completed', path: '/health/live', statusCode: 200 });
  });

  it('serves Prometheus metrics with FHIR round trips', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^federation_fhir_requests_total\{kind="read"\} \d+$/m);
  });

  it('logs paths without their query string', async () => {
    await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/certs?login_hint=0101011234`);
    expect(server.logs.join('\n')).not.toContain('0101011234');
  });
});
