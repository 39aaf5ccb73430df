import { testConfig } from '../../test/support/test-config.js';
import { ClientRegistry } from '../clients/client.registry.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { AUTHORIZATION_PARAMETER_MAX_LENGTH } from './authorization-request-limits.js';
import { checkAuthorizationRequest } from './authorization-request.js';

const config = testConfig('http://127.0.0.1:1', (raw) => {
  raw.realms[0].scopes = ['xis'];
  // A single-page app registered without a scopes list: it may ask for the realm's whole catalogue.
  raw.realms[0].clients.push({
    clientId: 'spa',
    type: 'public',
    redirectUris: ['http://127.0.0.1/spa'],
    grantTypes: ['authorization_code'],
  });
});
const realm = new RealmRegistry(config).get('nemlogin');
const clients = new ClientRegistry(config);
const FHIR_BASE = 'http://127.0.0.1:1/fhir/R4';

const CHALLENGE = 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM';
const VALID = {
  client_id: 'patient-app',
  redirect_uri: 'http://127.0.0.1/callback',
  response_type: 'code',
  scope: 'openid profile',
  state: 's1',
  nonce: 'n1',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

function check(overrides: Record<string, string | string[] | undefined> = {}) {
  const params = new Map<string, string | string[]>();
  for (const [name, value] of Object.entries({ ...VALID, ...overrides })) if (value !== undefined) params.set(name, value);
  return checkAuthorizationRequest(realm, clients, params, { fhirBaseUrl: FHIR_BASE });
}

describe('checkAuthorizationRequest (OIDC Core §3.1.2.2, RFC 6749 §4.1.2.1)', () => {
  it('accepts a complete request and hands the login what it was bound to', () => {
    const result = check({ kc_idp_hint: 'nemlog-in' });
    expect(result).toMatchObject({
      ok: true,
      request: {
        redirectUri: 'http://127.0.0.1/callback',
        state: 's1',
        nonce: 'n1',
        scope: ['openid', 'profile'],
        codeChallenge: CHALLENGE,
        idpHint: 'nemlog-in',
      },
    });
    expect(result.ok && result.request.client.clientId).toBe('patient-app');
  });

  describe('before the redirect URI is trusted, the person gets a page and the client nothing (§3.1.2.6)', () => {
    it.each([
      ['a missing client_id', { client_id: undefined }],
      ['an unknown client', { client_id: 'nobody' }],
      ['a missing redirect_uri', { redirect_uri: undefined }],
      ['a redirect_uri not registered', { redirect_uri: 'http://127.0.0.1/elsewhere' }],
      ['a redirect_uri differing only in case', { redirect_uri: 'http://127.0.0.1/Callback' }],
      ['a registered URI with a query, but another query', { redirect_uri: 'https://app.example/cb?tab=2' }],
      ['a repeated client_id', { client_id: ['patient-app', 'web'] }],
      ['a repeated redirect_uri', { redirect_uri: ['http://127.0.0.1/callback', 'http://127.0.0.1/callback'] }],
    ])('%s', (_name, overrides) => {
      expect(check(overrides)).toMatchObject({ ok: false, page: true });
    });
  });

  describe('once the redirect URI is trusted, the error goes back to the client with its state', () => {
    it.each([
      ['a repeated parameter', { scope: ['openid', 'profile'] }, 'invalid_request'],
      ['a request object', { request: 'eyJ…' }, 'request_not_supported'],
      ['a request_uri', { request_uri: 'https://app.example/r' }, 'request_uri_not_supported'],
      ['no response_type', { response_type: undefined }, 'invalid_request'],
      // In the query because it is asked for: by default their answers go to the fragment (below).
      ['the implicit flow', { response_type: 'token', response_mode: 'query' }, 'unsupported_response_type'],
      ['a hybrid response type', { response_type: 'code id_token', response_mode: 'query' }, 'unsupported_response_type'],
      ['prompt=none without a login', { prompt: 'none' }, 'login_required'],
      ['PKCE plain (RFC 7636 §4.2; only S256 here)', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['a challenge without a method (plain by default)', { code_challenge_method: undefined }, 'invalid_request'],
      ['a malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
      // RFC 7636 §4.2: an S256 challenge is 43 base64url characters; a verifier's shape is not enough.
      ['an S256 challenge of a verifier’s length, not a digest’s', { code_challenge: 'a'.repeat(128) }, 'invalid_request'],
      ['an S256 challenge in characters base64url has not', { code_challenge: '~'.repeat(43) }, 'invalid_request'],
      ['a public client without PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
      [
        'a public client without PKCE, even with prompt=none and no login',
        { code_challenge: undefined, code_challenge_method: undefined, prompt: 'none' },
        'invalid_request',
      ],
      ['a response_mode not supported', { response_mode: 'jwt' }, 'invalid_request'],
      ['a repeated response_mode', { response_mode: ['query', 'fragment'] }, 'invalid_request'],
      ['an aud naming another FHIR server (SMART App Launch 2.x)', { aud: 'https://fhir.elsewhere.example/R4' }, 'invalid_request'],
      ['an aud that is not a URL', { aud: 'fhir' }, 'invalid_request'],
    ])('%s', (_name, overrides, error) => {
      expect(check(overrides)).toEqual({
        ok: false,
        page: false,
        redirectUri: 'http://127.0.0.1/callback',
        responseMode: 'query',
        state: 's1',
        error,
        reason: expect.any(String),
      });
    });
  });

  describe('a state too long or with a control character is never echoed, whatever else is refused first', () => {
    it.each([
      ['alone', {}],
      ['with an over-long response_type, which the limits list before it', { response_type: 'c'.repeat(65) }],
      ['with an over-long scope, which the limits list before it', { scope: 's'.repeat(AUTHORIZATION_PARAMETER_MAX_LENGTH.scope! + 1) }],
      ['with a response type refused', { response_type: 'token' }],
      ['with a request object', { request: 'eyJ…' }],
    ])('%s', (_name, overrides) => {
      for (const state of ['s'.repeat(2049), 'a\r\nSet-Cookie: x=1']) {
        const result = check({ ...overrides, state });
        expect(result).toMatchObject({ ok: false, page: false, redirectUri: 'http://127.0.0.1/callback' });
        expect(result).not.toHaveProperty('state', expect.anything());
      }
    });
  });

  it('shows a page for a machine client, which has no redirect URI to trust', () => {
    expect(check({ client_id: 'portal' })).toMatchObject({ ok: false, page: true });
  });

  it('keeps each requested scope once', () => {
    expect(check({ scope: 'openid openid profile' })).toMatchObject({ ok: true, request: { scope: ['openid', 'profile'] } });
  });

  it('treats empty values as absent (RFC 6749 §3.1)', () => {
    expect(check({ state: '', nonce: '' })).toMatchObject({ ok: true, request: { state: undefined, nonce: undefined } });
    expect(check({ request: '', request_uri: '' })).toMatchObject({ ok: true });
  });
});

describe('scope at the authorization endpoint (OIDC Core §3.1.2.1, RFC 6749 §3.3, the realm catalogue)', () => {
  const spa = (scope: string) => check({ client_id: 'spa', redirect_uri: 'http://127.0.0.1/spa', scope });

  it('takes a request as long as a SMART v2 app’s granular scope list, a search-narrowed scope per category (US Core asks for such lists)', () => {
    const categories = ['laboratory', 'vital-signs', 'social-history', 'imaging', 'survey', 'exam', 'therapy', 'activity', 'procedure'];
    const granular = [
      ...categories.map((code) => `patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|${code}`),
      ...['encounter-diagnosis', 'problem-list-item', 'health-concern'].map(
        (code) => `patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|${code}`,
      ),
    ];
    const scope = ['openid', 'fhirUser', 'launch/patient', ...granular].join(' ');
    expect(scope.length).toBeGreaterThan(1024);
    // The search-narrowed scopes themselves go to a client registered for them (scope-catalogue.ts).
    expect(spa(scope)).toMatchObject({ ok: true, request: { scope: expect.arrayContaining(['openid', 'fhirUser', 'launch/patient']) } });
  });

  it('ignores a value the realm does not know, and grants the rest', () => {
    expect(check({ scope: 'openid admin profile' })).toMatchObject({
      ok: true,
      request: { scope: ['openid', 'profile'] },
      ignoredScopes: ['admin'],
    });
  });

  it('drops a known value the client is not registered for', () => {
    expect(check({ scope: 'openid xis launch/patient' })).toMatchObject({
      ok: true,
      request: { scope: ['openid'] },
      ignoredScopes: ['xis', 'launch/patient'],
    });
  });

  it('grants online_access in place of offline_access, which no refresh token here is (it outlives no session)', () => {
    expect(check({ scope: 'openid offline_access' })).toMatchObject({
      ok: true,
      request: { scope: ['openid', 'online_access'] },
      ignoredScopes: ['offline_access'],
    });
  });

  it('lets a registered SMART resource scope cover the same or a narrower request, in either syntax', () => {
    // patient-app is registered for patient/*.read (v1), which is v2's patient/*.rs.
    expect(check({ scope: 'openid patient/*.rs patient/Observation.r patient/*.write' })).toMatchObject({
      ok: true,
      request: { scope: ['openid', 'patient/*.rs', 'patient/Observation.r'] },
      ignoredScopes: ['patient/*.write'],
    });
  });

  it('gives a client without a scopes list what the realm knows: OIDC, SMART and its own scopes (never offline_access)', () => {
    expect(
      spa('openid fhirUser launch/patient offline_access patient/*.rs user/Practitioner.read email xis system/*.read junk'),
    ).toMatchObject({
      ok: true,
      request: {
        scope: ['openid', 'fhirUser', 'launch/patient', 'patient/*.rs', 'user/Practitioner.read', 'xis'],
      },
      // This single-page app has no refresh_token grant, so not even online_access takes its place.
      ignoredScopes: ['offline_access', 'email', 'system/*.read', 'junk'],
    });
  });

  it('always allows openid to a client with authorization_code, listed or not', () => {
    expect(spa('openid')).toMatchObject({ ok: true, request: { scope: ['openid'] } });
    const noOpenid = testConfig('http://127.0.0.1:1', (raw) => {
      raw.realms[0].clients.push({
        clientId: 'narrow',
        type: 'public',
        redirectUris: ['http://127.0.0.1/narrow'],
        grantTypes: ['authorization_code'],
        scopes: ['profile'],
      });
    });
    const params = new Map(Object.entries({ ...VALID, client_id: 'narrow', redirect_uri: 'http://127.0.0.1/narrow' }));
    expect(
      checkAuthorizationRequest(new RealmRegistry(noOpenid).get('nemlogin'), new ClientRegistry(noOpenid), params, {
        fhirBaseUrl: FHIR_BASE,
      }),
    ).toMatchObject({ ok: true, request: { scope: ['openid', 'profile'] } });
  });
});

describe('response_mode and aud', () => {
  it('defaults to query and hands the chosen mode to the login', () => {
    expect(check()).toMatchObject({ ok: true, request: { responseMode: 'query' } });
    expect(check({ response_mode: 'fragment' })).toMatchObject({ ok: true, request: { responseMode: 'fragment' } });
    expect(check({ response_mode: 'form_post' })).toMatchObject({ ok: true, request: { responseMode: 'form_post' } });
  });

  it('sends an implicit or hybrid request’s error to the fragment unless another mode is asked for', () => {
    expect(check({ response_type: 'token' })).toMatchObject({ ok: false, responseMode: 'fragment', error: 'unsupported_response_type' });
    expect(check({ response_type: 'code id_token', response_mode: 'jwt' })).toMatchObject({
      ok: false,
      responseMode: 'fragment',
      error: 'invalid_request',
    });
    expect(check({ response_type: 'token', response_mode: 'query' })).toMatchObject({ ok: false, responseMode: 'query' });
  });

  it('sends a later error back in the mode asked for', () => {
    expect(check({ response_mode: 'form_post', response_type: 'token' })).toMatchObject({
      ok: false,
      page: false,
      responseMode: 'form_post',
      error: 'unsupported_response_type',
    });
  });

  it("accepts an aud naming the realm's FHIR server, with or without a trailing slash", () => {
    expect(check({ aud: FHIR_BASE })).toMatchObject({ ok: true });
    expect(check({ aud: `${FHIR_BASE}/` })).toMatchObject({ ok: true });
  });
});

describe('prompt (OIDC Core §3.1.2.1) and the SSO session', () => {
  const NOW = new Date('2030-01-01T12:00:00Z');
  const withSso = (overrides: Record<string, string>, authSecondsAgo: number) => {
    const params = new Map<string, string | string[]>(Object.entries({ ...VALID, ...overrides }));
    return checkAuthorizationRequest(realm, clients, params, {
      fhirBaseUrl: FHIR_BASE,
      ssoSession: { auth_time: new Date(NOW.getTime() - authSecondsAgo * 1000) },
      now: NOW,
    });
  };

  it('hands prompt=login and prompt=none to the login, select_account as login (a choice is made only at the IdP), consent as nothing', () => {
    expect(check({ prompt: 'login' })).toMatchObject({ ok: true, request: { prompt: 'login' } });
    expect(check({ prompt: 'select_account' })).toMatchObject({ ok: true, request: { prompt: 'login' } });
    expect(check({ prompt: 'consent select_account' })).toMatchObject({ ok: true, request: { prompt: 'login' } });
    expect(check({ prompt: 'consent' })).toMatchObject({ ok: true, request: { prompt: undefined } });
    expect(withSso({ prompt: 'none' }, 60)).toMatchObject({ ok: true, request: { prompt: 'none' } });
  });

  it('answers prompt=none with login_required when the SSO session cannot answer without the IdP', () => {
    expect(withSso({ prompt: 'none', max_age: '30' }, 60)).toMatchObject({ ok: false, error: 'login_required', state: 's1' });
    expect(withSso({ prompt: 'none', max_age: '0' }, 0)).toMatchObject({ ok: false, error: 'login_required' });
    expect(withSso({ prompt: 'none', max_age: '120' }, 60)).toMatchObject({ ok: true, request: { prompt: 'none', maxAge: 120 } });
  });

  it.each([
    ['none with another value', 'none login'],
    ['an unknown value', 'sometimes'],
  ])('refuses %s with invalid_request', (_name, prompt) => {
    expect(check({ prompt })).toMatchObject({ ok: false, page: false, error: 'invalid_request' });
  });
});
