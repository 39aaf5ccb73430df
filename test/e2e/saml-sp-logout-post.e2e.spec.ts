import { FORM_POST_CSP } from '../../src/login/pages/form-post.page.js';
import { freePort } from '../support/free-port.js';
import { refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURES, testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { idpMetadataXml } from '../support/saml/idp-metadata-xml.js';
import { MetadataServer } from '../support/saml/metadata-server.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const BYE = 'http://127.0.0.1/bye';
const NAME_ID = 'https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-0000000bb001';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/**
 * SP-initiated SAML single logout (SAML Profiles §4.4.3.1) to an IdP whose metadata lists only an
 * HTTP-POST SingleLogoutService: the LogoutRequest goes by a self-posting form (SAML Bindings §3.5),
 * its XML signed enveloped (§3.5.4), where before it went by HTTP-Redirect only and such an IdP got
 * nothing. The IdP is samlify, configured with that one binding, and verifies what the form posts.
 */
describe('SP-initiated SAML single logout to an IdP with HTTP-POST single logout only', () => {
  let server: TestServer;
  let metadata: MetadataServer;
  let idp: TestIdp;
  /** Configured by hand, without metadata: `sloUrl` with `sloBinding: post`. */
  let byHand: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    metadata = await MetadataServer.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/nemlogin`;
    idp = await TestIdp.create({ realmIssuer: issuer, alias: 'post-slo', entityId: 'https://idp.test/post-slo', sloBindings: ['post'] });
    byHand = await TestIdp.create({ realmIssuer: issuer, alias: 'post-slo-by-hand', sloBindings: ['post'] });
    const xml = idpMetadataXml({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, signingCertificates: [SAML_FIXTURES.idpSigningCertificate] });
    const endpoint = `<md:SingleLogoutService Binding="${POST}" Location="${idp.sloUrl}"/>`;
    metadata.serve('/post-slo', { body: xml.replace('<md:NameIDFormat>', `${endpoint}<md:NameIDFormat>`) });
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[0].identityProviders = [
          { alias: 'post-slo', profile: 'oiosaml3-citizen', metadataUrl: metadata.url('/post-slo') },
          byHand.idpConfig('oiosaml3-citizen', { sloUrl: byHand.sloUrl, sloBinding: 'post' }),
        ];
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').postLogoutRedirectUris = [BYE];
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await metadata?.close();
  });

  const introspect = async (token: string) =>
    (
      await postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body.active;

  it('posts a signed LogoutRequest the IdP verifies, after ending the session here; its answer returns the browser to the client', async () => {
    const { tokens, browser } = await samlHttpLogin(issuer, idp, CLIENT, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      nameId: NAME_ID,
      sessionIndex: '_post-slo-1',
    });
    const params = new URLSearchParams({ id_token_hint: tokens!.id_token as string, post_logout_redirect_uri: BYE, state: 'bye-state' });
    const page = await browser.fetch(`${issuer}/protocol/openid-connect/logout?${params}`);

    // The self-posting form page, with the headers of every such page (logout-reply.ts, html-reply.ts).
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(FORM_POST_CSP);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(/<form method="post" action="([^"]+)"/.exec(html)?.[1]).toBe(idp.sloUrl);
    const form = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(form).sort()).toEqual(['RelayState', 'SAMLRequest']);

    // What the browser posts to the IdP, verified by samlify against the SP certificate.
    const request = await idp.logout.parseRequest({ form });
    expect(request).toMatchObject({ destination: idp.sloUrl, issuer, nameId: NAME_ID, sessionIndex: '_post-slo-1' });
    // samlify does check the enveloped signature: another NameID in the same XML is refused.
    const xml = Buffer.from(form.SAMLRequest, 'base64').toString('utf8');
    const forged = Buffer.from(xml.replace(NAME_ID, `${NAME_ID.slice(0, -1)}2`), 'utf8').toString('base64');
    await expect(idp.logout.parseRequest({ form: { ...form, SAMLRequest: forged } })).rejects.toBeDefined();

    // The session here ended before the IdP answered anything.
    expect(await introspect(tokens!.access_token as string)).toBe(false);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens!.refresh_token as string), 400, 'invalid_grant');

    const answer = idp.logout.response({ binding: 'post', inResponseTo: request.id, relayState: request.relayState });
    const back = await browser.fetch(answer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(answer.form).toString(),
    } as RequestInit);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${BYE}?state=bye-state`);
  });

  /** The form page's action and hidden fields (the self-posting form of logout-reply.ts sendToIdp). */
  async function selfPostingForm(page: Response): Promise<{ action?: string; form: Record<string, string> }> {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(FORM_POST_CSP);
    const html = await page.text();
    const form = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    return { action: /<form method="post" action="([^"]+)"/.exec(html)?.[1], form };
  }

  it('posts the LogoutRequest to a hand-written sloUrl configured sloBinding: post (no metadata), and the IdP verifies it', async () => {
    const nameId = `${NAME_ID.slice(0, -3)}b02`;
    const { tokens, browser } = await samlHttpLogin(issuer, byHand, CLIENT, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      nameId,
      sessionIndex: '_by-hand-1',
    });
    const params = new URLSearchParams({ id_token_hint: tokens!.id_token as string, post_logout_redirect_uri: BYE, state: 'by-hand' });
    const { action, form } = await selfPostingForm(await browser.fetch(`${issuer}/protocol/openid-connect/logout?${params}`));
    expect(action).toBe(byHand.sloUrl);
    const request = await byHand.logout.parseRequest({ form });
    expect(request).toMatchObject({ destination: byHand.sloUrl, issuer, nameId, sessionIndex: '_by-hand-1' });
    expect(await introspect(tokens!.access_token as string)).toBe(false);

    const answer = byHand.logout.response({ binding: 'post', inResponseTo: request.id, relayState: request.relayState });
    const back = await browser.fetch(answer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(answer.form).toString(),
    } as RequestInit);
    expect([back.status, back.headers.get('location')]).toEqual([303, `${BYE}?state=by-hand`]);
  });

  /**
   * IdP-initiated: such an IdP's LogoutRequest by HTTP-Redirect has no HTTP-Redirect endpoint to be
   * answered at; it is answered by HTTP-POST at its HTTP-POST one (SAML Bindings §3.4.1: HTTP-Redirect
   * may be composed with HTTP-POST, a request by one answered by the other), where before the IdP got
   * no LogoutResponse and its logout of the person's other SPs stopped here.
   */
  it.each([
    ['from its metadata', () => idp, '_idp-initiated-1', 'b03'],
    ['configured by hand', () => byHand, '_idp-initiated-2', 'b04'],
  ])('answers its LogoutRequest by HTTP-Redirect with a LogoutResponse by HTTP-POST (%s)', async (_name, which, sessionIndex, tail) => {
    const sender = which();
    const nameId = `${NAME_ID.slice(0, -3)}${tail}`;
    const { tokens, browser } = await samlHttpLogin(issuer, sender, CLIENT, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      nameId,
      sessionIndex,
    });
    const message = sender.logout.request({ binding: 'redirect', nameId, sessionIndexes: [sessionIndex], relayState: 'idp-chain' });
    const { action, form } = await selfPostingForm(await browser.fetch(message.url));
    expect(action).toBe(sender.sloUrl);
    expect(await sender.logout.parseResponse({ form })).toEqual({
      inResponseTo: message.id,
      destination: sender.sloUrl,
      issuer,
      status: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      subStatus: undefined,
      relayState: 'idp-chain',
    });
    expect(await introspect(tokens!.access_token as string)).toBe(false);
  });
});
