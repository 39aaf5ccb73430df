import { decodeJwt } from 'jose';
import { SamlWorkers } from '../../src/saml/saml-workers.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { fillSamlQueue } from '../support/saml/full-saml-queue.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { inflateRedirectMessage } from '../support/saml/test-idp-logout.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import type { TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const BYE = 'http://127.0.0.1/bye';
const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';
const NAME_ID = 'https://data.gov.dk/model/core/eid/person/uuid/5b1f0e0c-0d1f-4c2a-9f3e-1b2c3d4e5f61';

/**
 * SP-initiated SAML single logout (SAML Profiles §4.4.3.1): RP-initiated logout of a session whose
 * IdP has a SingleLogoutService ends the session here first, then sends the browser to the IdP with a
 * signed LogoutRequest naming the login's NameID and SessionIndex; the IdP's LogoutResponse at the
 * broker endpoint, bound to that request by InResponseTo and RelayState, sends it on to the
 * registered post_logout_redirect_uri.
 */
describe('SP-initiated SAML single logout', () => {
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    ({ server, idp, issuer } = await startSamlTestServer({
      slo: true,
      patch: (raw) => {
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [BYE];
      },
    }));
  });
  afterAll(() => server?.close());

  const login = async (sessionIndex: string) => {
    const { tokens, browser } = await samlHttpLogin(issuer, idp, CLIENT, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      nameId: NAME_ID,
      sessionIndex,
    });
    return { tokens: tokens!, browser };
  };

  /** The log lines saying an IdP did not confirm a logout of ours, since the last call. */
  let linesRead = 0;
  const unconfirmedLogouts = () => {
    const lines = server.logs.slice(linesRead);
    linesRead = server.logs.length;
    return lines
      .map((line) => JSON.parse(line) as { msg?: string; status?: string; subStatus?: string })
      .filter((line) => line.msg === 'IdP did not confirm the logout: its own session may go on')
      .map(({ status, subStatus }) => ({ status, subStatus }));
  };

  const introspect = async (token: string) =>
    (
      await postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body.active;

  /** RP-initiated logout in the browser: where it is sent. */
  async function rpLogout(browser: { fetch(url: string): Promise<Response> }, idToken: string, extra: Record<string, string> = {}) {
    const params = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'bye-state', ...extra });
    const response = await browser.fetch(`${issuer}/protocol/openid-connect/logout?${params}`);
    expect(response.status).toBe(303);
    return response.headers.get('location')!;
  }

  it('round trip: the session ends here, the IdP gets a verifiable LogoutRequest, its LogoutResponse returns the browser to the client', async () => {
    const { tokens, browser } = await login('_sp-1');
    const toIdp = await rpLogout(browser, tokens.id_token as string);
    expect(toIdp.startsWith(`${idp.sloUrl}?SAMLRequest=`)).toBe(true);
    const request = await idp.logout.parseRequest(toIdp);
    expect(request).toMatchObject({
      destination: idp.sloUrl,
      issuer,
      nameId: NAME_ID,
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      sessionIndex: '_sp-1',
    });
    expect(inflateRedirectMessage(toIdp, 'SAMLRequest')).toMatch(/NotOnOrAfter="[^"]+Z"/);

    // The session here ended before the IdP answered anything.
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string), 400, 'invalid_grant');
    expect(await introspect(tokens.access_token as string)).toBe(false);

    const answer = idp.logout.response({ binding: 'redirect', inResponseTo: request.id, relayState: request.relayState });
    const back = await browser.fetch(answer.url);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${BYE}?state=bye-state`);
    expect(unconfirmedLogouts()).toEqual([]);
    // The request is used up: the same answer again returns no one anywhere.
    const again = await browser.fetch(answer.url);
    expect([again.status, again.headers.get('location')]).toEqual([200, null]);
  });

  it('whatever the IdP answers (a POSTed failure status), the browser returns to the client', async () => {
    const { tokens, browser } = await login('_sp-2');
    const request = await idp.logout.parseRequest(await rpLogout(browser, tokens.id_token as string));
    const answer = idp.logout.response({
      binding: 'post',
      inResponseTo: request.id,
      relayState: request.relayState,
      status: `${STATUS}Responder`,
      subStatus: `${STATUS}PartialLogout`,
    });
    const back = await browser.fetch(answer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(answer.form).toString(),
    } as RequestInit);
    expect([back.status, back.headers.get('location')]).toEqual([303, `${BYE}?state=bye-state`]);
    // The operator reads that the person's session at the IdP may go on.
    expect(unconfirmedLogouts()).toEqual([{ status: `${STATUS}Responder`, subStatus: `${STATUS}PartialLogout` }]);
  });

  it('a LogoutResponse not bound to the request (another RelayState, another InResponseTo, unsigned) sends no one to the client', async () => {
    const { tokens, browser } = await login('_sp-3');
    const request = await idp.logout.parseRequest(await rpLogout(browser, tokens.id_token as string));
    for (const answer of [
      idp.logout.response({ binding: 'redirect', inResponseTo: request.id, relayState: 'another-relay-state' }),
      idp.logout.response({ binding: 'redirect', inResponseTo: '_another-request', relayState: request.relayState }),
      idp.logout.response({ binding: 'redirect', inResponseTo: request.id, relayState: request.relayState, sign: false }),
    ]) {
      const back = await browser.fetch(answer.url);
      expect(back.headers.get('location')).toBeNull();
    }
    // The pending request survived the wrong answers (a RelayState mismatch leaves it), so the right one still works.
    const right = idp.logout.response({ binding: 'redirect', inResponseTo: request.id, relayState: request.relayState });
    expect((await browser.fetch(right.url)).headers.get('location')).toBe(`${BYE}?state=bye-state`);
  });

  it('without a post_logout_redirect_uri the IdP round trip ends on the logged-out page', async () => {
    const { tokens, browser } = await login('_sp-4');
    const response = await browser.fetch(
      `${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`,
    );
    const request = await idp.logout.parseRequest(response.headers.get('location')!);
    const back = await browser.fetch(
      idp.logout.response({ binding: 'redirect', inResponseTo: request.id, relayState: request.relayState }).url,
    );
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('logged out');
    expect(await introspect(tokens.access_token as string)).toBe(false);
  });

  /**
   * The LogoutRequest is signed in the worker pool, which sheds a task when its queue is full. The
   * person must not be told they are logged out while their session at the IdP goes on: the logout is
   * refused before anything here ends, and the same request, retried, logs them out at both.
   */
  describe('when the SAML worker queue is full', () => {
    const db = () => server.app.get<Database>(DATABASE);
    /** What the audit trail and the pending requests hold of this session: its LOGOUTs, and LogoutRequests awaiting an answer. */
    async function traces(accessToken: string): Promise<{ logouts: number; pendingLogouts: number }> {
      const { sid } = decodeJwt(accessToken) as { sid: string };
      const logouts = await db().query("SELECT 1 FROM audit_events WHERE type = 'LOGOUT' AND session_id = $1", [sid]);
      const pending = await db().query("SELECT 1 FROM saml_pending_requests WHERE kind = 'logout'");
      return { logouts: logouts.rows.length, pendingLogouts: pending.rows.length };
    }
    /** `fetch` while every SAML worker is busy and the queue full. */
    async function whileFull(fetch: () => Promise<Response>): Promise<Response> {
      const release = fillSamlQueue(server.app.get(SamlWorkers));
      try {
        return await fetch();
      } finally {
        release();
      }
    }
    async function expectRefusedUnchanged(busy: Response, browser: { get(name: string): string | undefined }, accessToken: string) {
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(busy.headers.get('location')).toBeNull();
      expect(busy.headers.get('set-cookie')).toBeNull();
      expect(busy.headers.get('cache-control')).toBe('no-store');
      expect(await busy.text()).toContain('still logged in');
      expect(browser.get('KEYCLOAK_IDENTITY')).toEqual(expect.any(String));
      expect(await introspect(accessToken)).toBe(true);
    }

    it('with id_token_hint: 503 with Retry-After before anything ends; the same link again logs out here and at the IdP', async () => {
      const { tokens, browser } = await login('_sp-busy-1');
      const before = await traces(tokens.access_token as string);
      const params = new URLSearchParams({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: BYE, state: 'bye-state' });
      const link = `${issuer}/protocol/openid-connect/logout?${params}`;

      await expectRefusedUnchanged(await whileFull(() => browser.fetch(link)), browser, tokens.access_token as string);
      expect(await traces(tokens.access_token as string)).toEqual(before);

      const toIdp = await browser.fetch(link);
      expect(toIdp.status).toBe(303);
      const request = await idp.logout.parseRequest(toIdp.headers.get('location')!);
      expect(request).toMatchObject({ nameId: NAME_ID, sessionIndex: '_sp-busy-1' });
      expect(await introspect(tokens.access_token as string)).toBe(false);
      expect((await traces(tokens.access_token as string)).logouts).toBe(before.logouts + 1);
      const back = await browser.fetch(
        idp.logout.response({ binding: 'redirect', inResponseTo: request.id, relayState: request.relayState }).url,
      );
      expect(back.headers.get('location')).toBe(`${BYE}?state=bye-state`);

      // The link once more: its session is over, so nothing is signed, and a full queue does not stand in the way.
      const again = await whileFull(() => browser.fetch(link));
      expect([again.status, again.headers.get('location')]).toEqual([303, `${BYE}?state=bye-state`]);
    });

    it('confirmed without id_token_hint: 503 before anything ends; the confirmation posted again logs out here and at the IdP', async () => {
      const { tokens, browser } = await login('_sp-busy-2');
      const page = await (await browser.fetch(`${issuer}/protocol/openid-connect/logout`)).text();
      const confirmation = /name="confirmation" value="([^"]+)"/.exec(page)![1]!;
      const confirm = () =>
        browser.fetch(`${issuer}/protocol/openid-connect/logout/confirm`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ confirmation }).toString(),
        });
      const before = await traces(tokens.access_token as string);

      await expectRefusedUnchanged(await whileFull(confirm), browser, tokens.access_token as string);
      expect(await traces(tokens.access_token as string)).toEqual(before);

      const toIdp = await confirm();
      expect(toIdp.status).toBe(303);
      expect(await idp.logout.parseRequest(toIdp.headers.get('location')!)).toMatchObject({ sessionIndex: '_sp-busy-2' });
      expect(await introspect(tokens.access_token as string)).toBe(false);
      expect(browser.get('KEYCLOAK_IDENTITY')).toBeUndefined();
    });
  });
});
