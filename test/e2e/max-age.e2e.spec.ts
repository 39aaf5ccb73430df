import { createHash, randomBytes } from 'node:crypto';
import { cookiesFrom } from '../support/browser-cookies.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import type { TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';
const MINUTE = 60_000;

/**
 * OIDC Core §3.1.2.1 `max_age` end to end: the AuthnRequest asks the IdP to re-authenticate
 * (SAML Core §3.4.1 ForceAuthn), and a login whose authentication is older than max_age is refused.
 */
describe('max_age at /auth', () => {
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    ({ server, idp, issuer } = await startSamlTestServer());
  });
  afterAll(() => server.close());

  async function authorize(params: Record<string, string>) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${issuer}/protocol/openid-connect/auth`);
    const all = {
      client_id: 'patient-app',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    };
    for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
    const response = await fetch(url, { redirect: 'manual' });
    return { response, cookie: cookiesFrom(response), location: response.headers.get('location') ?? '' };
  }

  const acs = (form: Record<string, string>, cookie: string) =>
    fetch(idp.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(form).toString(),
    });

  const callback = (response: Response) => new URL(response.headers.get('location') ?? 'http://x/');

  it('refuses a max_age that is not a non-negative integer with invalid_request to the client', async () => {
    const { response, location } = await authorize({ max_age: '-5', kc_idp_hint: 'nemlog-in' });
    expect(response.status).toBe(303);
    expect([new URL(location).searchParams.get('error'), new URL(location).searchParams.get('state')]).toEqual(['invalid_request', 'st']);
  });

  it('asks the IdP for ForceAuthn with max_age, and not without', async () => {
    const forced = await authorize({ max_age: '300', kc_idp_hint: 'nemlog-in' });
    expect((await idp.parseAuthnRequest(forced.location)).xml).toMatch(/ForceAuthn="true"/);
    const plain = await authorize({ kc_idp_hint: 'nemlog-in' });
    expect((await idp.parseAuthnRequest(plain.location)).xml).not.toMatch(/ForceAuthn="true"/);
  });

  it('asks for ForceAuthn with prompt=login (OIDC Core §3.1.2.1), and refuses an authentication older than the request', async () => {
    const start = await authorize({ prompt: 'login', kc_idp_hint: 'nemlog-in' });
    expect((await idp.parseAuthnRequest(start.location)).xml).toMatch(/ForceAuthn="true"/);
    const { form: old } = await idp.respondTo(start.location, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      authnInstant: new Date(Date.now() - 10 * MINUTE),
    });
    expect(callback(await acs(old, start.cookie)).searchParams.get('error')).toBe('access_denied');

    const again = await authorize({ prompt: 'login', kc_idp_hint: 'nemlog-in' });
    const { form } = await idp.respondTo(again.location, { attributes: citizenAttributes({ cpr: '0101011234' }) });
    expect(callback(await acs(form, again.cookie)).searchParams.get('code')).toBeTruthy();
  });

  it('asks for ForceAuthn also when the IdP is chosen on the chooser page', async () => {
    const start = await authorize({ max_age: '300' });
    const link = /href="([^"]*\/broker\/nemlog-in\/login\?tx=[^"]+)"/.exec(await start.response.text())?.[1];
    expect(link).toBeDefined();
    const toIdp = await fetch(link!.replace(/&amp;/g, '&'), { redirect: 'manual', headers: { cookie: start.cookie } });
    expect((await idp.parseAuthnRequest(toIdp.headers.get('location')!)).xml).toMatch(/ForceAuthn="true"/);
  });

  it('refuses an authentication older than max_age (ending the login), and accepts a fresh one', async () => {
    const stale = await authorize({ max_age: '300', kc_idp_hint: 'nemlog-in' });
    const { form: old } = await idp.respondTo(stale.location, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      authnInstant: new Date(Date.now() - 10 * MINUTE),
    });
    const refused = callback(await acs(old, stale.cookie));
    expect([refused.searchParams.get('error'), refused.searchParams.get('code')]).toEqual(['access_denied', null]);

    const fresh = await authorize({ max_age: '300', kc_idp_hint: 'nemlog-in' });
    const { form } = await idp.respondTo(fresh.location, { attributes: citizenAttributes({ cpr: '0101011234' }) });
    expect(callback(await acs(form, fresh.cookie)).searchParams.get('code')).toBeTruthy();
  });

  it('removes the binding cookie of a login it ends with access_denied, and keeps the login’s answer', async () => {
    const stale = await authorize({ max_age: '300', kc_idp_hint: 'nemlog-in' });
    const name = stale.cookie.split('=')[0]!;
    expect(name).toMatch(/^federation_login_/);
    const { form: old } = await idp.respondTo(stale.location, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      authnInstant: new Date(Date.now() - 10 * MINUTE),
    });
    const refused = await acs(old, stale.cookie);
    expect(callback(refused).searchParams.get('error')).toBe('access_denied');
    expect(refused.headers.getSetCookie()).toEqual([
      `${name}=; Path=/realms/nemlogin/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=None; Secure`,
    ]);
  });

  it('max_age=0 accepts an authentication made in answer to this request', async () => {
    const start = await authorize({ max_age: '0', kc_idp_hint: 'nemlog-in' });
    const { form } = await idp.respondTo(start.location, { attributes: citizenAttributes({ cpr: '0101011234' }) });
    expect(callback(await acs(form, start.cookie)).searchParams.get('code')).toBeTruthy();
  });

  it('a mocked user authenticates now, so any max_age is met', async () => {
    const start = await authorize({ max_age: '0', kc_idp_hint: 'mock' });
    const page = await fetch(start.location, { headers: { cookie: start.cookie } });
    const tx = /name="tx" value="([^"]+)"/.exec(await page.text())![1];
    const posted = await fetch(`${issuer}/broker/mock/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: start.cookie },
      body: new URLSearchParams({ tx, username: 'alice' }).toString(),
    });
    expect(callback(posted).searchParams.get('code')).toBeTruthy();
  });
});
