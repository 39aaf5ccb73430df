import { decodeJwt, decodeProtectedHeader } from 'jose';
import { RealmRegistry } from '../../src/realms/realm.registry.js';
import { HousekeepingService } from '../../src/sessions/housekeeping.service.js';
import { openDatabase } from '../../src/storage/database.factory.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { TokenSigner } from '../../src/tokens/token-signer.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

/** Sessions tied to their refresh-token chain (issue: rotation, reuse, idle/max, logout, introspection, revocation, userinfo). */
describe('sessions and refresh tokens', () => {
  const clock = new TestClock(new Date('2026-11-22T08:00:00Z'));
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].sessionIdle = 1800;
        raw.realms[0].sessionMax = 36000;
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [
          'http://127.0.0.1/bye',
        ];
      },
    });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  const login = () => loginTokens(server.baseUrl, 'nemlogin', 'alice');
  const introspect = (token: string) =>
    postForm(`${oidc}/token/introspect`, new URLSearchParams({ token }), { authorization: basic('system', TEST_SECRETS.system) });
  const userinfo = (token: string) => fetch(`${oidc}/userinfo`, { headers: { authorization: `Bearer ${token}` } });

  it('refresh rotates the token and slides the idle end', async () => {
    const first = await login();
    clock.advance(600);
    const second = await refresh(server.baseUrl, 'nemlogin', first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.refresh_expires_in).toBe(1800);
    expect(decodeJwt(second.body.access_token as string).sid).toBe(decodeJwt(first.access_token).sid);
    expect(decodeJwt(second.body.refresh_token as string).exp).toBe(decodeJwt(first.refresh_token).exp! + 600);
  });

  it('reuse of a rotated refresh token ends the whole session, newest token included', async () => {
    const first = await login();
    const second = await refresh(server.baseUrl, 'nemlogin', first.refresh_token);
    const reuse = await refresh(server.baseUrl, 'nemlogin', first.refresh_token);
    expect(reuse.status).toBe(400);
    expectOAuthError(reuse, 400, 'invalid_grant');
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', second.body.refresh_token as string), 400, 'invalid_grant');
    expect((await introspect(second.body.access_token as string)).body).toEqual({ active: false });
  });

  it('of 50 parallel refreshes with one token, exactly one succeeds', async () => {
    const { refresh_token } = await login();
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(server.baseUrl, 'nemlogin', refresh_token)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array(49).fill(400)]);
    expect(responses.filter((r) => r.status !== 200).every((r) => r.body.error === 'invalid_grant')).toBe(true);
  });

  it('expires after sessionIdle without a refresh', async () => {
    const { refresh_token } = await login();
    clock.advance(1799);
    const kept = await refresh(server.baseUrl, 'nemlogin', refresh_token);
    expect(kept.status).toBe(200);
    clock.advance(1801);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', kept.body.refresh_token as string), 400, 'invalid_grant');
  });

  it('never outlives sessionMax, however often it is refreshed', async () => {
    let { refresh_token: token } = await login();
    for (let elapsed = 0; elapsed < 36000 - 1700; elapsed += 1700) {
      clock.advance(1700);
      const next = await refresh(server.baseUrl, 'nemlogin', token);
      expect(next.status).toBe(200);
      token = next.body.refresh_token as string;
    }
    // 1700 s before the cap the refresh token's exp is the cap, not now + idle.
    const claims = decodeJwt(token);
    expect(claims.exp! - Math.floor(clock.now().getTime() / 1000)).toBeLessThanOrEqual(1800);
    clock.advance(1800);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', token), 400, 'invalid_grant');
  });

  it('scope may only shrink on refresh', async () => {
    const { refresh_token } = await login();
    const widened = await refresh(server.baseUrl, 'nemlogin', refresh_token, { scope: 'openid admin' });
    expectOAuthError(widened, 400, 'invalid_scope');
    const narrowed = await refresh(server.baseUrl, 'nemlogin', refresh_token, { scope: 'openid' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('openid');
  });

  it('a refused refresh changes nothing: the same token still works', async () => {
    const { refresh_token } = await login();
    expect((await refresh(server.baseUrl, 'nemlogin', refresh_token, { scope: 'admin' })).status).toBe(400);
    expect((await refresh(server.baseUrl, 'nemlogin', refresh_token)).status).toBe(200);
  });

  it('refuses a refresh token presented by another client, an access token, and garbage', async () => {
    const tokens = await login();
    const asWeb = await postForm(
      `${oidc}/token`,
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      { authorization: basic('web', TEST_SECRETS.web) },
    );
    expectOAuthError(asWeb, 400, 'invalid_grant');
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.access_token), 400, 'invalid_grant');
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', 'garbage'), 400, 'invalid_grant');
  });

  it('a refresh token signed with the realm key, as issued before refresh tokens were MACed, stays good at its place in the chain', async () => {
    const { refresh_token } = await login();
    const realm = server.app.get(RealmRegistry).get('nemlogin');
    const signed = await server.app.get(TokenSigner).sign(realm, decodeJwt(refresh_token), 'rt+jwt');
    expect(decodeProtectedHeader(signed).alg).toBe('ES256');
    const rotated = await refresh(server.baseUrl, 'nemlogin', signed);
    expect(rotated.status).toBe(200);
    expect(decodeProtectedHeader(rotated.body.refresh_token as string)).toMatchObject({ alg: 'HS256', typ: 'rt+jwt' });
    // The same place in the chain: the MACed twin is now a reuse, which ends the session.
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', refresh_token), 400, 'invalid_grant');
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', rotated.body.refresh_token as string), 400, 'invalid_grant');
  });

  it('introspection: active with the claims for live tokens, inactive otherwise', async () => {
    const tokens = await login();
    const active = await introspect(tokens.access_token);
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({
      active: true,
      sub: decodeJwt(tokens.access_token).sub,
      client_id: 'patient-app',
      token_type: 'Bearer',
      user_type: 'PATIENT',
    });
    expect((await introspect(tokens.refresh_token)).body).toMatchObject({ active: true, token_type: 'refresh_token' });
    expect((await introspect(tokens.id_token)).body).toEqual({ active: false });
    expect((await introspect('garbage')).body).toEqual({ active: false });
    const publicClient = await postForm(
      `${oidc}/token/introspect`,
      new URLSearchParams({ token: tokens.access_token, client_id: 'patient-app' }),
    );
    expect(publicClient.status).toBe(401);
  });

  it('logout ends the session: refresh fails, introspection answers inactive, and the browser goes to the registered URI', async () => {
    const tokens = await login();
    const response = await fetch(
      `${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1/bye', state: 's1' })}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('http://127.0.0.1/bye?state=s1');
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');
    expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    expect((await userinfo(tokens.access_token)).status).toBe(401);
  });

  it('logout refuses an unregistered post_logout_redirect_uri and a forged hint, ending nothing', async () => {
    const tokens = await login();
    const bad = await fetch(
      `${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/' })}`,
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
    const forged = await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: `${tokens.id_token}x` })}`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
  });

  it('revocation of a refresh token ends its chain; of an access token denies it until it expires', async () => {
    const tokens = await login();
    const revokeUrl = `${oidc}/revoke`;
    const access = await postForm(revokeUrl, new URLSearchParams({ token: tokens.access_token, client_id: 'patient-app' }));
    expect(access.status).toBe(200);
    expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);

    const other = await login();
    expect(
      (
        await postForm(
          revokeUrl,
          new URLSearchParams({ token: other.refresh_token, token_type_hint: 'refresh_token', client_id: 'patient-app' }),
        )
      ).status,
    ).toBe(200);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', other.refresh_token), 400, 'invalid_grant');
    expect((await introspect(other.access_token)).body).toEqual({ active: false });

    expect((await postForm(revokeUrl, new URLSearchParams({ token: 'unknown-token', client_id: 'patient-app' }))).status).toBe(200);
  });

  it('revocation by another client is refused (RFC 7009 §2.1) and changes nothing', async () => {
    const tokens = await login();
    for (const token of [tokens.refresh_token, tokens.access_token]) {
      const byWeb = await postForm(`${oidc}/revoke`, new URLSearchParams({ token }), { authorization: basic('web', TEST_SECRETS.web) });
      expectOAuthError(byWeb, 400, 'unauthorized_client');
    }
    expect((await introspect(tokens.access_token)).body).toMatchObject({ active: true });
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
  });

  it('userinfo answers with claims by scope for a live access token, 401 otherwise', async () => {
    const tokens = await login();
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(200);
    // alice's CPR is the demo seed's Nancy: linked, so fhirUser and patient come too.
    expect(await response.json()).toEqual({
      sub: decodeJwt(tokens.access_token).sub,
      user_type: 'PATIENT',
      fhirUser: expect.stringMatching(/\/Patient\/demo-patient-nancy$/),
      patient: 'demo-patient-nancy',
      name: 'Alice Andersen',
      given_name: 'Alice',
      family_name: 'Andersen',
    });
    const narrow = await loginTokens(server.baseUrl, 'nemlogin', 'alice', 'openid');
    expect(await (await userinfo(narrow.access_token)).json()).not.toHaveProperty('name');
    // The scheme is case-insensitive (RFC 9110 §11.1): keycloak-js's loadUserInfo() sends `bearer`.
    const lowercase = await fetch(`${oidc}/userinfo`, { headers: { authorization: `bearer ${tokens.access_token}` } });
    expect(lowercase.status).toBe(200);
    const refused = await userinfo(tokens.refresh_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="invalid_token"');
    // RFC 6750 §3.1: no credentials at all, no error code in the challenge.
    const anonymous = await fetch(`${oidc}/userinfo`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin"');
  });

  it('a database outage is a server error, never "your token is dead"', async () => {
    const db = await openDatabase({ url: '', dataDir: 'memory://' });
    const instance = await startTestServer({ overrides: { database: db } });
    try {
      const tokens = await loginTokens(instance.baseUrl, 'nemlogin', 'alice');
      await db.close();
      const refreshed = await refresh(instance.baseUrl, 'nemlogin', tokens.refresh_token);
      expect(refreshed.status).toBe(500);
      expectOAuthError(refreshed, 500, 'server_error');
      const introspected = await postForm(
        `${instance.baseUrl}/realms/nemlogin/protocol/openid-connect/token/introspect`,
        new URLSearchParams({ token: tokens.access_token }),
        {
          authorization: basic('system', TEST_SECRETS.system),
        },
      );
      expect(introspected.status).toBe(500);
    } finally {
      await instance.close();
    }
  });

  it('housekeeping purges sessions a day after they ended, and expired codes', async () => {
    const tokens = await login();
    const sid = decodeJwt(tokens.access_token).sid as string;
    await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);
    clock.advance(25 * 3600);
    const purged = await server.app.get(HousekeepingService).purge();
    expect(purged.sessions).toBeGreaterThan(0);
    expect(await server.app.get(SessionRepository).find(sid)).toBeUndefined();
  });
});
