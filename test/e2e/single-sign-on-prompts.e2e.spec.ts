import { decodeJwt } from 'jose';
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
});
