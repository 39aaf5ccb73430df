import { hkdfSync } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { AuthorizationCodeRepository } from '../../src/storage/authorization-code.repository.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { CALLBACK, codeFlowServerForSuite } from '../support/code-flow-server.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { startTestServer } from '../support/test-server.js';
import { postForm } from '../support/token-requests.js';

/**
 * OIDC authorization code flow with PKCE, through the mock login page, finished by openid-client: a
 * login and its tokens. Authorization requests refused: authorization-code-refusals.e2e.spec.ts;
 * the token request: authorization-code-token-request.e2e.spec.ts.
 */
describe('authorization code flow (mocked users)', () => {
  const h = codeFlowServerForSuite();

  const sessions = () => h.server.app.get(SessionRepository).count();
  const codes = () => h.server.app.get(AuthorizationCodeRepository).count();

  it('logs a mocked citizen in: openid-client redeems the code and validates the ID token (nonce, at_hash, iss)', async () => {
    const { url, verifier, state, nonce } = await h.authorize();
    const callback = await loginAsMockUser(url, 'alice');
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('iss')).toBe(h.issuer);

    const tokens = await oidc.authorizationCodeGrant(h.client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    // What a Session Management RP posts to the login-status iframe (OIDC Session Management 1.0 §2): the session of `sid`.
    expect(callback.searchParams.get('session_state')).toBe(idClaims.sid);
    expect(idClaims).toMatchObject({
      iss: h.issuer,
      aud: 'patient-app',
      nonce,
      name: 'Alice Andersen',
      given_name: 'Alice',
      family_name: 'Andersen',
      user_type: 'PATIENT',
    });
    expect(idClaims.at_hash).toEqual(expect.any(String));
    expect(idClaims.acr).toBe('https://data.gov.dk/concept/core/nsis/loa/Substantial');

    const jwks = createRemoteJWKSet(new URL(`${h.issuer}/protocol/openid-connect/certs`));
    const { payload: access } = await jwtVerify(tokens.access_token, jwks, { issuer: h.issuer, typ: 'at+jwt' });
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
    const macKey = hkdfSync('sha256', h.server.config.keys.encryptionKey, 'federation-service', 'refresh-token-mac/v1/nemlogin', 32);
    const { payload: refresh, protectedHeader } = await jwtVerify(tokens.refresh_token!, new Uint8Array(macKey), {
      issuer: h.issuer,
      audience: h.issuer,
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
    expect(h.server.logs.join('\n')).not.toContain('0101011234');
  });

  it('takes a native app’s loopback redirect on the port its system picked (RFC 8252 §7.3), and binds the code to that port', async () => {
    const onPort = 'http://127.0.0.1:51234/callback';
    const login = async () => {
      const request = await h.authorize({ redirect_uri: onPort });
      return { ...request, callback: await loginAsMockUser(request.url, 'alice') };
    };
    const { callback, verifier, state, nonce } = await login();
    expect(callback.origin + callback.pathname).toBe(onPort);
    const tokens = await oidc.authorizationCodeGrant(h.client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()).toMatchObject({ aud: 'patient-app', nonce });

    // RFC 6749 §4.1.3: the redirect_uri of the authorization request redeems its code, not the registered one.
    const another = await login();
    const registered = await postForm(
      `${h.issuer}/protocol/openid-connect/token`,
      new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'patient-app',
        code: another.callback.searchParams.get('code')!,
        redirect_uri: CALLBACK,
        code_verifier: another.verifier,
      }),
    );
    expect(registered.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('gives the same stable sub on every login of one person', async () => {
    const subs = [];
    for (let i = 0; i < 2; i++) {
      const { url, verifier, state, nonce } = await h.authorize();
      const tokens = await oidc.authorizationCodeGrant(h.client, await loginAsMockUser(url, 'alice'), {
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
    const { url, verifier, state, nonce } = await h.authorize({ scope: 'openid admin email' });
    const tokens = await oidc.authorizationCodeGrant(h.client, await loginAsMockUser(url, 'alice'), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.scope).toBe('openid');
    expect(decodeJwt(tokens.access_token).scope).toBe('openid');
  });

  it('refuses a mocked login posted by another browser than the one that started it', async () => {
    const { url } = await h.authorize();
    const toMock = await fetch(url, { redirect: 'manual' });
    expect(toMock.headers.get('set-cookie')).toMatch(
      /^federation_login_[\w-]+=[\w-]+; Path=\/realms\/nemlogin\/; Max-Age=600; HttpOnly; SameSite=None; Secure$/,
    );
    const tx = new URL(toMock.headers.get('location')!).searchParams.get('tx')!;
    const posted = await fetch(`${h.issuer}/broker/mock/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx, username: 'alice' }).toString(),
    });
    expect(posted.status).toBe(400);
    expect(posted.headers.get('location')).toBeNull();
  });

  it('removes the login’s binding cookie with the completed login’s answer: it binds nothing any more', async () => {
    const { url } = await h.authorize();
    const toMock = await fetch(url, { redirect: 'manual' });
    const binding = cookiesFrom(toMock);
    const name = binding.split('=')[0]!;
    expect(name).toMatch(/^federation_login_/);
    const tx = new URL(toMock.headers.get('location')!).searchParams.get('tx')!;
    const done = await fetch(`${h.issuer}/broker/mock/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: binding },
      body: new URLSearchParams({ tx, username: 'alice' }).toString(),
    });
    expect(done.status).toBe(303);
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    expect(done.headers.getSetCookie()).toContain(
      `${name}=; Path=/realms/nemlogin/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=None; Secure`,
    );
  });

  it('creates no session and no code when the login is refused (LoA below the realm minimum)', async () => {
    const [sessionsBefore, codesBefore] = [await sessions(), await codes()];
    const { url } = await h.authorize();
    await expect(loginAsMockUser(url, 'lowloa')).rejects.toThrow(/answered 403/);
    expect([await sessions(), await codes()]).toEqual([sessionsBefore, codesBefore]);
  });
});
