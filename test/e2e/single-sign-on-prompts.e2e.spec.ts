import { decodeJwt } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { CookieJar } from '../support/cookie-jar.js';
import { APP, ssoServerForSuite, WEB } from '../support/single-sign-on-server.js';

/** Single sign-on (single-sign-on.e2e.spec.ts) as prompt, id_token_hint and max_age ask for it (OIDC Core §3.1.2.1). */
describe('single sign-on', () => {
  const h = ssoServerForSuite();

  it('prompt=none: a code with an SSO session; login_required without one, in the requested response mode', async () => {
    const browser = new CookieJar();
    const none = await h.authorization(h.app, APP.redirectUri, { prompt: 'none' });
    const refused = await h.authorize(browser, none.url);
    expect(refused.origin + refused.pathname).toBe(APP.redirectUri);
    expect(Object.fromEntries(refused.searchParams)).toEqual({ error: 'login_required', state: none.state, iss: h.issuer });

    const inFragment = await h.authorization(h.app, APP.redirectUri, { prompt: 'none', response_mode: 'fragment' });
    const fragment = await h.authorize(browser, inFragment.url);
    expect(fragment.search).toBe('');
    expect(Object.fromEntries(new URLSearchParams(fragment.hash.slice(1)))).toEqual({
      error: 'login_required',
      state: inFragment.state,
      iss: h.issuer,
    });

    await h.loginAtIdp(browser, h.web, WEB.redirectUri);
    const silent = await h.authorization(h.app, APP.redirectUri, { prompt: 'none' });
    const tokens = await h.redeem(h.app, await h.authorize(browser, silent.url), silent);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ client_id: 'patient-app', patient: 'demo-patient-nancy' });
  });

  it('id_token_hint: the SSO session answers only for the person the hint names (OIDC Core §3.1.2.1)', async () => {
    const alices = new CookieJar();
    const alice = await h.loginAtIdp(alices, h.app, APP.redirectUri);
    const bob = await h.loginAtIdp(new CookieJar(), h.app, APP.redirectUri, 'bob');
    const silently = async (hint: string) =>
      h.authorize(alices, (await h.authorization(h.web, WEB.redirectUri, { prompt: 'none', id_token_hint: hint })).url);

    expect((await silently(alice.id_token!)).searchParams.get('code')).toEqual(expect.any(String));
    for (const hint of [bob.id_token!, `${alice.id_token!}x`, 'not-a-token', 'x'.repeat(9000)]) {
      expect((await silently(hint)).searchParams.get('error')).toBe('login_required');
    }
    // Without prompt=none the hinted person is asked to log in, and Alice's session is left as it is.
    const request = await h.authorization(h.web, WEB.redirectUri, { id_token_hint: bob.id_token! });
    expect(h.isMockPage(await h.authorize(alices, request.url))).toBe(true);
    expect((await h.refreshOf('patient-app', alice.refresh_token!)).status).toBe(200);
  });

  // A shared ward workstation: the app asks for Bob again, and Alice logs in at the IdP. The client
  // expects the person its hint names, so another gets login_required (OIDC Core §3.1.2.1: "otherwise,
  // it SHOULD return an error"), and nothing of her login is kept for it.
  it('id_token_hint: a login at the IdP completes only for the hinted person; another gets login_required', async () => {
    const bob = await h.loginAtIdp(new CookieJar(), h.app, APP.redirectUri, 'bob');
    const browser = new CookieJar();
    const request = await h.authorization(h.web, WEB.redirectUri, { id_token_hint: bob.id_token! });
    const answer = await h.pickMockUser(browser, await h.authorize(browser, request.url), 'alice');
    expect(answer.origin + answer.pathname).toBe(WEB.redirectUri);
    expect(Object.fromEntries(answer.searchParams)).toEqual({ error: 'login_required', state: request.state, iss: h.issuer });
    // No SSO session was made for Alice: the next silent request has none to answer from.
    const silent = await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { prompt: 'none' })).url);
    expect(silent.searchParams.get('error')).toBe('login_required');
    const { rows } = await h.server.app
      .get<Database>(DATABASE)
      .query("SELECT client_id, error FROM audit_events WHERE type = 'LOGIN_ERROR' ORDER BY occurred_at DESC, id DESC LIMIT 1");
    expect(rows).toEqual([{ client_id: WEB.clientId, error: 'not_the_hinted_user' }]);

    // Bob himself, in the same browser, completes as ever.
    const again = await h.authorization(h.web, WEB.redirectUri, { id_token_hint: bob.id_token! });
    const tokens = await h.redeem(h.web, await h.pickMockUser(browser, await h.authorize(browser, again.url), 'bob'), again);
    expect(decodeJwt(tokens.id_token!).sub).toBe(decodeJwt(bob.id_token!).sub);
  });

  it('prompt=login and max_age send the person to the IdP despite the SSO session; a recent enough login does not', async () => {
    const browser = new CookieJar();
    await h.loginAtIdp(browser, h.app, APP.redirectUri);
    expect(h.isMockPage(await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { prompt: 'login' })).url))).toBe(true);
    expect(h.isMockPage(await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { max_age: '0' })).url))).toBe(true);
    h.clock.advance(120);
    expect(h.isMockPage(await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { max_age: '60' })).url))).toBe(true);
    const recent = await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { max_age: '600' })).url);
    expect(recent.origin + recent.pathname).toBe(WEB.redirectUri);
    // prompt=none cannot meet a max_age the SSO session's authentication is older than.
    const tooOld = await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { prompt: 'none', max_age: '60' })).url);
    expect(tooOld.searchParams.get('error')).toBe('login_required');
  });

  it('prompt=select_account goes to the IdP, where alone a person can choose (never the last person’s session); consent does not', async () => {
    const browser = new CookieJar();
    await h.loginAtIdp(browser, h.app, APP.redirectUri);
    const select = await h.authorization(h.web, WEB.redirectUri, { prompt: 'select_account' });
    expect(h.isMockPage(await h.authorize(browser, select.url))).toBe(true);
    const consent = await h.authorize(browser, (await h.authorization(h.web, WEB.redirectUri, { prompt: 'consent' })).url);
    expect(consent.origin + consent.pathname).toBe(WEB.redirectUri);
    expect(consent.searchParams.get('code')).toEqual(expect.any(String));
  });
});
