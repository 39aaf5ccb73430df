import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { FhirGateways } from '../../src/fhir/fhir-gateways.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SPA = { clientId: 'spa', redirectUri: 'https://spa.example/callback' };
const SMART = { clientId: 'smart-app', redirectUri: 'https://smart.example/launch/callback' };
const SMART_REQUEST = 'openid fhirUser launch/patient offline_access patient/*.rs';
/** What the app gets: `online_access` in place of `offline_access`, which no refresh token here is (it outlives no session). */
const SMART_GRANTED = 'openid fhirUser launch/patient patient/*.rs online_access';
/** Registered with a query-narrowed v2 scope (SMART App Launch 2.x, "finer-grained resource constraints"). */
const LAB_APP = { clientId: 'lab-app', redirectUri: 'https://lab.example/callback' };
const LAB_SCOPE = 'patient/Observation.rs?category=laboratory';
/** A confidential app that both logs people in and, as itself, uses SMART Backend Services (system/… scopes). */
const BACKEND_APP = {
  clientId: 'backend-app',
  redirectUri: 'https://backend.example/callback',
  secret: 'backend-app-secret-0123456789abcdef',
};

/**
 * Issue 11, scopes: the realm's catalogue (OIDC, SMART App Launch 2.x, the realm's own), what a
 * client gets of it at /auth, SMART's discovery document and launch context, and `aud` — through
 * openid-client as the client would run it.
 */
