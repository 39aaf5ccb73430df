import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { attemptRecorded } from '../support/backchannel-outbox.js';
import { CookieJar } from '../support/cookie-jar.js';
import { PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { CPR, STATUS, sloServerForSuite } from '../support/saml/slo-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SamlWorkers } from '../../src/saml/saml-workers.js';
import { SamlBusyError } from '../../src/saml/saml.errors.js';
import { fillSamlQueue } from '../support/saml/full-saml-queue.js';

/**
 * IdP-initiated SAML single logout (SAML Profiles §4.4) at the broker endpoint, over real HTTP with
 * the independent samlify IdP: a verified LogoutRequest ends the SSO session and its client sessions
 * (refresh, introspection, prompt=none all see it), the clients hear of it by back-channel logout,
 * and the IdP gets a LogoutResponse that verifies against the SP's certificate. What is refused, and
 * the bounds on a logout message, are in saml-single-logout-refusals.e2e.spec.ts.
 */
describe('IdP-initiated SAML single logout', () => {
  const h = sloServerForSuite();

  describe.each(['redirect', 'post'] as const)('over HTTP-%s', (binding) => {
    it('ends the session: refresh invalid_grant, introspection inactive, prompt=none login_required; a verifiable Success', async () => {
      const { browser, tokens, nameId, sessionIndex } = await h.login();
      expect(await h.introspect(tokens.access_token)).toBe(true);
      const cookieBeforeLogout = browser.header();

      const { message, response } = await h.sendLogoutRequest(browser, { binding, nameId, sessionIndexes: [sessionIndex] });
      const answer = await h.idp.logout.parseResponse(await h.replyOf(response));
      expect(answer).toEqual({
        inResponseTo: message.id,
        destination: h.idp.sloUrl,
        issuer: h.issuer,
        status: `${STATUS}Success`,
        subStatus: undefined,
        relayState: 'idp-relay-state',
      });
      if (binding === 'redirect') expect(response.headers.get('location')!.startsWith(`${h.idp.sloUrl}?SAMLResponse=`)).toBe(true);

      expectOAuthError(await refresh(h.server.baseUrl, 'nemlogin', tokens.refresh_token as string), 400, 'invalid_grant');
      expect(await h.introspect(tokens.access_token)).toBe(false);
      // The SSO session is over too: a silent authorization with the browser's cookie as it was cannot be answered.
      const silent = await silentAuthorization(cookieBeforeLogout);
      expect(silent.searchParams.get('error')).toBe('login_required');
      // The client heard of it by back-channel logout.
      const sid = decodeJwt(tokens.access_token).sid as string;
      expect(decodeJwt(await h.receiver.tokenFor(sid))).toMatchObject({ sid, aud: 'patient-app' });
    });
  });

  it('an IdP RelayState over the 80 bytes Bindings §3.4.3 allows a sender still ends the session, and comes back as it went', async () => {
    const { browser, tokens, nameId } = await h.login();
    const relayState = 'r'.repeat(200);
    const { response } = await h.sendLogoutRequest(browser, { binding: 'redirect', nameId, relayState });
    expect(await h.idp.logout.parseResponse(await h.replyOf(response))).toMatchObject({ status: `${STATUS}Success`, relayState });
    expect(await h.introspect(tokens.access_token)).toBe(false);
  });

  /** /auth with prompt=none from a browser with these cookies: where it is sent. */
  async function silentAuthorization(cookie: string): Promise<URL> {
    const url = new URL(`${h.issuer}/protocol/openid-connect/auth`);
    const params = {
      client_id: PUBLIC_CLIENT.clientId,
      redirect_uri: PUBLIC_CLIENT.redirectUri,
      response_type: 'code',
      scope: 'openid',
      prompt: 'none',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await fetch(url.href, { headers: { cookie }, redirect: 'manual' });
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!);
  }

  it('the logout token is a signed logout+jwt that verifies against the realm JWKS, with sid, sub, events and no nonce', async () => {
    const { browser, tokens, nameId } = await h.login();
    await h.sendLogoutRequest(browser, { binding: 'redirect', nameId });
    const token = await h.receiver.tokenFor(decodeJwt(tokens.access_token).sid as string);
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${h.issuer}/protocol/openid-connect/certs`)), {
      issuer: h.issuer,
      audience: 'patient-app',
      typ: 'logout+jwt',
    });
    const access = decodeJwt(tokens.access_token);
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload).toMatchObject({
      sid: access.sid,
      sub: access.sub,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.iat).toEqual(expect.any(Number));
    expect(payload).not.toHaveProperty('nonce');
  });

  it('names sessions by SessionIndex: another session of the same person lives on; without one, every session ends', async () => {
    const first = await h.login('_first');
    const second = await h.login('_second');
    // The same person (NameID) in a second browser, under another SessionIndex.
    const person = first.nameId;
    const other = await samlHttpLogin(h.issuer, h.idp, PUBLIC_CLIENT, {
      attributes: citizenAttributes({ cpr: CPR }),
      nameId: person,
      sessionIndex: '_other',
    });
    await h.sendLogoutRequest(first.browser, { binding: 'redirect', nameId: person, sessionIndexes: ['_first'] });
    expect(await h.introspect(first.tokens.access_token)).toBe(false);
    expect(await h.introspect(other.tokens!.access_token)).toBe(true);
    expect(await h.introspect(second.tokens.access_token)).toBe(true);
    await h.sendLogoutRequest(new CookieJar(), { binding: 'post', nameId: person });
    expect(await h.introspect(other.tokens!.access_token)).toBe(false);
    expect(await h.introspect(second.tokens.access_token)).toBe(true);
  });

  it('names an SSO session renewed by a later login (prompt=login) by the earlier SessionIndex too: it ends', async () => {
    const first = await h.login('_renewed-A');
    // The same person logs in again in the same browser: the SSO session keeps its id and the first
    // client session, and takes the new SessionIndex (sso-session.service.ts establish).
    const second = await samlHttpLogin(
      h.issuer,
      h.idp,
      PUBLIC_CLIENT,
      { attributes: citizenAttributes({ cpr: CPR }), nameId: first.nameId, sessionIndex: '_renewed-B' },
      { browser: first.browser, extra: { prompt: 'login' } },
    );
    const ssoOf = (accessToken: string) => (decodeJwt(accessToken).sid as string).split('.')[0];
    expect(ssoOf(second.tokens!.access_token)).toBe(ssoOf(first.tokens.access_token));
    expect(await h.introspect(first.tokens.access_token)).toBe(true);

    // SAML Core §3.7.3.2: the IdP ends its session _renewed-A, under which the first client session was opened.
    const { response } = await h.sendLogoutRequest(new CookieJar(), {
      binding: 'redirect',
      nameId: first.nameId,
      sessionIndexes: ['_renewed-A'],
    });
    expect((await h.idp.logout.parseResponse(await h.replyOf(response))).status).toBe(`${STATUS}Success`);
    expect(await h.introspect(first.tokens.access_token)).toBe(false);
    expectOAuthError(await refresh(h.server.baseUrl, 'nemlogin', first.tokens.refresh_token as string), 400, 'invalid_grant');
    // The SSO session ended, and every client session in it.
    expect(await h.introspect(second.tokens!.access_token)).toBe(false);
  });

  it('ends the session while a flood of ACS posts fills the login queue: the logout has an allowance of its own', async () => {
    const { browser, tokens, nameId, sessionIndex } = await h.login();
    const workers = h.server.app.get(SamlWorkers);
    const release = fillSamlQueue(workers, 'login');
    try {
      // What the flood has made of the login queue: the next Response or AuthnRequest is shed.
      await expect(workers.authnRequestUrl({} as never)).rejects.toBeInstanceOf(SamlBusyError);
      const { message, response } = await h.sendLogoutRequest(browser, { binding: 'post', nameId, sessionIndexes: [sessionIndex] });
      const answer = await h.idp.logout.parseResponse(await h.replyOf(response));
      expect([answer.inResponseTo, answer.status]).toEqual([message.id, `${STATUS}Success`]);
    } finally {
      release();
    }
    expect(await h.introspect(tokens.access_token)).toBe(false);
    expectOAuthError(await refresh(h.server.baseUrl, 'nemlogin', tokens.refresh_token as string), 400, 'invalid_grant');
  });

  it('a LogoutRequest naming no session here is answered Success, and ends nothing', async () => {
    const { tokens } = await h.login();
    const { response } = await h.sendLogoutRequest(new CookieJar(), { binding: 'redirect', nameId: 'someone-never-seen' });
    expect((await h.idp.logout.parseResponse(await h.replyOf(response))).status).toBe(`${STATUS}Success`);
    expect(await h.introspect(tokens.access_token)).toBe(true);
  });

  it('answers PartialLogout when a client could not be told, and keeps the notification for later', async () => {
    const { browser, tokens, nameId } = await h.login();
    // A second client session in the same SSO session, for the web client, whose endpoint answers 500.
    const web = await webSessionInSso(browser);
    h.receiver.status = 500;
    try {
      const { response } = await h.sendLogoutRequest(browser, { binding: 'redirect', nameId });
      const answer = await h.idp.logout.parseResponse(await h.replyOf(response));
      expect([answer.status, answer.subStatus]).toEqual([`${STATUS}Success`, `${STATUS}PartialLogout`]);
    } finally {
      h.receiver.status = 200;
    }
    expect(await h.introspect(tokens.access_token)).toBe(false);
    const { rows } = await db().query<{ session_id: string; delivered_at: Date | null }>(
      'SELECT session_id, delivered_at FROM backchannel_logouts WHERE session_id = ANY($1) ORDER BY session_id',
      [[decodeJwt(tokens.access_token).sid, web]],
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.delivered_at === null)).toBe(true);
  });

  /** Opens a client session of the web client in the browser's SSO session; returns its sid. */
  async function webSessionInSso(browser: CookieJar): Promise<string> {
    const url = new URL(`${h.issuer}/protocol/openid-connect/auth`);
    const params = { client_id: 'web', redirect_uri: 'http://127.0.0.1/web/callback', response_type: 'code', scope: 'openid' };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await browser.fetch(url.href);
    const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
    const grant = await postForm(
      `${h.issuer}/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1/web/callback' }),
      { authorization: basic('web', TEST_SECRETS.web) },
    );
    return decodeJwt(grant.body.access_token as string).sid as string;
  }

  const db = () => h.server.app.get<Database>(DATABASE);
});

/**
 * `sloWaitMs` bounds only how long the LogoutResponse waits (SAML Core §3.7.3.2: PartialLogout when a
 * client was not told by then); the POST to the client has its whole `timeoutMs` and is recorded
 * like any other attempt (OIDC Back-Channel Logout 1.0 §2.5).
 */
describe('IdP-initiated SAML single logout, with a client slower than sloWaitMs', () => {
  // No background round (the first would come an hour after start): the one attempt is the logout's own.
  const h = sloServerForSuite({ sloWaitMs: 0, maxAttempts: 1, intervalMs: 3_600_000 });

  it('answers PartialLogout without waiting for the client, whose one attempt still delivers the logout token', async () => {
    const { browser, tokens, nameId } = await h.login();
    const sid = decodeJwt(tokens.access_token).sid as string;
    const release = h.receiver.hold();
    try {
      const { response } = await h.sendLogoutRequest(browser, { binding: 'redirect', nameId });
      const answer = await h.idp.logout.parseResponse(await h.replyOf(response));
      expect([answer.status, answer.subStatus]).toEqual([`${STATUS}Success`, `${STATUS}PartialLogout`]);
    } finally {
      release();
    }
    const row = await attemptRecorded(h.server.app.get<Database>(DATABASE), sid);
    expect(row).toMatchObject({ attempts: 1, delivered_at: expect.any(Date), failed_at: null });
    expect(decodeJwt(await h.receiver.tokenFor(sid))).toMatchObject({ sid, aud: 'patient-app' });
  });
});
