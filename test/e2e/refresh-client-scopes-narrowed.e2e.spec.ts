import { decodeJwt } from 'jose';
import { loginTokens, refresh } from '../support/login-flow.js';
import { restartedServerForSuite } from '../support/restarted-server.js';

/**
 * A config change took a scope from a client (README "Scopes": a client's `scopes` narrows what it may
 * get). Sessions opened before it go on, but a refresh issues no token with the scope taken away, as
 * a login would not give it now and Keycloak's refresh drops a client scope the client has lost; the
 * refresh token keeps its scope (RFC 6749 §6: "MUST be identical").
 */
describe('a refresh after a config change narrowed the client’s scopes', () => {
  const suite = restartedServerForSuite();
  const start = (patientAppScopes?: string[]) =>
    suite.start((raw) => {
      if (patientAppScopes) raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').scopes = patientAppScopes;
    });

  it('issues no token with a scope the client may no longer get; the refresh token keeps what was granted', async () => {
    await start();
    const tokens = await loginTokens(suite.server.baseUrl, 'nemlogin', 'alice');
    expect(tokens.scope).toBe('openid profile patient/*.read');

    await start(['openid', 'profile']);
    const narrowed = await refresh(suite.server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('openid profile');
    expect(decodeJwt(narrowed.body.access_token as string).scope).toBe('openid profile');
    expect(decodeJwt(narrowed.body.refresh_token as string).scope).toBe('openid profile patient/*.read');
    // Asked for by name, it is not granted either.
    const asked = await refresh(suite.server.baseUrl, 'nemlogin', narrowed.body.refresh_token as string, {
      scope: 'openid patient/*.read',
    });
    expect(asked.status).toBe(200);
    expect(asked.body.scope).toBe('openid');
  });
});