describe('scopes and SMART App Launch', () => {
  let server: TestServer;
  let issuer: string;
  let fhirBase: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].scopes = ['xis'];
        // A citizen whose CPR is in no FHIR Patient.
        raw.realms[0].mockUsers.push({ username: 'stranger', kind: 'citizen', ssn: '0909091234' });
        // A clinician of the demo seed's diabetes care team: no patient in context until they choose one.
        raw.realms[0].mockUsers.push({
          username: 'nurse',
          kind: 'clinician',
          identifiers: [{ system: 'urn:test:clinician', value: 'nurse-smart' }],
          organisations: [{ system: 'urn:oid:1.2.208.176.1.1', value: '999000000000101', roles: ['urn:dk:sundhed:role:nurse'] }],
          careTeams: [{ id: 'DEMO-CT-DIABETES', roles: ['urn:dk:sundhed:role:nurse'] }],
        });
        raw.realms[0].clients.push(
          // Registered without a scopes list, as most single-page apps are: it may ask for the catalogue.
          { clientId: SPA.clientId, type: 'public', redirectUris: [SPA.redirectUri], grantTypes: ['authorization_code'] },
          {
            clientId: SMART.clientId,
            type: 'public',
            redirectUris: [SMART.redirectUri],
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'fhirUser', 'launch/patient', 'offline_access', 'patient/*.rs'],
          },
          {
            clientId: LAB_APP.clientId,
            type: 'public',
            redirectUris: [LAB_APP.redirectUri],
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'launch/patient', LAB_SCOPE],
          },
          {
            clientId: BACKEND_APP.clientId,
            type: 'confidential',
            secret: BACKEND_APP.secret,
            redirectUris: [BACKEND_APP.redirectUri],
            grantTypes: ['authorization_code', 'client_credentials'],
            scopes: ['openid', 'patient/*.rs', 'system/*.rs'],
          },
        );
      },
    });
    issuer = `${server.baseUrl}/realms/nemlogin`;
    fhirBase = server.app.get(FhirGateways).forRealm('nemlogin').baseUrl;
  });
  afterAll(() => server.close());

  const configFor = (clientId: string) =>
    clientId === BACKEND_APP.clientId
      ? oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(BACKEND_APP.secret), {
          execute: [oidc.allowInsecureRequests],
        })
      : oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });

  /**
   * A mocked citizen's login (alice, linked to demo-patient-nancy, by default), redeemed by
   * openid-client; `byPost` sends the authorization request as a form (SMART's authorize-post).
   */
  async function login(
    client: { clientId: string; redirectUri: string },
    scope: string,
    extra: Record<string, string> = {},
    user = 'alice',
    byPost = false,
  ) {
    const config = await configFor(client.clientId);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    const callback = byPost
      ? await loginAsMockUser(url.origin + url.pathname, user, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: url.searchParams.toString(),
        })
      : await loginAsMockUser(url.href, user);
    return {
      config,
      tokens: await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    };
  }

  it('gives openid to a public client registered without scopes, with an ID token', async () => {
    const { tokens } = await login(SPA, 'openid');
    expect(tokens.scope).toBe('openid');
    expect(tokens.claims()).toMatchObject({ iss: issuer, aud: SPA.clientId });
  });

  it('grants a SMART app its request (aud = the FHIR base), with patient beside the tokens and fhirUser in the ID token', async () => {
    const { config, tokens } = await login(SMART, SMART_REQUEST, { aud: fhirBase });
    expect(tokens.scope).toBe(SMART_GRANTED);
    expect(tokens.patient).toBe('demo-patient-nancy');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.claims()!.fhirUser).toBe(`${fhirBase}/Patient/demo-patient-nancy`);
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)), {
      issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ scope: SMART_GRANTED, patient: 'demo-patient-nancy' });

    // The refresh grant keeps the launch context (SMART App Launch 2.x §"Refresh access token").
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.patient).toBe('demo-patient-nancy');
    expect(refreshed.scope).toBe(SMART_GRANTED);

    // A client that sends the scope it asked for at login again (angular-oauth2-oidc's refresh does),
    // offline_access included, asks for no more than it holds: online_access in its place.
    const repeated = await oidc.refreshTokenGrant(config, refreshed.refresh_token!, { scope: SMART_REQUEST });
    expect(repeated.scope!.split(' ').sort()).toEqual(SMART_GRANTED.split(' ').sort());
    await expect(oidc.refreshTokenGrant(config, repeated.refresh_token!, { scope: `${SMART_REQUEST} user/*.rs` })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('grants the same launch context to an authorization request sent as a form POST (SMART App Launch 2.2 authorize-post)', async () => {
    const { tokens } = await login(SMART, SMART_REQUEST, { aud: fhirBase }, 'alice', true);
    expect(tokens.scope).toBe(SMART_GRANTED);
    expect(tokens.patient).toBe('demo-patient-nancy');
    expect(tokens.claims()!.fhirUser).toBe(`${fhirBase}/Patient/demo-patient-nancy`);
  });

  it('grants a citizen no Patient matched no patient-level scope, nor fhirUser: there is no patient context to give, no resource to name (SMART "Scopes and launch context")', async () => {
    const { config, tokens } = await login(SMART, SMART_REQUEST, { aud: fhirBase }, 'stranger');
    const withoutPatientScopes = SMART_GRANTED.split(' ')
      .filter((scope) => scope !== 'launch/patient' && !scope.startsWith('patient/') && scope !== 'fhirUser')
      .join(' ');
    expect(withoutPatientScopes).toBe('openid online_access');
    expect(tokens.scope).toBe(withoutPatientScopes);
    expect(tokens.claims()).not.toHaveProperty('fhirUser');
    expect(tokens.patient).toBeUndefined();
    expect(decodeJwt(tokens.access_token)).toMatchObject({ scope: withoutPatientScopes });
    expect(decodeJwt(tokens.access_token)).not.toHaveProperty('patient');
    // The refresh token carries what was granted, not what was asked.
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).scope).toBe(withoutPatientScopes);
  });

  it('grants a clinician no patient-level scope until a patient is in context, then gives both (SMART "Scopes and launch context")', async () => {
    const request = 'openid fhirUser launch/patient online_access patient/*.rs';
    const { config, tokens } = await login(SMART, request, { aud: fhirBase }, 'nurse');
    // Granted, held by the refresh token; but with no patient to give, no token says patient/*.rs.
    expect(tokens.patient).toBeUndefined();
    expect(tokens.scope).toBe('openid fhirUser online_access');
    expect(decodeJwt(tokens.access_token)).toMatchObject({ scope: 'openid fhirUser online_access' });
    expect(decodeJwt(tokens.access_token)).not.toHaveProperty('patient');
    expect(decodeJwt(tokens.refresh_token!).scope).toBe(request);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.scope).toBe('openid fhirUser online_access');

    // The clinician chooses a patient (contexts): now the token response has both.
    const chosen = await oidc.refreshTokenGrant(config, refreshed.refresh_token!, { patient_id: 'demo-patient-nancy' });
    expect(chosen.patient).toBe('demo-patient-nancy');
    expect(chosen.scope).toBe(request);
    expect(decodeJwt(chosen.access_token)).toMatchObject({ scope: request, patient: 'demo-patient-nancy' });
  });

  it('grants a query-narrowed patient scope only with a patient context, like any patient-level scope', async () => {
    const request = `openid launch/patient ${LAB_SCOPE}`;
    const linked = await login(LAB_APP, request, { aud: fhirBase });
    expect(linked.tokens).toMatchObject({ scope: request, patient: 'demo-patient-nancy' });

    const stranger = await login(LAB_APP, request, { aud: fhirBase }, 'stranger');
    expect(stranger.tokens.patient).toBeUndefined();
    expect(stranger.tokens.scope).toBe('openid');
    expect(decodeJwt(stranger.tokens.access_token).scope).toBe('openid');
  });

  it('never grants a system/… scope to a person’s login, even to a client registered for one (its client credentials)', async () => {
    const { tokens } = await login(BACKEND_APP, 'openid patient/*.rs system/*.rs system/Patient.rs', { aud: fhirBase });
    expect(tokens.scope).toBe('openid patient/*.rs');
    expect(decodeJwt(tokens.access_token).scope).toBe('openid patient/*.rs');
  });

  it('lets a registered patient/*.rs cover a narrower resource-specific request in v1 syntax', async () => {
    const { tokens } = await login(SMART, 'openid patient/Observation.read');
    expect(tokens.scope).toBe('openid patient/Observation.read');
  });

  it('lets a refresh narrow patient/*.rs to patient/Observation.rs (RFC 6749 §6), never to a search-narrowed or a wider scope', async () => {
    const { config, tokens } = await login(SMART, SMART_REQUEST, { aud: fhirBase });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, {
      scope: 'openid launch/patient patient/Observation.rs',
    });
    expect(refreshed).toMatchObject({ scope: 'openid launch/patient patient/Observation.rs', patient: 'demo-patient-nancy' });
    expect(decodeJwt(refreshed.access_token).scope).toBe('openid launch/patient patient/Observation.rs');
    // A search is free text: under a wider grant it could carry anything into the token (smart-scope.ts).
    for (const scope of [`openid ${LAB_SCOPE}`, 'openid patient/Observation.cruds'])
      await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!, { scope })).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('does not grant a search-narrowed request under a registered patient/*.rs: only one registered word for word', async () => {
    const { tokens } = await login(SMART, `openid launch/patient ${LAB_SCOPE}`, { aud: fhirBase });
    expect(tokens).toMatchObject({ scope: 'openid launch/patient', patient: 'demo-patient-nancy' });
  });

  it('ignores values the realm does not know and drops those the client may not have; scope says what was granted', async () => {
    const spa = await login(SPA, 'openid made-up-scope profile xis patient/*.rs');
    expect(spa.tokens.scope).toBe('openid profile xis patient/*.rs');
    expect(decodeJwt(spa.tokens.access_token).scope).toBe('openid profile xis patient/*.rs');

    const smart = await login(SMART, 'openid email xis patient/*.cruds launch/patient');
    expect(smart.tokens.scope).toBe('openid launch/patient');
  });

  it('refuses an aud that names another FHIR server: invalid_request back to the client, with state and iss', async () => {
    const config = await configFor(SMART.clientId);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: SMART.redirectUri,
      scope: SMART_REQUEST,
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'st-aud',
      aud: 'https://fhir.elsewhere.example/R4',
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(SMART.redirectUri);
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'invalid_request', state: 'st-aud', iss: issuer });
  });

  it('publishes /.well-known/smart-configuration (SMART App Launch 2.x §"Conformance")', async () => {
    const response = await fetch(`${issuer}/.well-known/smart-configuration`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    const oidcEndpoints = `${issuer}/protocol/openid-connect`;
    expect(body).toEqual({
      issuer,
      jwks_uri: `${oidcEndpoints}/certs`,
      authorization_endpoint: `${oidcEndpoints}/auth`,
      token_endpoint: `${oidcEndpoints}/token`,
      introspection_endpoint: `${oidcEndpoints}/token/introspect`,
      revocation_endpoint: `${oidcEndpoints}/revoke`,
      userinfo_endpoint: `${oidcEndpoints}/userinfo`,
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: expect.arrayContaining(['ES384', 'RS384']),
      scopes_supported: expect.arrayContaining(['openid', 'profile', 'online_access', 'launch/patient', 'fhirUser', 'patient/*.rs', 'xis']),
      capabilities: [
        'launch-standalone',
        'authorize-post',
        'client-public',
        'client-confidential-symmetric',
        'client-confidential-asymmetric',
        'context-standalone-patient',
        'permission-online',
        'permission-v2',
        'permission-v1',
        'permission-patient',
        'permission-user',
        'sso-openid-connect',
      ],
    });
  });

  it('lists the catalogue in discovery, beside the scopes clients are registered for', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining([
        'openid',
        'online_access',
        'launch/patient',
        'fhirUser',
        'patient/*.rs',
        'user/*.rs',
        'xis',
        'system/*.read',
      ]),
    );
    expect(new Set(metadata.scopes_supported).size).toBe(metadata.scopes_supported.length);
    // Not even with the SMART app registered for it: no refresh token here outlives its session (no permission-offline).
    const smart = (await (await fetch(`${issuer}/.well-known/smart-configuration`)).json()) as { scopes_supported: string[] };
    for (const listed of [metadata.scopes_supported, smart.scopes_supported]) expect(listed).not.toContain('offline_access');
  });
});
