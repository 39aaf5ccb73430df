import { createHash, randomBytes } from 'node:crypto';
import { freePort } from '../support/free-port.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURES, SAML_FIXTURE_FILES, testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { idpMetadataXml, signMetadata } from '../support/saml/idp-metadata-xml.js';
import { MetadataServer } from '../support/saml/metadata-server.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const F = SAML_FIXTURES;

/**
 * IdPs configured by nothing but `metadataUrl` (SAML Metadata 2.0), served by a small HTTP server in
 * the test, with logins over real HTTP signed by the independent samlify IdP: key rollover picked up
 * without a restart, a failing metadata server leaving the last good copy in use, tampered signed
 * metadata refused, expired certificates never trusted, and an IdP without good metadata at boot
 * unavailable (fail closed) until its metadata arrives.
 */
describe('IdP metadata', () => {
  let server: TestServer;
  let metadata: MetadataServer;
  let issuer: string;
  const idps: Record<string, TestIdp> = {};

  /** The IdP `alias` signing with `key`/`certificate` (default: the fixture IdP key). */
  const idpFor = (alias: string, key = F.idpSigningKey, certificate = F.idpSigningCertificate) =>
    TestIdp.create({ realmIssuer: issuer, alias, entityId: `https://idp.test/${alias}`, signingKey: key, signingCertificate: certificate });

  /** The metadata document of IdP `alias` publishing these signing certificates. */
  const document = (alias: string, certificates: string[]) =>
    idpMetadataXml({
      entityId: `https://idp.test/${alias}`,
      ssoUrl: idps[alias].ssoUrl,
      sloUrl: idps[alias].sloUrl,
      signingCertificates: certificates,
    });
  const signed = (xml: string) => signMetadata(xml, F.metadataSigningKey, F.metadataSigningCertificate);

  const login = (idp: TestIdp) => samlHttpLogin(issuer, idp, CLIENT, { attributes: citizenAttributes({ cpr: '0101011234' }) });
  const expectLoggedIn = async (idp: TestIdp) => {
    const result = await login(idp);
    expect(result.callback.searchParams.get('error')).toBeNull();
    expect(typeof result.tokens?.access_token).toBe('string');
  };
  const expectRefused = async (idp: TestIdp) => {
    const result = await login(idp);
    expect(result.callback.searchParams.get('code')).toBeNull();
    expect(result.callback.searchParams.get('error')).toBe('access_denied');
  };
  const logged = (alias: string, text: string) => server.logs.some((line) => line.includes(`"idp":"${alias}"`) && line.includes(text));

  beforeAll(async () => {
    metadata = await MetadataServer.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/nemlogin`;
    for (const alias of ['rolling', 'flaky', 'signed', 'expired', 'late']) idps[alias] = await idpFor(alias);
    metadata.serve('/rolling', { body: document('rolling', [F.idpSigningCertificate]) });
    metadata.serve('/flaky', { body: document('flaky', [F.idpSigningCertificate]) });
    metadata.serve('/signed', { body: signed(document('signed', [F.idpSigningCertificate])) });
    metadata.serve('/expired', { body: document('expired', [F.expiredIdpSigningCertificate, F.idpSigningCertificate]) });
    metadata.serve('/late', { status: 503 });
    const byUrl = (alias: string, extra: Record<string, unknown> = {}) => ({
      alias,
      profile: 'oiosaml3-citizen',
      metadataUrl: metadata.url(`/${alias}`),
      ...extra,
    });
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[0].identityProviders = [
          // Refreshed hourly: the rollover is picked up by the refresh a signature failure triggers.
          byUrl('rolling'),
          byUrl('flaky', { metadataRefreshSeconds: 1 }),
          byUrl('signed', { metadataSigningCertificate: SAML_FIXTURE_FILES.metadataSigningCertificate }),
          byUrl('expired'),
          byUrl('late', { metadataRefreshSeconds: 1 }),
        ];
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await metadata?.close();
  });

  it('logs in through an IdP configured only by metadataUrl', async () => {
    await expectLoggedIn(idps.rolling);
    await expectLoggedIn(idps.flaky);
    await expectLoggedIn(idps.signed);
  });

  it('trusts the key the IdP rolled over to in its metadata at the next login, without a restart', async () => {
    const rolledOver = await idpFor('rolling', F.nextIdpSigningKey, F.nextIdpSigningCertificate);
    metadata.serve('/rolling', { body: document('rolling', [F.nextIdpSigningCertificate]) });
    const fetched = metadata.requests('/rolling');
    await expectLoggedIn(rolledOver);
    // The signature failure made the service fetch the metadata once, and try the Response again.
    expect(metadata.requests('/rolling')).toBe(fetched + 1);
    // The old key left the metadata, so it is no longer trusted (and another failure within the
    // minute fetches nothing: the refresh after a failure is rate-limited).
    await expectRefused(idps.rolling);
    expect(metadata.requests('/rolling')).toBe(fetched + 1);
    await expectLoggedIn(rolledOver);
  });

  it('keeps the last good metadata while the metadata server fails or is down', async () => {
    metadata.serve('/flaky', { status: 500 });
    await metadata.nextRequests('/flaky', 2);
    await expectLoggedIn(idps.flaky);
    metadata.serve('/flaky', { drop: true });
    await metadata.nextRequests('/flaky', 2);
    await expectLoggedIn(idps.flaky);
    expect(logged('flaky', 'metadata fetch answered HTTP 500')).toBe(true);
    expect(logged('flaky', 'metadata fetch failed')).toBe(true);
    expect(logged('flaky', 'keeping the last good copy')).toBe(true);
  });

  it('refuses tampered signed metadata: the old copy stays, a key only in the tampered copy is not trusted', async () => {
    const attacker = await idpFor('signed', F.otherIdpSigningKey, F.otherIdpSigningCertificate);
    const genuine = signed(document('signed', [F.idpSigningCertificate]));
    // The attacker's certificate slipped in after signing.
    const tampered = genuine.replace(
      '<md:KeyDescriptor use="signing">',
      `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(F.otherIdpSigningCertificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:KeyDescriptor use="signing">`,
    );
    metadata.serve('/signed', { body: tampered });
    const fetched = metadata.requests('/signed');
    await expectRefused(attacker);
    expect(metadata.requests('/signed')).toBe(fetched + 1);
    expect(logged('signed', 'metadata is not signed by metadataSigningCertificate')).toBe(true);
    await expectLoggedIn(idps.signed);
    // Unsigned metadata with the attacker's key is refused the same way.
    metadata.serve('/signed', { body: document('signed', [F.otherIdpSigningCertificate]) });
    await expectRefused(attacker);
    await expectLoggedIn(idps.signed);
  });

  it('never trusts an expired certificate listed in the metadata', async () => {
    const expired = await idpFor('expired', F.expiredIdpSigningKey, F.expiredIdpSigningCertificate);
    await expectRefused(expired);
    await expectLoggedIn(idps.expired);
  });

  it('keeps an IdP without good metadata at boot unavailable (503), and opens it once the metadata arrives', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
    for (const [name, value] of Object.entries({
      client_id: CLIENT.clientId,
      redirect_uri: CLIENT.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      kc_idp_hint: 'late',
    })) {
      authorize.searchParams.set(name, value);
    }
    const unavailable = await fetch(authorize, { redirect: 'manual' });
    expect(unavailable.status).toBe(503);
    expect(logged('late', 'the IdP is unavailable until a good copy arrives')).toBe(true);
    metadata.serve('/late', { body: document('late', [F.idpSigningCertificate]) });
    await metadata.nextRequests('/late', 2);
    await expectLoggedIn(idps.late);
  });
});

function body(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/**
 * SAML Metadata 2.0 §2.2.2: an endpoint's ResponseLocation, when present, is where response messages
 * go; Location takes the requests. An IdP whose metadata gives its SingleLogoutService endpoints both
 * gets this SP's LogoutResponses at the ResponseLocation of the binding the answer goes by, and its
 * LogoutRequests at the HTTP-Redirect Location.
 */
describe('IdP metadata: SingleLogoutService ResponseLocation', () => {
  let server: TestServer;
  let metadata: MetadataServer;
  let issuer: string;
  let idp: TestIdp;
  const slo = {
    redirect: 'https://idp.test/split/slo/redirect',
    redirectResponse: 'https://idp.test/split/slo/redirect-response',
    post: 'https://idp.test/split/slo/post',
    postResponse: 'https://idp.test/split/slo/post-response',
  };

  beforeAll(async () => {
    metadata = await MetadataServer.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/nemlogin`;
    idp = await TestIdp.create({ realmIssuer: issuer, alias: 'split', entityId: 'https://idp.test/split' });
    const xml = idpMetadataXml({ entityId: 'https://idp.test/split', ssoUrl: idp.ssoUrl, signingCertificates: [F.idpSigningCertificate] });
    const endpoints =
      `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${slo.post}" ResponseLocation="${slo.postResponse}"/>` +
      `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${slo.redirect}" ResponseLocation="${slo.redirectResponse}"/>`;
    metadata.serve('/split', { body: xml.replace('<md:NameIDFormat>', `${endpoints}<md:NameIDFormat>`) });
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[0].identityProviders = [{ alias: 'split', profile: 'oiosaml3-citizen', metadataUrl: metadata.url('/split') }];
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await metadata?.close();
  });

  const login = (nameId: string) =>
    samlHttpLogin(issuer, idp, CLIENT, { attributes: citizenAttributes({ cpr: '0101011234' }), nameId, sessionIndex: '_split' });

  it('answers an HTTP-Redirect LogoutRequest at the HTTP-Redirect ResponseLocation', async () => {
    const nameId = 'https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-00000000aa01';
    await login(nameId);
    const message = idp.logout.request({ binding: 'redirect', nameId, relayState: 'r' });
    const response = await fetch(message.url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location.startsWith(`${slo.redirectResponse}?SAMLResponse=`)).toBe(true);
    expect(await idp.logout.parseResponse({ location })).toMatchObject({ inResponseTo: message.id, destination: slo.redirectResponse });
  });

  it('answers an HTTP-POST LogoutRequest at the HTTP-POST ResponseLocation', async () => {
    const nameId = 'https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-00000000aa02';
    await login(nameId);
    const message = idp.logout.request({ binding: 'post', nameId, relayState: 'r' });
    const response = await fetch(message.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(message.form).toString(),
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(/<form[^>]* action="([^"]+)"/.exec(html)?.[1]).toBe(slo.postResponse);
    const form = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(await idp.logout.parseResponse({ form })).toMatchObject({ inResponseTo: message.id, destination: slo.postResponse });
  });

  it("sends this SP's LogoutRequest to the HTTP-Redirect Location, not the ResponseLocation", async () => {
    const nameId = 'https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-00000000aa03';
    const { tokens, browser } = await login(nameId);
    const params = new URLSearchParams({ id_token_hint: tokens!.id_token as string });
    const response = await browser.fetch(`${issuer}/protocol/openid-connect/logout?${params}`);
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location.startsWith(`${slo.redirect}?SAMLRequest=`)).toBe(true);
    expect(await idp.logout.parseRequest(location)).toMatchObject({ destination: slo.redirect, nameId, sessionIndex: '_split' });
  });
});
