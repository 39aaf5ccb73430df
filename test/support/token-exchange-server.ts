import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { loginTokens } from './login-flow.js';
import { TestClock } from './test-clock.js';
import { TEST_SECRETS, TEST_TENANTS } from './test-config.js';
import { startTestServer, type TestServer } from './test-server.js';
import { basic, postForm, type RawResponse } from './token-requests.js';

export const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const EXTERNAL_ISSUER = 'https://idp.partner.example';

/** The portal's client authentication and tenant, as it calls the XIS for a patient (organisation_agb). */
export const PORTAL_HEADERS = {
  authorization: basic('portal', TEST_SECRETS.portal),
  organisation_agb: `http://fhir.nl/fhir/NamingSystem/agb-z|${TEST_TENANTS.allowed}`,
};

/** The test server of the token exchange specs, and the requests they make of it. */
export interface ExchangeServer {
  server: TestServer;
  clock: TestClock;
  /** The nemlogin realm's issuer. */
  issuer: string;
  /** The trusted external issuer's signing key, and its public JWK as the realm trusts it. */
  externalKey: CryptoKey;
  externalPublic: JWK;
  /** An RFC 8693 exchange of `subjectToken` for the XIS, by the portal unless `headers` say otherwise. */
  exchange(subjectToken: string, extra?: Record<string, string>, headers?: Record<string, string>): Promise<RawResponse>;
  /** An exchange whose form may repeat parameters (URLSearchParams.append). */
  exchangeRepeating(subjectToken: string, pairs: [string, string][]): Promise<RawResponse>;
  /** A patient's tokens from a login in nemlogin. */
  patientLogin(): ReturnType<typeof loginTokens>;
}

/**
 * The demo server with what token exchange needs beside the demo portal: a second tenant's client
 * (`clinic-b`), a trusted external issuer, a clinician to log in as in ehealth, and a patient app there.
 */
export async function startExchangeServer(): Promise<ExchangeServer> {
  const clock = new TestClock();
  const pair = await generateKeyPair('ES256', { extractable: true });
  const externalPublic: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'partner-1', alg: 'ES256' };
  const server = await startTestServer({
    overrides: { clock },
    patch: (raw) => {
      raw.realms[0].clients.push({
        clientId: 'clinic-b',
        type: 'confidential',
        secret: TEST_SECRETS.web,
        grantTypes: ['client_credentials'],
        tenants: [TEST_TENANTS.other],
      });
      raw.realms[0].trustedIssuers = [{ issuer: EXTERNAL_ISSUER, jwks: { keys: [externalPublic] }, algorithms: ['ES256'] }];
      raw.realms[1].mockUsers = [{ username: 'doc', kind: 'clinician', identifiers: [{ system: 'urn:test', value: 'doc' }] }];
      raw.realms[1].clients = [
        {
          clientId: 'patient-app',
          type: 'public',
          redirectUris: ['http://127.0.0.1/callback'],
          grantTypes: ['authorization_code'],
          scopes: ['openid', 'patient/*.read'],
        },
      ];
    },
  });
  const issuer = `${server.baseUrl}/realms/nemlogin`;
  const tokenEndpoint = `${issuer}/protocol/openid-connect/token`;
  return {
    server,
    clock,
    issuer,
    externalKey: pair.privateKey,
    externalPublic,
    exchange: (subjectToken, extra, headers) => exchangeAt(tokenEndpoint, subjectToken, extra, headers),
    exchangeRepeating: (subjectToken, pairs) =>
      postForm(
        tokenEndpoint,
        new URLSearchParams([['grant_type', EXCHANGE], ['subject_token', subjectToken], ['subject_token_type', ACCESS_TOKEN], ...pairs]),
        PORTAL_HEADERS,
      ),
    patientLogin: () => loginTokens(server.baseUrl, 'nemlogin', 'alice'),
  };
}

/** An RFC 8693 exchange of `subjectToken` for the XIS at `tokenEndpoint`, by the portal unless `headers` say otherwise. */
function exchangeAt(
  tokenEndpoint: string,
  subjectToken: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = PORTAL_HEADERS,
): Promise<RawResponse> {
  return postForm(
    tokenEndpoint,
    new URLSearchParams({ grant_type: EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, audience: 'xis', ...extra }),
    headers,
  );
}

/**
 * The portal's exchange of a patient's token on a server of its own, where the portal's token
 * exchange policy is `policy` (a client config's `tokenExchange`).
 */
export async function exchangeUnderPolicy(policy: Record<string, unknown>, extra: Record<string, string> = {}): Promise<RawResponse> {
  const server = await startTestServer({
    patch: (raw) => {
      raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'portal').tokenExchange = policy;
    },
  });
  try {
    const patient = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    return await exchangeAt(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`, patient.access_token, extra);
  } finally {
    await server.close();
  }
}

/** The exchange server of the calling `describe`: started before its specs, closed after them. */
export function exchangeServerForSuite(): ExchangeServer {
  const suite = {} as ExchangeServer;
  beforeAll(async () => {
    Object.assign(suite, await startExchangeServer());
  });
  afterAll(() => suite.server?.close());
  return suite;
}

/** An RFC 6749 §5.2 refusal: 400 with exactly `error` and a description. */
export function expectRefused(response: RawResponse, error: string): void {
  expect(response.status).toBe(400);
  expect(response.body).toEqual({ error, error_description: expect.any(String) });
}
