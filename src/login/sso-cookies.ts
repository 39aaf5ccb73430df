import type { FastifyRequest } from 'fastify';
import { isRandomToken } from '../common/random.js';
import type { Realm } from '../realms/realm.js';
import type { SsoSessionRow } from '../storage/sso-session.repository.js';
import { expiredCookie, readCookie } from '../common/cookies.js';
import { realmCookiePath, sameSiteAttributes } from './browser-binding.js';

/**
 * The two cookies of a browser's SSO session, named as Keycloak names them so that what reads them
 * (keycloak-js through the login-status iframe) works unchanged:
 * - `KEYCLOAK_IDENTITY`: the unguessable value naming the SSO session (only its digest is stored);
 *   HttpOnly, so no script, ours included, ever sees it.
 * - `KEYCLOAK_SESSION`: `{realm}/{user}/{sso session id}`, no secret in it, readable by the
 *   login-status iframe's script (login-status-iframe.page.ts), which compares it with the `sid` of
 *   the app's token (OpenID Connect Session Management 1.0 §3.1, as Keycloak does it).
 * Both are scoped to the realm's path and last until the SSO session's absolute end; the IdP and the
 * iframe are cross-site to the app, hence `SameSite=None; Secure` (browser-binding.ts).
 */
export const IDENTITY_COOKIE = 'KEYCLOAK_IDENTITY';
export const SESSION_COOKIE = 'KEYCLOAK_SESSION';

/** The `Set-Cookie` values that give the browser SSO session `sso`, named by `secret`. */
export function ssoCookies(realm: Realm, sso: SsoSessionRow, secret: string, now: Date): string[] {
  const maxAge = Math.max(0, Math.floor((sso.max_expires_at.getTime() - now.getTime()) / 1000));
  const attributes = (httpOnly: boolean) =>
    [`Path=${realmCookiePath(realm)}`, `Max-Age=${maxAge}`, ...(httpOnly ? ['HttpOnly'] : []), sameSiteAttributes(realm)].join('; ');
  return [`${IDENTITY_COOKIE}=${secret}; ${attributes(true)}`, `${SESSION_COOKIE}=${sessionCookieValue(realm, sso)}; ${attributes(false)}`];
}

/** The `Set-Cookie` values that remove both cookies (logout). */
export function clearedSsoCookies(realm: Realm): string[] {
  return [IDENTITY_COOKIE, SESSION_COOKIE].map((name) => expiredCookie(name, realmCookiePath(realm), [sameSiteAttributes(realm)]));
}

/** The identity cookie's value, when it has the form of one (a random token); anything else names nothing. */
export function presentedSsoSecret(request: FastifyRequest): string | undefined {
  const value = readCookie(request.headers.cookie, IDENTITY_COOKIE);
  return isRandomToken(value) ? value : undefined;
}

/** Keycloak's `KEYCLOAK_SESSION` value: realm, user and session id, slash-separated. */
export function sessionCookieValue(realm: Realm, sso: Pick<SsoSessionRow, 'user_id' | 'id'>): string {
  return `${realm.name}/${sso.user_id}/${sso.id}`;
}
