import { decodeJwt } from 'jose';
import { freePort } from '../support/free-port.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { bsnAttributes, citizenAttributes } from '../support/saml/saml-attributes.js';
import { testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const NSIS = 'https://data.gov.dk/concept/core/nsis/loa/';
const DIGID = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';

/**
 * Fail-closed assurance (issue 12): a citizen realm whose config names no `minimumLoa` requires NSIS
 * Substantial, asks the IdP for it, and checks the assertion's level whatever the IdP was asked;
 * `Low` only where a realm says so.
 */
describe('level of assurance in citizen realms without minimumLoa', () => {
  let server: TestServer;
  let idps: { nemlogin: TestIdp; lowland: TestIdp; spreekuur: TestIdp };
  let issuer: (realm: string) => string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = (realm) => `http://127.0.0.1:${port}/realms/${realm}`;
    idps = {
      nemlogin: await TestIdp.create({ realmIssuer: issuer('nemlogin'), alias: 'nemlog-in' }),
      lowland: await TestIdp.create({ realmIssuer: issuer('lowland'), alias: 'nemlog-in' }),
      spreekuur: await TestIdp.create({ realmIssuer: issuer('spreekuur'), alias: 'digid' }),
    };
    const client = { clientId: CLIENT.clientId, type: 'public', redirectUris: [CLIENT.redirectUri], grantTypes: ['authorization_code'] };
    server = await startTestServer({
      port,
      patch: (raw) => {
        // The test config's citizen realm names Substantial; here it names nothing.
        delete raw.realms[0].minimumLoa;
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[0].identityProviders = [idps.nemlogin.idpConfig('oiosaml3-citizen')];
        raw.realms.push(
          {
            name: 'lowland',
            minimumLoa: 'Low',
            patientIdentifierSystem: 'urn:oid:1.2.208.176.1.2',
            serviceProvider: testServiceProviderConfig(),
            identityProviders: [idps.lowland.idpConfig('oiosaml3-citizen')],
            mockUsers: [{ username: 'lowloa', kind: 'citizen', ssn: '0202021234', loa: 'Low' }],
            clients: [client],
          },
          {
            name: 'spreekuur',
            patientIdentifierSystem: 'http://fhir.nl/fhir/NamingSystem/bsn',
            serviceProvider: testServiceProviderConfig(),
            identityProviders: [idps.spreekuur.idpConfig('nl-citizen')],
            clients: [client],
          },
        );
      },
    });
  });
  afterAll(() => server.close());

  const login = (realm: keyof typeof idps, response: Parameters<typeof samlHttpLogin>[3]) =>
    samlHttpLogin(issuer(realm), idps[realm], CLIENT, response);

  it('OIOSAML 3: the AuthnRequest asks for NSIS Substantial as the minimum', async () => {
    const { request } = await login('nemlogin', { attributes: citizenAttributes() });
    expect(request.xml).toMatch(/RequestedAuthnContext[^>]*Comparison="minimum"/);
    expect(request.xml).toContain(`${NSIS}Substantial</`);
  });

  it('OIOSAML 3: a Low assertion is refused (access_denied, no code)', async () => {
    const { callback, tokens } = await login('nemlogin', { attributes: citizenAttributes({ loa: 'Low' }) });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(tokens).toBeUndefined();
    expect(server.logs.join('\n')).toContain('level of assurance Low below the realm minimum Substantial');
  });

  it('OIOSAML 3: Substantial and High are accepted', async () => {
    for (const loa of ['Substantial', 'High']) {
      const { tokens } = await login('nemlogin', { attributes: citizenAttributes({ loa }) });
      expect(decodeJwt(tokens!.access_token as string).acr).toBe(`${NSIS}${loa}`);
    }
  });

  it('a realm that names Low explicitly accepts Low, and asks for it', async () => {
    const { request, tokens } = await login('lowland', { attributes: citizenAttributes({ loa: 'Low' }) });
    expect(request.xml).toContain(`${NSIS}Low</`);
    expect(decodeJwt(tokens!.access_token as string).acr).toBe(`${NSIS}Low`);
  });

  it('DigiD (nl-citizen): asks for Substantieel; Basis and Midden are refused, Substantieel accepted', async () => {
    const first = await login('spreekuur', { attributes: bsnAttributes(), authnContextClassRef: `${DIGID}Smartcard` });
    expect(first.request.xml).toMatch(/RequestedAuthnContext[^>]*Comparison="minimum"/);
    expect(first.request.xml).toContain(`${DIGID}Smartcard</`);
    expect(decodeJwt(first.tokens!.access_token as string).acr).toBe(`${NSIS}Substantial`);
    for (const low of ['PasswordProtectedTransport', 'MobileTwoFactorContract']) {
      const { callback } = await login('spreekuur', { attributes: bsnAttributes(), authnContextClassRef: `${DIGID}${low}` });
      expect(callback.searchParams.get('error')).toBe('access_denied');
    }
  });

  it('DigiD (nl-citizen): an assertion stating no known level is refused', async () => {
    const { callback } = await login('spreekuur', { attributes: bsnAttributes(), authnContextClassRef: 'urn:example:unknown-class' });
    expect(callback.searchParams.get('error')).toBe('access_denied');
  });

  it('mocked citizens: Low refused where the realm names no minimum, accepted where it names Low', async () => {
    const authorize = (realm: string) => {
      const url = new URL(`${issuer(realm)}/protocol/openid-connect/auth`);
      const params = { client_id: CLIENT.clientId, redirect_uri: CLIENT.redirectUri, response_type: 'code', scope: 'openid' };
      for (const [name, value] of Object.entries({
        ...params,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
        kc_idp_hint: 'mock',
      }))
        url.searchParams.set(name, value);
      return url.href;
    };
    await expect(loginAsMockUser(authorize('nemlogin'), 'lowloa')).rejects.toThrow('mock login answered 403');
    expect((await loginAsMockUser(authorize('lowland'), 'lowloa')).searchParams.get('code')).toBeTruthy();
  });
});
