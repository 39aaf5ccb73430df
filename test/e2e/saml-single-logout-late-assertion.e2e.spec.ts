import { CookieJar } from '../support/cookie-jar.js';
import { PUBLIC_CLIENT } from '../support/login-flow.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { postToAcs, samlHttpLogin, startSamlLogin } from '../support/saml/saml-http-login.js';
import { CPR, STATUS, sloServerForSuite } from '../support/saml/slo-server.js';
import type { LogoutRequestOptions } from '../support/saml/test-idp-logout.js';
import { DATABASE, type Database } from '../../src/storage/database.js';

/**
 * SAML Core §3.7.3.2: "The session participant MUST apply the logout request message to any
 * assertion that meets the following conditions, even if the assertion arrives after the logout
 * request." The person's browser is mid-login (the IdP has issued its Response) when the national IdP
 * logs them out everywhere; the Response then reaches the ACS. Over real HTTP with the samlify IdP.
 */
describe('IdP-initiated SAML single logout: an assertion arriving after the LogoutRequest that covers it', () => {
  const h = sloServerForSuite();
  const db = () => h.server.app.get<Database>(DATABASE);
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
  let people = 0;
  const newPerson = () => `https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-late${String(++people).padStart(8, '0')}`;

  /** A login started in a browser of its own, and the IdP's Response to it (issued 10 s ago), not yet posted. */
  async function pendingLogin(nameId: string, sessionIndex: string) {
    const browser = new CookieJar();
    const { location } = await startSamlLogin(h.issuer, h.idp, PUBLIC_CLIENT, browser);
    const { form } = await h.idp.respondTo(location, { attributes: citizenAttributes({ cpr: CPR }), nameId, sessionIndex, now: ago(10) });
    return { browser, form };
  }

  /** The IdP's LogoutRequest (issued 5 s ago, after the Response), from a browser of its own; answered Success. */
  async function idpLogsOut(options: Omit<LogoutRequestOptions, 'now'>) {
    const { response } = await h.sendLogoutRequest(new CookieJar(), { ...options, now: ago(5) });
    expect((await h.idp.logout.parseResponse(await h.replyOf(response))).status).toBe(`${STATUS}Success`);
  }

  /** Posts the pending Response to the ACS: where the browser was sent back to the client. */
  async function post(pending: Awaited<ReturnType<typeof pendingLogin>>): Promise<URL> {
    const back = await postToAcs(h.idp, pending.browser, pending.form);
    expect(back.status).toBe(303);
    return new URL(back.headers.get('location')!);
  }

  const lastLoginError = async () =>
    (
      await db().query<{ error: string; idp_alias: string }>(
        `SELECT error, idp_alias FROM audit_events WHERE type = 'LOGIN_ERROR' ORDER BY occurred_at DESC, id DESC LIMIT 1`,
      )
    ).rows[0];
  const ssoSessions = async () => (await db().query('SELECT 1 FROM sso_sessions')).rows.length;

  it.each(['redirect', 'post'] as const)(
    'by HTTP-%s: the Response issued before it is refused, access_denied to the client, no session',
    async (binding) => {
      const nameId = newPerson();
      const pending = await pendingLogin(nameId, '_mid-login');
      await idpLogsOut({ binding, nameId, sessionIndexes: ['_other', '_mid-login'] });
      const sessionsBefore = await ssoSessions();

      const callback = await post(pending);
      expect(`${callback.origin}${callback.pathname}`).toBe(PUBLIC_CLIENT.redirectUri);
      expect([callback.searchParams.get('error'), callback.searchParams.get('state'), callback.searchParams.get('code')]).toEqual([
        'access_denied',
        'st',
        null,
      ]);
      expect(await ssoSessions()).toBe(sessionsBefore);
      expect(pending.browser.header()).not.toContain('KEYCLOAK_IDENTITY=');
      expect(await lastLoginError()).toEqual({ error: 'logged_out_at_idp', idp_alias: 'nemlog-in' });
      // The NameID (it may carry a national identifier) is neither stored in clear nor logged.
      const stored = await db().query('SELECT * FROM saml_idp_logouts');
      expect(JSON.stringify(stored.rows)).not.toContain(nameId);
      expect(h.server.logs.join('\n')).not.toContain(nameId);
      expect(h.server.logs.join('\n')).not.toContain(CPR);
    },
  );

  it('a LogoutRequest naming no SessionIndex covers the pending Response; a fresh login afterwards, issued after it, succeeds', async () => {
    const nameId = newPerson();
    const pending = await pendingLogin(nameId, '_mid-login');
    await idpLogsOut({ binding: 'redirect', nameId });
    expect((await post(pending)).searchParams.get('error')).toBe('access_denied');

    // The person logs in again at the IdP: a new assertion, issued now, under the same SessionIndex even.
    const again = await samlHttpLogin(h.issuer, h.idp, PUBLIC_CLIENT, {
      attributes: citizenAttributes({ cpr: CPR }),
      nameId,
      sessionIndex: '_mid-login',
    });
    expect(again.callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(await h.introspect(again.tokens!.access_token)).toBe(true);
  });

  it('a LogoutRequest naming another SessionIndex of the person, or another person, does not block the login', async () => {
    const nameId = newPerson();
    const pending = await pendingLogin(nameId, '_mine');
    await idpLogsOut({ binding: 'redirect', nameId, sessionIndexes: ['_another'] });
    await idpLogsOut({ binding: 'post', nameId: newPerson(), sessionIndexes: ['_mine'] });
    const callback = await post(pending);
    expect(callback.searchParams.get('error')).toBeNull();
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
  });
});
