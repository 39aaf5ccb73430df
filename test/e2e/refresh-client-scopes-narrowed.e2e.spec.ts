import { decodeJwt } from 'jose';
import type { Database } from '../../src/storage/database.js';
import { pgliteEngine, type Scratch } from '../support/database-engines.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A config change took a scope from a client (README "Scopes": a client's `scopes` narrows what it may
 * get). Sessions opened before it go on, but a refresh issues no token with the scope taken away, as
 * a login would not give it now and Keycloak's refresh drops a client scope the client has lost; the
 * refresh token keeps its scope (RFC 6749 §6: "MUST be identical").
 */
describe('a refresh after a config change narrowed the client’s scopes', () => {
  let scratch: Scratch;
  let db: Database;
  let server: TestServer | undefined;
  let port: number | undefined;

  const start = async (patientAppScopes?: string[]) => {
    await server?.close();
    // The same port each time: one issuer, so the refresh token stays this realm's.
    server = await startTestServer({
      port,
      overrides: { database: db },
      patch: (raw) => {
        if (patientAppScopes)
          raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').scopes = patientAppScopes;
      },
    });
    port ??= Number(new URL(server.baseUrl).port);
    return server;
  };

  beforeAll(async () => {
    scratch = await pgliteEngine.createScratch();
    db = await scratch.connect();
  });
  afterAll(async () => {
    await server?.close();
    await scratch?.dispose();
  });

  it('issues no token with a scope the client may no longer get; the refresh token keeps what was granted', async () => {
    await start();
    const tokens = await loginTokens(server!.baseUrl, 'nemlogin', 'alice');
    expect(tokens.scope).toBe('openid profile patient/*.read');

    await start(['openid', 'profile']);
    const narrowed = await refresh(server!.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('openid profile');
    expect(decodeJwt(narrowed.body.access_token as string).scope).toBe('openid profile');
    expect(decodeJwt(narrowed.body.refresh_token as string).scope).toBe('openid profile patient/*.read');
    // Asked for by name, it is not granted either.
    const asked = await refresh(server!.baseUrl, 'nemlogin', narrowed.body.refresh_token as string, { scope: 'openid patient/*.read' });
    expect(asked.status).toBe(200);
    expect(asked.body.scope).toBe('openid');
  });
});
