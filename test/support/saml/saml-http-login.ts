import { createHash, randomBytes } from 'node:crypto';
import { cookiesFrom } from '../browser-cookies.js';
import { postForm } from '../token-requests.js';
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
  /** The cookies the browser holds after the login (name=value pairs). */
  cookie: string;
  /** The authorization_code grant's answer, when the login gave a code. */
  tokens?: Record<string, any>;
}

/**
 * A browser login at a realm's SAML IdP over plain HTTP, as a browser and a public client would do
 * it: /auth (PKCE, `kc_idp_hint`) → the test IdP answers the AuthnRequest → ACS → code → tokens.
 */
export async function samlHttpLogin(
  issuer: string,
  idp: TestIdp,
  client: HttpLoginClient,
  response: ResponseOptions = {},
  extra: Record<string, string> = {},
): Promise<HttpLoginResult> {
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
  const toIdp = await fetch(authorize, { redirect: 'manual' });
  if (toIdp.status !== 303) throw new Error(`authorization answered ${toIdp.status}: ${await toIdp.text()}`);
  const startCookie = cookiesFrom(toIdp);
  const { form, request } = await idp.respondTo(toIdp.headers.get('location')!, response);
  const back = await fetch(idp.acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: startCookie },
    body: new URLSearchParams(form).toString(),
  });
  if (back.status !== 303) throw new Error(`ACS answered ${back.status}: ${await back.text()}`);
  const cookie = [startCookie, cookiesFrom(back)].filter(Boolean).join('; ');
  const callback = new URL(back.headers.get('location')!);
  const code = callback.searchParams.get('code');
  if (!code) return { callback, request, cookie };
  const grant = await postForm(
    `${issuer}/protocol/openid-connect/token`,
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
    }),
  );
  if (grant.status !== 200) throw new Error(`code redemption failed: ${JSON.stringify(grant.body)}`);
  return { callback, request, cookie, tokens: grant.body };
}
