import { decodeJwt } from 'jose';
import { HousekeepingService } from '../../src/sessions/housekeeping.service.js';
import { adminCall, adminToken, clientToken, withAdminClients } from '../support/admin-api.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const ALICE_CPR = '0101011234';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * The audit trail over HTTP (issue 13): what a citizen's login, refresh, a portal's token exchange and
 * the logout leave behind, read back through Keycloak's events API by an auditor client.
 */
describe('audit events', () => {
  const clock = new TestClock();
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        withAdminClients(raw.realms[0]);
        raw.audit = { retentionDays: 30 };
      },
    });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  const events = async (query: Record<string, string>) => {
    const response = await adminCall(
      server.baseUrl,
      'GET',
      `nemlogin/events?${new URLSearchParams(query)}`,
      await adminToken(server.baseUrl, 'nemlogin', 'auditor'),
    );
    expect(response.status).toBe(200);
    return response.body as Record<string, any>[];
  };
  /** A mocked login up to its last step, which can then be posted (again). */
  const startMockLogin = async () => {
    const authorize = new URL(`${oidc}/auth`);
    const params = { client_id: 'patient-app', redirect_uri: 'http://127.0.0.1/callback', response_type: 'code', scope: 'openid' };
    for (const [name, value] of Object.entries({ ...params, code_challenge: 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM' }))
      authorize.searchParams.set(name, value);
    authorize.searchParams.set('code_challenge_method', 'S256');
    const toMock = await fetch(authorize, { redirect: 'manual' });
    const cookie = cookiesFrom(toMock);
    const html = await (await fetch(toMock.headers.get('location')!, { headers: { cookie } })).text();
    const tx = /name="tx" value="([^"]+)"/.exec(html)![1]!;
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    return {
      post: (username: string, headers: Record<string, string> = {}) =>
        fetch(action, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
          body: new URLSearchParams({ tx, username }).toString(),
        }),
    };
  };
  const exchange = (subjectToken: string) =>
    postForm(
      `${oidc}/token`,
      new URLSearchParams({ grant_type: EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, audience: 'xis' }),
      { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed },
    );

  it('a citizen login, a refresh, an exchange and a logout leave exactly their events, readable by an auditor', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid } = decodeJwt(tokens.access_token) as { sub: string; sid: string };
    const refreshed = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await exchange(refreshed.body.access_token as string)).status).toBe(200);
    await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);

    const trail = await events({ user: sub });
    expect(trail.map((e) => e.type)).toEqual(['LOGOUT', 'TOKEN_EXCHANGE', 'REFRESH_TOKEN', 'CODE_TO_TOKEN', 'LOGIN']);
    const [logout, exchanged, refreshedEvent, codeToToken, login] = trail;
    const common = { realmId: 'nemlogin', userId: sub, sessionId: sid, ipAddress: '127.0.0.1' };
    expect(login).toMatchObject({
      ...common,
      clientId: 'patient-app',
      details: { identity_provider: 'mock', user_type: 'PATIENT', link: 'patient', scope: 'openid profile patient/*.read' },
    });
    expect(login).not.toHaveProperty('error');
    expect(codeToToken).toMatchObject({ ...common, clientId: 'patient-app', details: { refresh_token: 'true' } });
    expect(refreshedEvent).toMatchObject({ ...common, clientId: 'patient-app' });
    expect(exchanged).toMatchObject({
      ...common,
      clientId: 'portal',
      details: { audience: 'xis', organisation_agb: TEST_TENANTS.allowed, subject_client: 'patient-app' },
    });
    expect(logout).toMatchObject({ ...common, clientId: 'patient-app', details: { by: 'user' } });
    for (const event of trail) {
      expect(event.time).toBe(clock.now().getTime());
      expect(event.id).toEqual(expect.any(String));
    }
  });

  it('records a reused refresh token as its own error, and the session it ends as a LOGOUT by reuse', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid } = decodeJwt(tokens.access_token) as { sub: string; sid: string };
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');

    const trail = await events({ user: sub });
    expect(trail.slice(0, 2).map((e) => [e.type, e.error, e.details.by])).toEqual([
      ['REFRESH_TOKEN_ERROR', 'refresh_token_reused', undefined],
      ['LOGOUT', undefined, 'reuse'],
    ]);
    expect(trail[0]).toMatchObject({ clientId: 'patient-app', sessionId: sid });
  });

  it('records a context chosen on a refresh as CONTEXT_SELECTED, with the rotation it came with', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(tokens.access_token) as { sub: string };
    const refreshed = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token, { patient_id: 'demo-patient-nancy' });
    expect(refreshed.status).toBe(200);

    const [selected, rotated] = await events({ user: sub, max: '2' });
    expect([selected?.type, rotated?.type]).toEqual(['CONTEXT_SELECTED', 'REFRESH_TOKEN']);
    expect(selected).toMatchObject({
      clientId: 'patient-app',
      details: { patient_id: expect.stringMatching(/\/Patient\/demo-patient-nancy$/) },
    });
  });

  it('records client logins, their refusals and a refused login, with a reason code', async () => {
    await clientToken(server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    const refused = await postForm(`${oidc}/token`, new URLSearchParams({ grant_type: 'client_credentials', scope: 'not-mine' }), {
      authorization: basic('system', TEST_SECRETS.system),
    });
    expectOAuthError(refused, 400, 'invalid_scope');
    // The same login completed twice: the second finds it used up.
    const login = await startMockLogin();
    expect((await login.post('alice')).status).toBe(303);
    const usedUp = await login.post('alice');
    expect(usedUp.status).toBe(400);

    const clientEvents = await events({ client: 'system', type: 'CLIENT_LOGIN,CLIENT_LOGIN_ERROR' });
    expect(clientEvents.slice(0, 2).map((e) => [e.type, e.error])).toEqual([
      ['CLIENT_LOGIN_ERROR', 'invalid_scope'],
      ['CLIENT_LOGIN', undefined],
    ]);
    expect(clientEvents[1].details).toMatchObject({ scope: 'system/*.read', roles: 'system' });
    const [loginError] = await events({ type: 'LOGIN_ERROR', max: '1' });
    expect(loginError).toMatchObject({ error: 'expired_login', ipAddress: '127.0.0.1', details: { identity_provider: 'mock' } });
    // The reference on the error page finds the event too.
    expect(loginError!.details.requestId).toBe(usedUp.headers.get('x-request-id'));
    expect(loginError).not.toHaveProperty('userId');
  });

  it('keeps no CPR a request sent as its X-Request-Id in the reference a LOGIN_ERROR records, as its log line has none', async () => {
    const login = await startMockLogin();
    expect((await login.post('alice')).status).toBe(303);
    // A header any client may set, and of the shape a request id may have: it is the page's reference.
    const usedUp = await login.post('alice', { 'x-request-id': '010101-1234' });
    expect(usedUp.status).toBe(400);
    expect(usedUp.headers.get('x-request-id')).toBe('010101-1234');

    const [loginError] = await events({ type: 'LOGIN_ERROR', max: '1' });
    expect(loginError).toMatchObject({ error: 'expired_login', details: { requestId: '[digits masked]' } });
    // A hex id, a UUID or a proxy's, stays whole, as on the log line: support finds the event by it.
    const again = await startMockLogin();
    await again.post('alice');
    const traced = 'd0c4f0a2-3a6e-4c1c-9b7f-a2020202020b';
    expect((await again.post('alice', { 'x-request-id': traced })).status).toBe(400);
    const [tracedError] = await events({ type: 'LOGIN_ERROR', max: '1' });
    expect(tracedError!.details.requestId).toBe(traced);
    // Hex and hyphens of another shape are no proxy's random id: an integrator's `{CPR}-{time}`.
    const third = await startMockLogin();
    await third.post('alice');
    expect((await third.post('alice', { 'x-request-id': '0101011234-0000-0000-0000-000000000000' })).status).toBe(400);
    const [shapedError] = await events({ type: 'LOGIN_ERROR', max: '1' });
    expect(shapedError!.details.requestId).toBe('[digits masked]-0000-0000-0000-000000000000');
  });

  it('records a refused client authentication as the refusal of its grant, naming only a registered client', async () => {
    const wrongSecret = 'not-the-system-secret';
    const attempts: { form: Record<string, string>; headers?: Record<string, string> }[] = [
      // A registered client with a wrong secret: somebody trying its secrets shows in its trail.
      { form: { grant_type: 'client_credentials' }, headers: { authorization: basic('system', wrongSecret) } },
      // An id nobody registered, sent in the body on a refresh.
      { form: { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nobody-registered', client_secret: wrongSecret } },
      // Credentials that cannot be read, on a grant type nobody implements.
      { form: { grant_type: 'password' }, headers: { authorization: 'Basic !!!' } },
    ];
    for (const { form, headers } of attempts) {
      expectOAuthError(await postForm(`${oidc}/token`, new URLSearchParams(form), headers), 401, 'invalid_client');
    }

    const refusals = await events({ type: 'CLIENT_LOGIN_ERROR,REFRESH_TOKEN_ERROR', max: '3' });
    expect(refusals.map((e) => [e.type, e.error, e.clientId, e.details.client_auth_method])).toEqual([
      ['CLIENT_LOGIN_ERROR', 'invalid_client', undefined, undefined],
      ['REFRESH_TOKEN_ERROR', 'client_not_found', undefined, 'client_secret_post'],
      ['CLIENT_LOGIN_ERROR', 'invalid_client_credentials', 'system', 'client_secret_basic'],
    ]);
    for (const refusal of refusals) expect(refusal).toMatchObject({ realmId: 'nemlogin', ipAddress: '127.0.0.1' });
    const all = JSON.stringify(await events({ max: '1000' }));
    for (const text of [wrongSecret, 'nobody-registered']) expect(all).not.toContain(text);
  });

  it('records a token request of an authenticated client for a grant type nobody implements, or none, as its CLIENT_LOGIN_ERROR', async () => {
    for (const form of [{ grant_type: 'password' }, {}] as Record<string, string>[]) {
      const refused = await postForm(`${oidc}/token`, new URLSearchParams(form), { authorization: basic('system', TEST_SECRETS.system) });
      expectOAuthError(refused, 400, 'grant_type' in form ? 'unsupported_grant_type' : 'invalid_request');
    }
    const refusals = await events({ client: 'system', type: 'CLIENT_LOGIN_ERROR', max: '2' });
    expect(refusals.map((e) => [e.error, e.ipAddress])).toEqual([
      ['invalid_request', '127.0.0.1'],
      ['unsupported_grant_type', '127.0.0.1'],
    ]);
  });

  it('refuses the events to a request without a token, and to a client without view-events', async () => {
    const anonymous = await adminCall(server.baseUrl, 'GET', 'nemlogin/events');
    expect(anonymous).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    // RFC 6750 §3.1: a request with no credentials at all is challenged without an error code.
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin"');

    const system = await clientToken(server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    const forbidden = await adminCall(server.baseUrl, 'GET', 'nemlogin/events', system);
    expect(forbidden).toMatchObject({ status: 403, body: { error: 'insufficient_scope', error_description: expect.any(String) } });
    expect(forbidden.headers.get('www-authenticate')).toBe('Bearer realm="nemlogin", error="insufficient_scope"');

    const user = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect((await adminCall(server.baseUrl, 'GET', 'nemlogin/events', user.access_token)).status).toBe(403);
    const auditor = await adminToken(server.baseUrl, 'nemlogin', 'auditor');
    expect((await adminCall(server.baseUrl, 'GET', 'ehealth/events', auditor)).status).toBe(401);
  });

  it('filters by type, client, user, dates and pages with first and max; refuses a malformed filter', async () => {
    const day = clock.now().toISOString().slice(0, 10);
    // LOGIN only: every call of `events` adds a CLIENT_LOGIN and an ADMIN_ACTION of its own.
    const today = await events({ type: 'LOGIN', dateFrom: day, dateTo: day, max: '2' });
    expect(today).toHaveLength(2);
    const next = await events({ type: 'LOGIN', dateFrom: day, dateTo: day, first: '1', max: '1' });
    expect(next.map((e) => e.id)).toEqual([today[1].id]);
    expect(await events({ dateTo: '2000-01-01' })).toEqual([]);
    expect(await events({ dateFrom: String(clock.now().getTime() + 1) })).toEqual([]);

    const auditor = await adminToken(server.baseUrl, 'nemlogin', 'auditor');
    for (const query of ['type=NOPE', 'dateFrom=2024-02-30', 'max=-1', 'first=x']) {
      const response = await adminCall(server.baseUrl, 'GET', `nemlogin/events?${query}`, auditor);
      expect(response).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    const reads = await events({ type: 'ADMIN_ACTION', client: 'auditor', max: '1' });
    expect(reads[0]).toMatchObject({ clientId: 'auditor', details: { operation_type: 'READ', resource_path: 'events' } });
  });

  it('filters by the client address and lists oldest first for direction=asc, as Keycloak’s events endpoint does', async () => {
    // Every request of these specs comes from 127.0.0.1: an address that sent none has no events, not all of them.
    expect(await events({ ipAddress: '203.0.113.7' })).toEqual([]);
    const [read] = await events({ type: 'ADMIN_ACTION', client: 'auditor', max: '1' });
    expect(read!.details).toMatchObject({ ipAddress: '203.0.113.7', count: '0' });
    const fromHere = await events({ ipAddress: '127.0.0.1', type: 'LOGIN', max: '1000' });
    expect(fromHere.length).toBeGreaterThan(1);
    expect(fromHere.every((e) => e.ipAddress === '127.0.0.1')).toBe(true);

    const oldestFirst = await events({ ipAddress: '127.0.0.1', type: 'LOGIN', max: '1000', direction: 'asc' });
    expect(oldestFirst.map((e) => e.id)).toEqual(fromHere.map((e) => e.id).reverse());
    const auditor = await adminToken(server.baseUrl, 'nemlogin', 'auditor');
    const sideways = await adminCall(server.baseUrl, 'GET', 'nemlogin/events?direction=sideways', auditor);
    expect(sideways).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('records the filters of an events read, so whose trail was read is itself on record', async () => {
    const day = clock.now().toISOString().slice(0, 10);
    const query = { type: 'LOGIN,LOGOUT', client: 'patient-app', user: 'some-user-id', dateFrom: day, dateTo: day, first: '1', max: '5' };
    await events(query);
    const [read] = await events({ type: 'ADMIN_ACTION', client: 'auditor', max: '1' });
    expect(read!.details).toEqual({
      operation_type: 'READ',
      resource_path: 'events',
      type: 'LOGIN LOGOUT',
      client: 'patient-app',
      user: 'some-user-id',
      dateFrom: `${day}T00:00:00.000Z`,
      dateTo: `${day}T23:59:59.999Z`,
      first: '1',
      max: '5',
      count: '0',
    });
  });

  it('keeps no national identifier, name or token in any event or log line', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const all = JSON.stringify(await events({ max: '1000' }));
    for (const secret of [ALICE_CPR, 'Alice', 'Andersen', tokens.access_token, tokens.refresh_token, TEST_SECRETS.portal]) {
      expect(all).not.toContain(secret);
      expect(server.logs.join('\n')).not.toContain(secret);
    }
  });

  it('housekeeping deletes events older than audit.retentionDays', async () => {
    expect((await events({ max: '1' })).length).toBe(1);
    clock.advance(31 * 86_400);
    const purged = await server.app.get(HousekeepingService).purge();
    expect(purged.audit_events).toBeGreaterThan(0);
    // Only this request's own token and read remain: everything before the cutoff is gone.
    expect((await events({})).map((e) => e.type)).toEqual(['CLIENT_LOGIN']);
  });
});
