import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { loginAsMockUser, mockLoginResponse } from '../support/mock-login.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm } from '../support/token-requests.js';

const SPA = { clientId: 'spa', redirectUri: 'https://spa.example/callback', origin: 'https://spa.example' };
const LISTED_ORIGIN = 'https://portal.example';
const STRANGER = 'https://evil.example';

/**
 * Issue 11, browsers: single-page apps call the credentialed endpoints across origins (CORS, per
 * client `webOrigins`, Keycloak's setting), and take the code from the fragment or a posted form.
 */
describe('browser clients: CORS and response modes', () => {
  let server: TestServer;
  let issuer: string;
  let oidcBase: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].clients.push(
          {
            clientId: SPA.clientId,
            type: 'public',
            redirectUris: [SPA.redirectUri],
            grantTypes: ['authorization_code'],
            webOrigins: ['+'],
          },
          {
            clientId: 'portal-web',
            type: 'public',
            redirectUris: ['https://portal.example/app/cb'],
            grantTypes: ['authorization_code'],
            webOrigins: [LISTED_ORIGIN],
          },
        );
      },
    });
    issuer = `${server.baseUrl}/realms/nemlogin`;
    oidcBase = `${issuer}/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  const preflight = (url: string, origin: string, method = 'POST') =>
    fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
    });

  async function authorizationUrl(extra: Record<string, string> = {}) {
    const config = await oidc.discovery(new URL(issuer), SPA.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: SPA.redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    return { config, url: url.href, verifier, state };
  }

  describe('CORS on the credentialed endpoints', () => {
    it.each(['token', 'token/introspect', 'userinfo', 'revoke'])(
      'allows a preflight to %s from a registered origin, echoing it with credentials',
      async (endpoint) => {
        for (const origin of [SPA.origin, LISTED_ORIGIN]) {
          const response = await preflight(`${oidcBase}/${endpoint}`, origin);
          expect(response.status).toBe(204);
          expect(response.headers.get('access-control-allow-origin')).toBe(origin);
          expect(response.headers.get('access-control-allow-credentials')).toBe('true');
          expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
          expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, organisation_agb');
          expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
        }
      },
    );

    // A browser app reads the person's account and lists the contexts it may choose (DOMAIN.md,
    // contexts) with its bearer token, then chooses one with a refresh_token grant at `token`.
    it.each(['account', 'contexts'])(
      'allows a preflight to the realm’s %s from a registered origin, and lets the app read its bearer errors',
      async (endpoint) => {
        const url = `${issuer}/${endpoint}`;
        const allowed = await preflight(url, SPA.origin, 'GET');
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA.origin);
        expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
        expect((await preflight(url, STRANGER, 'GET')).headers.get('access-control-allow-origin')).toBeNull();

        const unauthenticated = await fetch(url, { headers: { origin: SPA.origin, authorization: 'Bearer not-a-token' } });
        expect(unauthenticated.status).toBe(401);
        expect(unauthenticated.headers.get('access-control-allow-origin')).toBe(SPA.origin);
        expect(unauthenticated.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate');
      },
    );

    it('refuses a preflight from an origin no client registered: no CORS header at all, no 2xx', async () => {
      for (const origin of [STRANGER, 'https://spa.example:8443', 'http://spa.example', 'null']) {
        const response = await preflight(`${oidcBase}/token`, origin);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
        expect(response.headers.get('access-control-allow-methods')).toBeNull();
      }
    });

    it('answers the actual request with the exact origin and credentials, and a stranger without', async () => {
      const form = 'grant_type=authorization_code&code=nope&redirect_uri=https%3A%2F%2Fspa.example%2Fcallback&client_id=spa';
      const allowed = await postForm(`${oidcBase}/token`, form, { origin: SPA.origin });
      expectOAuthError(allowed, 400, 'invalid_grant');
      expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA.origin);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate');

      const stranger = await postForm(`${oidcBase}/token`, form, { origin: STRANGER });
      expectOAuthError(stranger, 400, 'invalid_grant');
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
      expect(stranger.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('lets a single-page app redeem its code across origins', async () => {
      const { url, verifier } = await authorizationUrl();
      const code = (await loginAsMockUser(url, 'alice')).searchParams.get('code')!;
      const response = await postForm(
        `${oidcBase}/token`,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: SPA.redirectUri,
          client_id: SPA.clientId,
          code_verifier: verifier,
        }),
        { origin: SPA.origin },
      );
      expect(response.status).toBe(200);
      expect(response.body.access_token).toEqual(expect.any(String));
      expect(response.headers.get('access-control-allow-origin')).toBe(SPA.origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    });

    it('does not answer CORS on the login routes', async () => {
      const response = await preflight(`${oidcBase}/auth`, SPA.origin, 'GET');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('CORS on public metadata: any origin, no credentials', () => {
    it.each([
      ['discovery', '/.well-known/openid-configuration'],
      ['smart-configuration', '/.well-known/smart-configuration'],
      ['the JWKS', '/protocol/openid-connect/certs'],
    ])('%s', async (_name, path) => {
      const response = await fetch(`${issuer}${path}`, { headers: { origin: STRANGER } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      const pre = await preflight(`${issuer}${path}`, STRANGER, 'GET');
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('the RFC 8414 path too', async () => {
      const response = await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server/realms/nemlogin`, {
        headers: { origin: STRANGER },
      });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    });
  });

  describe('response modes', () => {
    it('lists query, fragment and form_post in discovery', async () => {
      const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(metadata.response_modes_supported).toEqual(['query', 'fragment', 'form_post']);
    });

    it('fragment: the code, session_state, state and iss come in the fragment, nothing in the query; openid-client redeems it', async () => {
      const { config, url, verifier, state } = await authorizationUrl({ response_mode: 'fragment' });
      const callback = await loginAsMockUser(url, 'alice');
      expect(callback.origin + callback.pathname).toBe(SPA.redirectUri);
      expect(callback.search).toBe('');
      const fragment = new URLSearchParams(callback.hash.slice(1));
      expect([...fragment.keys()]).toEqual(['code', 'session_state', 'state', 'iss']);
      expect(fragment.get('state')).toBe(state);
      expect(fragment.get('iss')).toBe(issuer);

      // As keycloak-js does: read the fragment, then redeem the code.
      const tokens = await oidc.authorizationCodeGrant(config, new URL(`${SPA.redirectUri}?${fragment}`), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(tokens.scope).toBe('openid');
    });

    it('fragment: an error goes back in the fragment too', async () => {
      const { url, state } = await authorizationUrl({ response_mode: 'fragment', response_type: 'token' });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.search).toBe('');
      expect(Object.fromEntries(new URLSearchParams(location.hash.slice(1)))).toEqual({
        error: 'unsupported_response_type',
        state,
        iss: issuer,
      });
    });

    it('form_post: a self-submitting page under a strict CSP, never cached; openid-client redeems the posted code', async () => {
      const { config, url, verifier, state } = await authorizationUrl({ response_mode: 'form_post' });
      const page = await mockLoginResponse(url, 'alice');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('location')).toBeNull();
      const html = await page.text();
      const form = readForm(html);
      expect(form.action).toBe(SPA.redirectUri);
      expect(Object.keys(form.fields)).toEqual(['code', 'session_state', 'state', 'iss']);
      expect(form.fields.state).toBe(state);
      expect(form.fields.iss).toBe(issuer);

      // The one inline script runs by its hash: no 'unsafe-inline', nothing else may load.
      const csp = page.headers.get('content-security-policy')!;
      const scripts = [...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]!);
      expect(scripts).toEqual(['document.forms[0].submit();']);
      const hash = createHash('sha256').update(scripts[0]!).digest('base64');
      expect(csp).toBe(`default-src 'none'; script-src 'sha256-${hash}'; base-uri 'none'; frame-ancestors 'none'`);
      expect(html).not.toMatch(/\son\w+=/);

      // What the browser then posts to the client's callback.
      const posted = new Request(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form.fields).toString(),
      });
      const tokens = await oidc.authorizationCodeGrant(config, posted, { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.scope).toBe('openid');
    });

    it('form_post: an error is posted back the same way', async () => {
      const { url, state } = await authorizationUrl({ response_mode: 'form_post', response_type: 'token' });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(readForm(await response.text())).toEqual({
        action: SPA.redirectUri,
        fields: { error: 'unsupported_response_type', state, iss: issuer },
      });
    });

    it('refuses a response_mode it does not support with invalid_request, in the query', async () => {
      const { url, state } = await authorizationUrl({ response_mode: 'jwt' });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.hash).toBe('');
      expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'invalid_request', state, iss: issuer });
    });
  });
});

/** The form of a form_post page, its HTML entities decoded (the page escapes every value). */
function readForm(html: string): { action: string; fields: Record<string, string> } {
  const decode = (value: string) => value.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form in: ${html.slice(0, 200)}`);
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [decode(m[1]!), decode(m[2]!)]),
  );
  return { action: decode(action), fields };
}
