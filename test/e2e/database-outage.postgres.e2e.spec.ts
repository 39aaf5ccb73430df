import { postgresEngines, type Scratch } from '../support/database-engines.js';
import { startFreezableProxy, type FreezableProxy } from '../support/freezable-proxy.js';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * A PostgreSQL that stops answering (a half-open connection, a network that drops packets), seen
 * over HTTP: every request that needs it is answered within the configured timeouts with a
 * retryable error, changes nothing, and the service serves again once the database is back.
 * PostgreSQL alone: an embedded PGlite cannot become unreachable.
 */
for (const engine of postgresEngines) {
  describe('a database that stops answering', () => {
    let scratch: Scratch;
    let proxy: FreezableProxy;
    let server: TestServer;
    let oidc: string;

    beforeAll(async () => {
      scratch = await engine.createScratch();
      proxy = await startFreezableProxy(scratch.url!);
      server = await startTestServer({
        patch: (raw) => (raw.database = { url: proxy.url, connectTimeoutSeconds: 2, statementTimeoutSeconds: 2 }),
      });
      oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
    }, 60_000);
    afterAll(async () => {
      proxy?.thaw();
      await server?.close();
      await proxy?.close();
      await scratch?.dispose();
    });

    const clientCredentials = () =>
      postForm(`${oidc}/token`, new URLSearchParams({ grant_type: 'client_credentials' }), {
        authorization: basic('system', TEST_SECRETS.system),
      });

    it('answers token requests 503 temporarily_unavailable, a login a page, readiness 503; the refresh token still works after', async () => {
      const { refresh_token: refreshToken } = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      expect((await clientCredentials()).status).toBe(200);

      proxy.freeze();
      try {
        const [refreshed, machine, ready, login] = await Promise.all([
          refresh(server.baseUrl, 'nemlogin', refreshToken as string),
          clientCredentials(),
          fetch(`${server.baseUrl}/health/ready`),
          fetch(
            `${oidc}/auth?${new URLSearchParams({
              client_id: PUBLIC_CLIENT.clientId,
              redirect_uri: PUBLIC_CLIENT.redirectUri,
              response_type: 'code',
              scope: 'openid',
              code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
              code_challenge_method: 'S256',
              state: 'st',
            })}`,
            { redirect: 'manual' },
          ),
        ]);
        for (const answer of [refreshed, machine]) {
          expect(answer.status).toBe(503);
          expect(answer.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
          expect(answer.headers.get('cache-control')).toBe('no-store');
        }
        expect(ready.status).toBe(503);
        expect(await ready.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
        expect(login.status).toBe(503);
        expect(login.headers.get('content-type')).toMatch(/^text\/html/);
      } finally {
        proxy.thaw();
      }

      // Nothing was rotated while the database was away: the same refresh token is the live one.
      const after = await refresh(server.baseUrl, 'nemlogin', refreshToken as string);
      expect(after.status).toBe(200);
      expect((await clientCredentials()).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
      // Logged by class and cause code, as every unexpected failure is (the close checks no personal data) ...
      expect(server.logs.some((line) => line.includes('DatabaseUnavailableError') && line.includes('QUERY_TIMEOUT'))).toBe(true);
      // ... and not tried again as an audit event of the refusal, which would wait out another timeout before the answer.
      expect(server.logs.filter((line) => line.includes('audit event of a refusal not recorded'))).toEqual([]);
    }, 60_000);
  });
}
