import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import * as oidc from 'openid-client';
import { cookiesFrom } from '../support/browser-cookies.js';
import { freePort } from '../support/free-port.js';
import { bsnAttributes } from '../support/saml/saml-attributes.js';
import { testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const CALLBACK = 'https://spreekuur.example/callback';
const AGB = '01234567';

/**
 * The Spreekuur pattern end to end: a Dutch citizen logs in by SAML (BSN, nl-citizen profile) at
 * the portal; the portal exchanges the patient's token for the GP system (XIS) of one organisation.
 */
describe('Dutch portal → XIS flow', () => {
  let server: TestServer;
  let issuer: string;
  let idp: TestIdp;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/spreekuur`;
    idp = await TestIdp.create({ realmIssuer: issuer, alias: 'digid' });
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.realms.push({
          name: 'spreekuur',
          patientIdentifierSystem: 'http://fhir.nl/fhir/NamingSystem/bsn',
          identityProviders: [idp.idpConfig('nl-citizen')],
          serviceProvider: testServiceProviderConfig(),
          clients: [
            {
              clientId: 'spreekuur-web',
              type: 'confidential',
              secret: TEST_SECRETS.web,
              redirectUris: [CALLBACK],
              grantTypes: ['authorization_code', 'refresh_token'],
              scopes: ['openid', 'patient/*.read', 'patient/*.write'],
            },
            {
              clientId: 'portal',
              type: 'confidential',
              secret: TEST_SECRETS.portal,
              scopes: ['patient/*.read', 'patient/*.write'],
              grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'],
              tenants: [AGB],
              tokenExchange: { audiences: ['xis'] },
              // The XIS finds the patient by BSN (Spreekuur): this client's tokens carry it.
              nationalIdentifier: true,
            },
          ],
        });
      },
    });
  });
  afterAll(() => server.close());

  it('login by BSN → exchange with the tenant header → a token for the XIS with act, patient, tenant and narrowed scope', async () => {
    const web = await oidc.discovery(new URL(issuer), 'spreekuur-web', TEST_SECRETS.web, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const toIdp = await fetch(
      oidc.buildAuthorizationUrl(web, {
        redirect_uri: CALLBACK,
        scope: 'openid patient/*.read patient/*.write',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }),
      { redirect: 'manual' },
    );
    // DigiD's NameID carries the BSN too (its sector code for the BSN, `s00000000:`).
    const { form } = await idp.respondTo(toIdp.headers.get('location')!, {
      nameId: 's00000000:999911120',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: bsnAttributes({ bsn: '999911120' }),
    });
    const back = await fetch(idp.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesFrom(toIdp) },
      body: new URLSearchParams(form).toString(),
    });
    const patientTokens = await oidc.authorizationCodeGrant(web, new URL(back.headers.get('location')!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });

    const exchanged = await postForm(
      `${issuer}/protocol/openid-connect/token`,
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: patientTokens.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'xis',
        scope: 'patient/*.read',
      }),
      { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: `http://fhir.nl/fhir/NamingSystem/agb-z|${AGB}` },
    );
    expect(exchanged.status).toBe(200);

    const { payload } = await jwtVerify(
      exchanged.body.access_token as string,
      createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)),
      { issuer, audience: 'xis', typ: 'at+jwt' },
    );
    expect(payload).toMatchObject({
      sub: patientTokens.claims()!.sub,
      patient: 'demo-patient-jan',
      user_type: 'PATIENT',
      act: { sub: 'portal' },
      organisation_agb: AGB,
      scope: 'patient/*.read',
    });
    expect(payload.bsn).toBe('999911120');
    // Only the client configured for it gets the BSN; it is stored only encrypted, in no table in the clear; never logged.
    expect(JSON.stringify(decodeJwt(patientTokens.access_token))).not.toContain('999911120');
    const db = server.app.get<Database>(DATABASE);
    const rows = await db.query<{ national_id_enc: string }>('SELECT national_id_enc FROM sessions');
    expect(rows.rows.some((r) => r.national_id_enc?.startsWith('v1.'))).toBe(true);
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    expect(tables.rows.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'sessions', 'sso_sessions', 'audit_events']));
    for (const { table_name } of tables.rows) {
      const stored = await db.query(`SELECT * FROM ${table_name}`);
      expect({ table_name, rows: JSON.stringify(stored.rows) }).toEqual({ table_name, rows: expect.not.stringContaining('999911120') });
    }
    expect(server.logs.join('\n')).not.toContain('999911120');
  });
});
