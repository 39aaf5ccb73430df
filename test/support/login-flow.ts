import { createHash, randomBytes } from 'node:crypto';
import { loginAsMockUser } from './mock-login.js';
import { TEST_SECRETS, TEST_TENANTS } from './test-config.js';
import { basic, postForm, type RawResponse } from './token-requests.js';

export const PUBLIC_CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };

/**
 * A complete mocked-user login of the public test client with PKCE, by plain HTTP: returns the
 * token response of the authorization_code grant.
 */
export async function loginTokens(
  baseUrl: string,
  realm: string,
  username: string,
  scope = 'openid profile patient/*.read',
  client: { clientId: string; redirectUri: string } = PUBLIC_CLIENT,
): Promise<Record<string, any>> {
  const response = await (await mockLoginCode(baseUrl, realm, username, scope, client)).redeem();
  if (response.status !== 200) throw new Error(`code redemption failed: ${JSON.stringify(response.body)}`);
  return response.body;
}

/**
 * A mocked-user login of the public test client with PKCE up to its callback: the callback URL (its
 * `code` and `session_state`), and the code's redemption with its verifier, to make when the test says.
 */
export async function mockLoginCode(
  baseUrl: string,
  realm: string,
  username: string,
  scope = 'openid profile patient/*.read',
  client: { clientId: string; redirectUri: string } = PUBLIC_CLIENT,
): Promise<{ callback: URL; redeem(): Promise<RawResponse> }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const issuer = `${baseUrl}/realms/${realm}`;
  const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
  for (const [name, value] of Object.entries({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st',
    nonce: 'n',
  }))
    authorize.searchParams.set(name, value);
  const callback = await loginAsMockUser(authorize.href, username);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`login failed: ${callback.href}`);
  const redeem = () => redeemCode(issuer, code, client, verifier);
  return { callback, redeem };
}

/** The authorization_code grant of a public `client` with its PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export function redeemCode(
  issuer: string,
  code: string,
  client: { clientId: string; redirectUri: string },
  verifier: string,
): Promise<RawResponse> {
  return postForm(
    `${issuer}/protocol/openid-connect/token`,
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
    }),
  );
}

export function refresh(baseUrl: string, realm: string, refreshToken: string, extra: Record<string, string> = {}): Promise<RawResponse> {
  return postForm(
    `${baseUrl}/realms/${realm}/protocol/openid-connect/token`,
    new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: PUBLIC_CLIENT.clientId,
      ...extra,
    }),
  );
}

/**
 * The test config's `portal` exchanging a user's access token (RFC 8693) for XIS, as its allowed
 * tenant: by default for an access token; for a refresh token of a session delegated from the user's,
 * portalDelegation.
 */
export function portalExchange(
  baseUrl: string,
  realm: string,
  subjectAccessToken: string,
  requestedTokenType = 'urn:ietf:params:oauth:token-type:access_token',
): Promise<RawResponse> {
  return postForm(
    `${baseUrl}/realms/${realm}/protocol/openid-connect/token`,
    new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectAccessToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: requestedTokenType,
      audience: 'xis',
    }),
    { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed },
  );
}

/**
 * portalExchange for a refresh token of a session delegated from the user's (the issued token is in
 * `access_token`, RFC 8693 §2.2.1).
 */
export function portalDelegation(baseUrl: string, realm: string, subjectAccessToken: string): Promise<RawResponse> {
  return portalExchange(baseUrl, realm, subjectAccessToken, 'urn:ietf:params:oauth:token-type:refresh_token');
}

/**
 * The test config's `portal` refreshing a session delegated to it (portalDelegation), naming
 * `organisationAgb` (by default its allowed tenant; null: no header).
 */
export function portalRefresh(
  baseUrl: string,
  realm: string,
  refreshToken: string,
  organisationAgb: string | null = TEST_TENANTS.allowed,
): Promise<RawResponse> {
  return postForm(
    `${baseUrl}/realms/${realm}/protocol/openid-connect/token`,
    new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    { authorization: basic('portal', TEST_SECRETS.portal), ...(organisationAgb === null ? {} : { organisation_agb: organisationAgb }) },
  );
}
