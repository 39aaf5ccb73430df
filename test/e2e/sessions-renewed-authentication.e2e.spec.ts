import { decodeJwt } from 'jose';
import { PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { startSamlTestServer, type SamlTestServer } from '../support/saml/saml-test-server.js';

/**
 * A client session lives inside its SSO session (README "Single sign-on"): when the same person logs
 * in again in the browser (prompt=login, max_age) and the IdP's new `SessionNotOnOrAfter` (SAML Core
 * §2.7.2) comes sooner, the SSO session's maximum moves earlier, and so does that of every client
 * session already in it: no token of theirs states a life (`exp`, `refresh_expires_in`) the SSO
 * session no longer has.
 */
describe('sessions: an authentication renewed with an earlier SessionNotOnOrAfter', () => {
  let h: SamlTestServer;

  beforeAll(async () => {
    h = await startSamlTestServer();
  });
  afterAll(() => h.server.close());

  const person = { attributes: citizenAttributes({ cpr: '0101011111' }), nameId: 'renewed-person' };

  it('caps the client sessions already in the SSO session at its new maximum', async () => {
    const started = Math.floor(Date.now() / 1000);
    const first = await samlHttpLogin(h.issuer, h.idp, PUBLIC_CLIENT, { ...person, sessionNotOnOrAfter: 3600 });
    // The idle period (1,800 s), not the IdP's later maximum: counted from the session's start at the ACS,
    // so less the whole seconds the redirects to the code's redemption took (on a slow machine, one).
    const took = Math.floor(Date.now() / 1000) - started;
    expect(first.tokens!.refresh_expires_in).toBeLessThanOrEqual(1800);
    expect(first.tokens!.refresh_expires_in).toBeGreaterThanOrEqual(1800 - took);

    const renewed = await samlHttpLogin(
      h.issuer,
      h.idp,
      PUBLIC_CLIENT,
      { ...person, sessionNotOnOrAfter: 600 },
      { browser: first.browser, extra: { prompt: 'login' } },
    );
    const ssoOf = (accessToken: string) => (decodeJwt(accessToken).sid as string).split('.')[0];
    expect(ssoOf(renewed.tokens!.access_token)).toBe(ssoOf(first.tokens!.access_token));
    expect(renewed.tokens!.refresh_expires_in).toBeLessThanOrEqual(600);

    const refreshed = await refresh(h.server.baseUrl, 'nemlogin', first.tokens!.refresh_token as string);
    expect(refreshed.status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect(refreshed.body.refresh_expires_in).toBeLessThanOrEqual(600);
    expect(decodeJwt(refreshed.body.refresh_token as string).exp).toBeLessThanOrEqual(now + 600);
    expect(decodeJwt(refreshed.body.access_token as string).exp).toBeLessThanOrEqual(now + 600);
  });
});
