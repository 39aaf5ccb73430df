import type { Database } from '../../src/storage/database.js';
import { engines, type Scratch } from '../support/database-engines.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

/**
 * Two instances on one database (PostgreSQL in CI; PGlite's single handle otherwise): everything a
 * session is lives in the database, so any instance can continue what another began.
 */
describe.each(engines)('two instances on one $name database', (engine) => {
  let scratch: Scratch;
  let a: TestServer;
  let b: TestServer;
  let publicUrl: string;

  const startInstance = async (db: Database, url?: string) =>
    startTestServer({ overrides: { database: db }, patch: (raw) => url && (raw.publicUrl = url) });

  beforeAll(async () => {
    scratch = await engine.createScratch();
    a = await startInstance(await scratch.connect());
    publicUrl = a.baseUrl;
    b = await startInstance(await scratch.connect(), publicUrl);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await scratch?.dispose();
  });

  const oidc = (server: TestServer) => `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  const introspect = (server: TestServer, token: string) =>
    postForm(`${oidc(server)}/token/introspect`, new URLSearchParams({ token }), { authorization: basic('system', TEST_SECRETS.system) });

  it('log in on one, refresh and introspect on the other, log out on the other', async () => {
    const tokens = await loginTokens(a.baseUrl, 'nemlogin', 'alice');
    const refreshed = await refresh(b.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await introspect(a, refreshed.body.access_token as string)).body.active).toBe(true);
    expectOAuthError(await refresh(a.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');

    const again = await loginTokens(a.baseUrl, 'nemlogin', 'alice');
    await fetch(`${oidc(b)}/logout?${new URLSearchParams({ id_token_hint: again.id_token })}`);
    expect((await introspect(a, again.access_token)).body).toEqual({ active: false });
    expectOAuthError(await refresh(a.baseUrl, 'nemlogin', again.refresh_token), 400, 'invalid_grant');
  });

  it('of 50 parallel refreshes spread over both instances, exactly one succeeds', async () => {
    const { refresh_token } = await loginTokens(a.baseUrl, 'nemlogin', 'alice');
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => refresh((i % 2 ? a : b).baseUrl, 'nemlogin', refresh_token)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array(49).fill(400)]);
  });

  it('a restarted instance continues the sessions it had', async () => {
    const tokens = await loginTokens(a.baseUrl, 'nemlogin', 'alice');
    await a.close();
    a = await startInstance(await scratch.connect(), publicUrl);
    const refreshed = await refresh(a.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
  });
});
