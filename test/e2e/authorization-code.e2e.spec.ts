import { hkdfSync } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { AuthorizationCodeRepository } from '../../src/storage/authorization-code.repository.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

const CALLBACK = 'http://127.0.0.1/callback';

/** OIDC authorization code flow with PKCE, through the mock login page, finished by openid-client. */
describe('authorization code flow (mocked users)', () => {
  let server: TestServer;
  let issuer: string;
  let client: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer();
    issuer = `${server.baseUrl}/realms/nemlogin`;
    client = await oidc.discovery(new URL(issuer), 'patient-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => server.close());

  async function authorize(extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: CALLBACK,
      scope: 'openid profile patient/*.read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url: url.href, verifier, state, nonce };
  }

  const sessions = () => server.app.get(SessionRepository).count();
  const codes = () => server.app.get(AuthorizationCodeRepository).count();

  it('logs a mocked citizen in: openid-client redeems the code and validates the ID token (nonce, at_hash, iss)', async () => {
    const { url, verifier, state, nonce } = await authorize();
    const callback = await loginAsMockUser(url, 'alice');
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('iss')).toBe(issuer);

    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    expect(idClaims).toMatchObject({
      iss: issuer,
      aud: 'patient-app',
      nonce,
      name: 'Alice Andersen',
      given_name: 'Alice',
      family_name: 'Andersen',
      user_type: 'PATIENT',
    });
    expect(idClaims.at_hash).toEqual(expect.any(String));
    expect(idClaims.acr).toBe('https://data.gov.dk/concept/core/nsis/loa/Substantial');

    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { payload: access } = await jwtVerify(tokens.access_token, jwks, { issuer, typ: 'at+jwt' });
    expect(access).toMatchObject({
      sub: idClaims.sub,
      client_id: 'patient-app',
      user_type: 'PATIENT',
      sid: idClaims.sid,
      scope: 'openid profile patient/*.read',
    });
    expect(JSON.stringify(access)).not.toContain('0101011234');

    expect(tokens.refresh_token).toEqual(expect.any(String));
    // Read by this service alone: HS256 under the realm's key derived from keys.encryptionKey (refresh-token-mac.ts), as
    // Keycloak MACs its refresh tokens; derived here independently, and published nowhere.
    const macKey = hkdfSync('sha256', server.config.keys.encryptionKey, 'federation-service', 'refresh-token-mac/v1/nemlogin', 32);
    const { payload: refresh, protectedHeader } = await jwtVerify(tokens.refresh_token!, new Uint8Array(macKey), {
      issuer,
      audience: issuer,
      typ: 'rt+jwt',
      algorithms: ['HS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'HS256', typ: 'rt+jwt', kid: 'refresh-hs256-v1' });
    expect(refresh).toMatchObject({ sid: idClaims.sid, client_id: 'patient-app', sub: idClaims.sub });
    await expect(jwtVerify(tokens.refresh_token!, jwks)).rejects.toThrow();
    // The session's idle end (1800 s) was set at the login, a moment before the code was redeemed (real
    // clock): what is left of it is what the refresh token's exp says, counted from its iat.
    const refreshExpiresIn = (tokens as unknown as { refresh_expires_in: number }).refresh_expires_in;
    expect(refreshExpiresIn).toBe(refresh.exp! - refresh.iat!);
    expect(refreshExpiresIn).toBeGreaterThan(1790);
    expect(refreshExpiresIn).toBeLessThanOrEqual(1800);
    expect(server.logs.join('\n')).not.toContain('0101011234');
  });

  it('gives the same stable sub on every login of one person', async () => {
    const subs = [];
    for (let i = 0; i < 2; i++) {
      const { url, verifier, state, nonce } = await authorize();
      const tokens = await oidc.authorizationCodeGrant(client, await loginAsMockUser(url, 'alice'), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      subs.push(tokens.claims()!.sub);
    }
    expect(subs[0]).toBe(subs[1]);
  });

  it('shows a chooser when a realm has several ways to log in, and a hint skips it', async () => {
    const several = await startTestServer({
      patch: (raw) => {
        raw.realms[0].identityProviders = [
          {
            alias: 'nemlog-in',
            profile: 'oiosaml3-citizen',
            entityId: 'https://idp.test/nemlog-in',
            ssoUrl: 'https://idp.test/sso',
            signingCertificates: ['fixtures/saml/idp-signing.crt'],
            displayName: 'MitID',
          },
        ];
        raw.realms[0].serviceProvider = {
          signingKey: 'fixtures/saml/sp-signing.TEST-ONLY.key',
          signingCertificate: 'fixtures/saml/sp-signing.crt',
        };
      },
    });
    try {
      const params = new URLSearchParams({
        client_id: 'patient-app',
        redirect_uri: CALLBACK,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      const auth = `${several.baseUrl}/realms/nemlogin/protocol/openid-connect/auth`;
      const chooser = await fetch(`${auth}?${params}`);
      expect(chooser.status).toBe(200);
      const html = await chooser.text();
      expect(html).toContain('Choose how to log in');
      const links = [...html.matchAll(/href="([^"]+)">([^<]+)</g)].map((m) => [m[2], m[1]!.replace(/&#38;/g, '&')]);
      expect(links.map(([label]) => label)).toEqual(['MitID', 'Mocked user (test only)']);
      const toIdp = await fetch(links[0]![1]!, { redirect: 'manual' });
      expect(toIdp.status).toBe(303);
      expect(toIdp.headers.get('location')).toMatch(/^https:\/\/idp\.test\/sso\?SAMLRequest=/);

      const hinted = await fetch(`${auth}?${params}&kc_idp_hint=mock`, { redirect: 'manual' });
      expect(hinted.headers.get('location')).toMatch(/\/broker\/mock\/login\?tx=/);
    } finally {
      await several.close();
    }
  });

  it('is not refused over scope: a value it does not know is ignored (OIDC Core §3.1.2.1), one the client may not have dropped, and scope says what was granted (RFC 6749 §3.3)', async () => {
    const { url, verifier, state, nonce } = await authorize({ scope: 'openid admin email' });
    const tokens = await oidc.authorizationCodeGrant(client, await loginAsMockUser(url, 'alice'), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.scope).toBe('openid');
    expect(decodeJwt(tokens.access_token).scope).toBe('openid');
  });

  describe('refusals before the redirect URI is trusted: an HTML page, no redirect', () => {
    it.each([
      ['a different case', 'http://127.0.0.1/Callback'],
      ['another port', 'http://127.0.0.1:8080/callback'],
      ['an extra query', 'http://127.0.0.1/callback?x=1'],
      ['a trailing slash', 'http://127.0.0.1/callback/'],
      ['a missing query of a registered URI', 'https://app.example/cb'],
    ])('redirect_uri with %s', async (_name, redirectUri) => {
      const { url } = await authorize({ redirect_uri: redirectUri });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('This login link is not valid');
    });

    it('an unknown client', async () => {
      const response = await fetch(
        `${issuer}/protocol/openid-connect/auth?client_id=nobody&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    });
  });

  describe('refusals after it is trusted: a 303 back to the client with error, state and iss', () => {
    const refusal = async (extra: Record<string, string | undefined>) => {
      const { url } = await authorize();
      const target = new URL(url);
      for (const [name, value] of Object.entries(extra)) {
        if (value === undefined) target.searchParams.delete(name);
        else target.searchParams.set(name, value);
      }
      const response = await fetch(target, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('state')).toBe(target.searchParams.get('state'));
      expect(location.searchParams.get('iss')).toBe(issuer);
      return location.searchParams.get('error');
    };

    it('no PKCE from a public client', async () =>
      expect(await refusal({ code_challenge: undefined, code_challenge_method: undefined })).toBe('invalid_request'));
    it('PKCE plain', async () => expect(await refusal({ code_challenge_method: 'plain' })).toBe('invalid_request'));
    it('response_type token', async () => expect(await refusal({ response_type: 'token' })).toBe('unsupported_response_type'));
    it('a repeated parameter', async () => {
      const { url } = await authorize();
      const response = await fetch(`${url}&scope=openid`, { redirect: 'manual' });
      expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    });
  });

  describe('the token request', () => {
    const codeFor = async () => {
      const flow = await authorize();
      return { ...flow, code: (await loginAsMockUser(flow.url, 'alice')).searchParams.get('code')! };
    };
    const redeem = (code: string, verifier: string | undefined, extra: Record<string, string> = {}) =>
      postForm(
        `${issuer}/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          client_id: 'patient-app',
          ...(verifier ? { code_verifier: verifier } : {}),
          ...extra,
        }),
      );

    it('refuses a missing or wrong PKCE verifier with invalid_grant', async () => {
      const first = await codeFor();
      expectOAuthError(await redeem(first.code, undefined), 400, 'invalid_grant');
      const second = await codeFor();
      expectOAuthError(await redeem(second.code, oidc.randomPKCECodeVerifier()), 400, 'invalid_grant');
    });

    it('refuses a reused code, and the reuse ends the session the first use opened', async () => {
      const { code, verifier } = await codeFor();
      const first = await redeem(code, verifier);
      expect(first.status).toBe(200);
      const sid = decodeJwt(first.body.access_token as string).sid as string;
      expect((await server.app.get(SessionRepository).find(sid))!.ended_at).toBeNull();

      const second = await redeem(code, verifier);
      expect(second.status).toBe(400);
      expectOAuthError(second, 400, 'invalid_grant');
      expect((await server.app.get(SessionRepository).find(sid))!.end_reason).toBe('code replayed');
    });

    it('lets exactly one of concurrent redemptions of one code win', async () => {
      const { code, verifier } = await codeFor();
      const statuses = (await Promise.all(Array.from({ length: 10 }, () => redeem(code, verifier)))).map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(400)]);
    });

    it('refuses a code from another client', async () => {
      const { code, verifier } = await codeFor();
      const response = await postForm(
        `${issuer}/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          code_verifier: verifier,
          client_id: 'web',
          client_secret: TEST_SECRETS.web,
        }),
      );
      expectOAuthError(response, 400, 'invalid_grant');
    });

    it('refuses another redirect_uri than the authorization request’s', async () => {
      const { code, verifier } = await codeFor();
      expectOAuthError(await redeem(code, verifier, { redirect_uri: 'https://app.example/cb?tab=1' }), 400, 'invalid_grant');
    });

    it('refuses an unknown code', async () => {
      expectOAuthError(await redeem('made-up-code', oidc.randomPKCECodeVerifier()), 400, 'invalid_grant');
    });
  });

  it('refuses a mocked login posted by another browser than the one that started it', async () => {
    const { url } = await authorize();
    const toMock = await fetch(url, { redirect: 'manual' });
    expect(toMock.headers.get('set-cookie')).toMatch(
      /^federation_login_[\w-]+=[\w-]+; Path=\/realms\/nemlogin\/; Max-Age=600; HttpOnly; SameSite=None; Secure$/,
    );
    const tx = new URL(toMock.headers.get('location')!).searchParams.get('tx')!;
    const posted = await fetch(`${issuer}/broker/mock/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx, username: 'alice' }).toString(),
    });
    expect(posted.status).toBe(400);
    expect(posted.headers.get('location')).toBeNull();
  });

  it('creates no session and no code when the login is refused (LoA below the realm minimum)', async () => {
    const [sessionsBefore, codesBefore] = [await sessions(), await codes()];
    const { url } = await authorize();
    await expect(loginAsMockUser(url, 'lowloa')).rejects.toThrow(/answered 403/);
    expect([await sessions(), await codes()]).toEqual([sessionsBefore, codesBefore]);
  });
});
