import * as oidc from 'openid-client';
import { PUBLIC_CLIENT } from './login-flow.js';
import { startTestServer, type TestServer } from './test-server.js';

/** patient-app's redirect URI. */
export const CALLBACK = PUBLIC_CLIENT.redirectUri;

/** The test server of the authorization code specs, with patient-app as openid-client sees it. */
export interface CodeFlowServer {
  server: TestServer;
  /** nemlogin's issuer. */
  issuer: string;
  /** patient-app (public, PKCE) configured from the realm's discovery document. */
  client: oidc.Configuration;
  /** An authorization request of patient-app with PKCE, state and nonce, `extra` parameters over them; with what checks its answer. */
  authorize(extra?: Record<string, string>): Promise<{ url: string; verifier: string; state: string; nonce: string }>;
}

/** The authorization code flow's server of the calling `describe`: started before its specs, closed after them. */
export function codeFlowServerForSuite(): CodeFlowServer {
  const h = {} as CodeFlowServer;
  beforeAll(async () => {
    h.server = await startTestServer();
    h.issuer = `${h.server.baseUrl}/realms/nemlogin`;
    h.client = await oidc.discovery(new URL(h.issuer), 'patient-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => h.server?.close());

  h.authorize = async (extra = {}) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(h.client, {
      redirect_uri: CALLBACK,
      scope: 'openid profile patient/*.read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url: url.href, verifier, state, nonce };
  };
  return h;
}
