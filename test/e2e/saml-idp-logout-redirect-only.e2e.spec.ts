import { freePort } from '../support/free-port.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURES, testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { idpMetadataXml } from '../support/saml/idp-metadata-xml.js';
import { MetadataServer } from '../support/saml/metadata-server.js';
import { deliverToSp } from '../support/saml/slo-server.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const NAME_ID = 'https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-0000000bb101';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/**
 * An IdP whose metadata lists only an HTTP-Redirect SingleLogoutService, sending its LogoutRequest by
 * HTTP-POST: answered by HTTP-Redirect at that endpoint (SAML Bindings §3.4.1, §3.5.1: the bindings
 * may be composed), not by a form posted to an endpoint the IdP declared for HTTP-Redirect only
 * (SAML Metadata §2.2.2: an endpoint is of one binding).
 */
describe('IdP-initiated SAML single logout from an IdP with HTTP-Redirect single logout only', () => {
  let server: TestServer;
  let metadata: MetadataServer;
  let idp: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    metadata = await MetadataServer.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/nemlogin`;
    idp = await TestIdp.create({
      realmIssuer: issuer,
      alias: 'redirect-slo',
      entityId: 'https://idp.test/redirect-slo',
      sloBindings: ['redirect'],
    });
    const xml = idpMetadataXml({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, signingCertificates: [SAML_FIXTURES.idpSigningCertificate] });
    const endpoint = `<md:SingleLogoutService Binding="${REDIRECT}" Location="${idp.sloUrl}"/>`;
    metadata.serve('/redirect-slo', { body: xml.replace('<md:NameIDFormat>', `${endpoint}<md:NameIDFormat>`) });
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[0].identityProviders = [
          { alias: 'redirect-slo', profile: 'oiosaml3-citizen', metadataUrl: metadata.url('/redirect-slo') },
        ];
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await metadata?.close();
  });

  it('answers its LogoutRequest by HTTP-POST with a LogoutResponse by HTTP-Redirect, after ending the session', async () => {
    const { tokens, browser } = await samlHttpLogin(issuer, idp, CLIENT, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      nameId: NAME_ID,
      sessionIndex: '_redirect-only-1',
    });
    const message = idp.logout.request({ binding: 'post', nameId: NAME_ID, sessionIndexes: ['_redirect-only-1'], relayState: 'idp-chain' });
    const reply = await deliverToSp(browser, message, 'post');
    expect(reply.status).toBe(303);
    const location = reply.headers.get('location')!;
    expect(location.startsWith(`${idp.sloUrl}?`)).toBe(true);
    expect(await idp.logout.parseResponse({ location })).toMatchObject({
      inResponseTo: message.id,
      destination: idp.sloUrl,
      issuer,
      status: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      relayState: 'idp-chain',
    });
    const introspection = await postForm(
      `${issuer}/protocol/openid-connect/token/introspect`,
      new URLSearchParams({ token: tokens!.access_token as string }),
      {
        authorization: basic('system', TEST_SECRETS.system),
      },
    );
    expect(introspection.body.active).toBe(false);
  });
});
