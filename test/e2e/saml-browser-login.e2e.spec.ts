import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { AuthorizationCodeRepository } from '../../src/storage/authorization-code.repository.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { freePort } from '../support/free-port.js';
import { bsnAttributes, citizenAttributes, clinicianAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURES, testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import * as tamper from '../support/saml/tamper.js';
import { TestIdp, type ResponseOptions } from '../support/saml/test-idp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';
const RESPONDER = 'urn:oasis:names:tc:SAML:2.0:status:Responder';

/**
 * The whole browser login over real HTTP with an independent IdP (samlify): authorize → signed
 * AuthnRequest → signed (and encrypted) Response → ACS → code → openid-client's token request.
 */
describe('SAML login over HTTP', () => {
  let server: TestServer;
  let citizenIdp: TestIdp;
  let clinicianIdp: TestIdp;
  let dutchIdp: TestIdp;
  let issuers: { nemlogin: string; ehealth: string; spreekuur: string };

  beforeAll(async () => {
    const port = await freePort();
    issuers = {
      nemlogin: `http://127.0.0.1:${port}/realms/nemlogin`,
      ehealth: `http://127.0.0.1:${port}/realms/ehealth`,
      spreekuur: `http://127.0.0.1:${port}/realms/spreekuur`,
    };
    citizenIdp = await TestIdp.create({ realmIssuer: issuers.nemlogin, alias: 'nemlog-in' });
    dutchIdp = await TestIdp.create({ realmIssuer: issuers.spreekuur, alias: 'digid' });
    clinicianIdp = await TestIdp.create({ realmIssuer: issuers.ehealth, alias: 'sts' });
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.realms[0].identityProviders = [citizenIdp.idpConfig('oiosaml3-citizen')];
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[1].identityProviders = [clinicianIdp.idpConfig('dk-clinician')];
        raw.realms[1].serviceProvider = testServiceProviderConfig();
        raw.realms[1].clients = [
          {
            clientId: 'patient-app',
            type: 'public',
            redirectUris: [CALLBACK],
            grantTypes: ['authorization_code'],
            scopes: ['openid', 'profile'],
          },
        ];
        raw.realms.push({
          name: 'spreekuur',
          patientIdentifierSystem: 'http://fhir.nl/fhir/NamingSystem/bsn',
          identityProviders: [dutchIdp.idpConfig('nl-citizen')],
          serviceProvider: testServiceProviderConfig(),
          clients: [
            {
              clientId: 'patient-app',
              type: 'public',
              redirectUris: [CALLBACK],
              grantTypes: ['authorization_code'],
              scopes: ['openid', 'profile'],
            },
          ],
        });
      },
    });
  });
  afterAll(() => server.close());

  async function startLogin(realm: keyof typeof issuers, hint: string) {
    const client = await oidc.discovery(new URL(issuers[realm]), 'patient-app', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state,
      nonce,
      kc_idp_hint: hint,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const toIdp = await fetch(url, { redirect: 'manual' });
    expect(toIdp.status).toBe(303);
    return { client, verifier, state, nonce, idpLocation: toIdp.headers.get('location')!, cookie: cookiesFrom(toIdp) };
  }

  const postToAcs = (idp: TestIdp, form: Record<string, string>, cookie: string) =>
    fetch(idp.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(form).toString(),
    });

  async function login(realm: keyof typeof issuers, idp: TestIdp, response: ResponseOptions) {
    const flow = await startLogin(realm, idp.alias);
    const { form } = await idp.respondTo(flow.idpLocation, response);
    const back = await postToAcs(idp, form, flow.cookie);
    expect(back.status).toBe(303);
    const tokens = await oidc.authorizationCodeGrant(flow.client, new URL(back.headers.get('location')!), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    return tokens;
  }

  it('a NemLog-in citizen (signed and encrypted), linked to the demo patient', async () => {
    const tokens = await login('nemlogin', citizenIdp, {
      attributes: citizenAttributes({ cpr: '0101011234', firstName: 'Nancy', lastName: 'Demo-Berggren' }),
      encrypt: true,
    });
    expect(tokens.claims()).toMatchObject({
      iss: issuers.nemlogin,
      name: 'Nancy Demo-Berggren',
      acr: 'https://data.gov.dk/concept/core/nsis/loa/Substantial',
      patient: 'demo-patient-nancy',
    });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ user_type: 'PATIENT', patient: 'demo-patient-nancy' });
    expect(server.logs.join('\n')).not.toContain('0101011234');
  });

  it('a clinician with privileges becomes a Practitioner in the named care team', async () => {
    const tokens = await login('ehealth', clinicianIdp, {
      attributes: clinicianAttributes({
        userId: 'CVR:12345678-RID:4711',
        commonName: 'Dr. Saml Clinician',
        cpr: '0505051234',
        privileges: [
          { scope: 'urn:dk:gov:saml:sorIdentifier:999000000000101', privileges: ['urn:dk:sundhed:role:doctor'] },
          { scope: 'urn:dk:sundhed:ehealth:careteam:DEMO-CT-CARDIOLOGY', privileges: ['urn:dk:sundhed:role:doctor'] },
        ],
      }),
    });
    const access = decodeJwt(tokens.access_token);
    expect(tokens.refresh_token).toBeUndefined(); // this client has no refresh_token grant
    expect(access).toMatchObject({ user_type: 'PRACTITIONER', realm_access: { roles: ['urn:dk:sundhed:role:doctor'] } });
    expect(access.fhirUser).toMatch(/\/Practitioner\/[^/]+$/);
    expect((access.context as Record<string, string>).care_team_id).toMatch(/\/CareTeam\/demo-careteam-cardiology$/);
    expect(server.logs.join('\n')).not.toContain('0505051234');
  });

  it('a Dutch citizen by BSN (nl-citizen profile)', async () => {
    const tokens = await login('spreekuur', dutchIdp, { attributes: bsnAttributes({ bsn: '999911120' }) });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ user_type: 'PATIENT', patient: 'demo-patient-jan' });
  });

  it('a cancelled login at the IdP returns access_denied to the client, with state and iss', async () => {
    const flow = await startLogin('nemlogin', 'nemlog-in');
    const { form } = await citizenIdp.respondTo(flow.idpLocation, {
      status: { code: RESPONDER, subCode: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' },
    });
    const back = await postToAcs(citizenIdp, form, flow.cookie);
    const location = new URL(back.headers.get('location')!);
    expect([location.searchParams.get('error'), location.searchParams.get('state'), location.searchParams.get('iss')]).toEqual([
      'access_denied',
      flow.state,
      issuers.nemlogin,
    ]);
  });

  describe('rejected, creating no session and no code', () => {
    const counts = async () => [await server.app.get(SessionRepository).count(), await server.app.get(AuthorizationCodeRepository).count()];
    const good = (): ResponseOptions => ({ attributes: citizenAttributes({ cpr: '0101011234' }), encrypt: false });

    const cases: [string, () => ResponseOptions][] = [
      [
        'a tampered assertion',
        () => ({ ...good(), tamper: tamper.modifyAttribute('https://data.gov.dk/model/core/eid/cprNumber', '0202021234') }),
      ],
      ['a stripped signature', () => ({ ...good(), tamper: tamper.stripSignatures('all') })],
      ['a signed assertion moved into Extensions', () => ({ ...good(), tamper: tamper.moveSignedAssertionToExtensions() })],
      ['a signed assertion wrapped in Advice', () => ({ ...good(), tamper: tamper.wrapSignedAssertionInAdvice() })],
      ['a duplicated assertion', () => ({ ...good(), tamper: tamper.duplicateAssertion() })],
      ['an unsigned assertion beside the signed one', () => ({ ...good(), tamper: tamper.addUnsignedAssertion('before') })],
      ['a comment injected in the NameID', () => ({ ...good(), tamper: tamper.injectNameIdComment() })],
      ['a wrong audience', () => ({ ...good(), audiences: ['https://other-sp.example'] })],
      ['a wrong Destination', () => ({ ...good(), destination: 'https://other-sp.example/acs' })],
      ['a wrong Recipient', () => ({ ...good(), recipient: 'https://other-sp.example/acs' })],
      ['an expired assertion', () => ({ ...good(), now: new Date(Date.now() - 3600_000) })],
      ['an assertion not yet valid', () => ({ ...good(), now: new Date(Date.now() + 3600_000) })],
      ['an unknown InResponseTo', () => ({ ...good(), inResponseTo: '_not-a-request-we-sent' })],
      ['a DOCTYPE with an entity', () => ({ ...good(), tamper: tamper.addDoctype() })],
      ['an oversize body', () => ({ ...good(), tamper: tamper.oversize() })],
      [
        'the IdP certificate of another realm',
        () => ({ ...good(), signingKey: SAML_FIXTURES.otherIdpSigningKey, signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate }),
      ],
      ['a level of assurance too low', () => ({ attributes: citizenAttributes({ cpr: '0101011234', loa: 'Low' }) })],
    ];

    it.each(cases)('%s', async (_name, response) => {
      const before = await counts();
      const flow = await startLogin('nemlogin', 'nemlog-in');
      const { form } = await citizenIdp.respondTo(flow.idpLocation, response());
      const back = await postToAcs(citizenIdp, form, flow.cookie);
      const location = back.headers.get('location');
      if (location) expect(new URL(location).searchParams.get('error')).toBe('access_denied');
      else expect([400, 413]).toContain(back.status);
      expect(new URL(location ?? 'http://x/').searchParams.get('code')).toBeNull();
      expect(await counts()).toEqual(before);
    });

    it('a replayed assertion', async () => {
      const flow = await startLogin('nemlogin', 'nemlog-in');
      const { form } = await citizenIdp.respondTo(flow.idpLocation, good());
      expect((await postToAcs(citizenIdp, form, flow.cookie)).status).toBe(303);
      const before = await counts();
      const replay = await postToAcs(citizenIdp, form, flow.cookie);
      expect(replay.headers.get('location')).toBeNull();
      expect(replay.status).toBe(400);
      expect(await counts()).toEqual(before);
    });
  });

  it('refuses a login completed in another browser than it started in (no cookie, or another login’s)', async () => {
    const before = await server.app.get(SessionRepository).count();
    const flow = await startLogin('nemlogin', 'nemlog-in');
    const { form } = await citizenIdp.respondTo(flow.idpLocation, { attributes: citizenAttributes({ cpr: '0101011234' }) });
    const other = await startLogin('nemlogin', 'nemlog-in');
    for (const cookie of ['', other.cookie]) {
      const back = await postToAcs(citizenIdp, form, cookie);
      expect(back.status).toBe(400);
      expect(await back.text()).toContain('Log in from the application');
    }
    expect(await server.app.get(SessionRepository).count()).toBe(before);
    // Nothing was used up: the browser that started the login still completes it.
    expect((await postToAcs(citizenIdp, form, flow.cookie)).status).toBe(303);
  });

  it('answers metadata of an unknown IdP alias with 404', async () => {
    const response = await fetch(`${issuers.nemlogin}/broker/nope/endpoint/descriptor`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('does not let a mocked login finish a login that was sent to a SAML IdP', async () => {
    const flow = await startLogin('nemlogin', 'nemlog-in');
    const tx = new URL(flow.idpLocation).searchParams.get('RelayState')!;
    const mock = await fetch(`${issuers.nemlogin}/broker/mock/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: flow.cookie },
      body: new URLSearchParams({ tx, username: 'alice' }).toString(),
    });
    expect(mock.status).toBe(400);
    expect(mock.headers.get('location')).toBeNull();
  });

  it('publishes SP metadata for each IdP alias', async () => {
    const response = await fetch(`${issuers.nemlogin}/broker/nemlog-in/endpoint/descriptor`);
    expect(response.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    const xml = await response.text();
    expect(xml).toContain(`Location="${issuers.nemlogin}/broker/nemlog-in/endpoint"`);
    expect(xml).toContain('use="encryption"');
  });
});
