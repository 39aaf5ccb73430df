import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from '../cookie-jar.js';
import { redeemCode } from '../login-flow.js';
import type { AuthnRequestInfo, ResponseOptions, TestIdp } from './test-idp.js';

export interface HttpLoginClient {
  clientId: string;
  redirectUri: string;
}

export interface HttpLoginResult {
  /** Where the ACS sent the browser: the client's redirect URI with `code` or `error`. */
  callback: URL;
  /** The AuthnRequest the IdP received. */
  request: AuthnRequestInfo;
  /** The browser, holding the cookies the login left (the SSO session's among them). */
  browser: CookieJar;
  /** The authorization_code grant's answer, when the login gave a code. */
  tokens?: Record<string, any>;
}

/**
 * A browser login at a realm's SAML IdP over plain HTTP, as a browser and a public client would do
 * it: /auth (PKCE, `kc_idp_hint`) → the test IdP answers the AuthnRequest → ACS → code → tokens.
 * `options.browser` carries cookies from earlier steps (default: a fresh browser).
 */
export async function samlHttpLogin(
  issuer: string,
  idp: TestIdp,
  client: HttpLoginClient,
  response: ResponseOptions = {},
  options: { browser?: CookieJar; extra?: Record<string, string> } = {},
): Promise<HttpLoginResult> {
  const browser = options.browser ?? new CookieJar();
  const { location, verifier } = await startSamlLogin(issuer, idp, client, browser, options.extra);
  const { form, request } = await idp.respondTo(location, response);
  const back = await postToAcs(idp, browser, form);
  if (back.status !== 303) throw new Error(`ACS answered ${back.status}: ${await back.text()}`);
  const callback = new URL(back.headers.get('location')!);
  const code = callback.searchParams.get('code');
  if (!code) return { callback, request, browser };
  const grant = await redeemCode(issuer, code, client, verifier);
  if (grant.status !== 200) throw new Error(`code redemption failed: ${JSON.stringify(grant.body)}`);
  return { callback, request, browser, tokens: grant.body };
}

/**
 * The first step of samlHttpLogin: /auth (PKCE, `kc_idp_hint`) in `browser`, which sends it to the
 * IdP. Where it was sent (the AuthnRequest), and the PKCE verifier of the code to come.
 */
export async function startSamlLogin(
  issuer: string,
  idp: TestIdp,
  client: HttpLoginClient,
  browser: CookieJar,
  extra: Record<string, string> = {},
): Promise<{ location: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
  const params = {
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    kc_idp_hint: idp.alias,
    ...extra,
  };
  for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
  const toIdp = await browser.fetch(authorize.href);
  if (toIdp.status !== 303) throw new Error(`authorization answered ${toIdp.status}: ${await toIdp.text()}`);
  return { location: toIdp.headers.get('location')!, verifier };
}

/** The IdP's answer `form` posted to the ACS by `browser`, as its auto-submitting page would. */
export function postToAcs(idp: TestIdp, browser: CookieJar, form: Record<string, string>): Promise<Response> {
  return browser.fetch(idp.acsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}
