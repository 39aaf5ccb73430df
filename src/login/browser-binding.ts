import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { digestsEqual } from '../common/constant-time.js';
import { cookieNames, crossSiteAttributes, expiredCookie, readCookie } from '../common/cookies.js';
import { randomToken } from '../common/random.js';
import type { Realm } from '../realms/realm.js';

/**
 * Ties a pending login to the browser that started it (as Keycloak's session cookie does): a random
 * value in a cookie, its digest in the transaction. Without it, someone could start a login and send
 * the IdP link to a victim, whose login would then complete the stranger's request.
 *
 * The IdP posts the SAML Response cross-site, so the cookie is `SameSite=None; Secure` wherever
 * browsers allow Secure cookies (https, and localhost); on plain http elsewhere it falls back to
 * `Lax`, which serves the mocked-user page but not a cross-site SAML post (deploy IdPs over https).
 */
export const LOGIN_COOKIE_TTL_S = 600;

/**
 * The most binding cookies one browser keeps at once, the new one included. Each login started has a
 * cookie of its own (parallel logins in several tabs), and nothing else removes one before its
 * Max-Age: a browser that started a few hundred logins within it (an app's redirect loop, a person
 * pressing "log in" again and again) would send every request under the realm's path more than
 * node's 16 KB of headers, and be refused (431) on every page of the realm until they expire.
 */
export const MAX_BINDING_COOKIES = 10;
/**
 * At most this many are expired in one answer: a browser arriving with a few hundred (from before the
 * cap) would otherwise get one `Set-Cookie` line for each, more than a proxy's buffer for the
 * answer's headers (nginx's `proxy_buffer_size` is 4–8 KB). The next logins expire the rest.
 */
export const MAX_EXPIRED_PER_ANSWER = 16;
const COOKIE_PREFIX = 'federation_login_';
/** The shape cookieName gives: only such names are ever expired, so no other name is echoed back. */
const BINDING_COOKIE_NAME = /^federation_login_[A-Za-z0-9_-]{12}$/;

export function newBrowserBinding(): { value: string; digest: string } {
  const value = randomToken(24);
  return { value, digest: digest(value) };
}

export function cookieName(transactionId: string): string {
  return `${COOKIE_PREFIX}${createHash('sha256').update(transactionId).digest('base64url').slice(0, 12)}`;
}

/**
 * Sets the new login's cookie and expires the oldest binding cookies the browser sent beyond
 * {@link MAX_BINDING_COOKIES} - 1. A browser lists cookies of one path oldest first (RFC 6265 §5.4
 * step 2), so those are the logins it started longest ago; finishing one of them is refused as from
 * another browser, as after the cookie's Max-Age.
 */
export function setBindingCookie(reply: FastifyReply, realm: Realm, transactionId: string, value: string, sentCookies?: string): void {
  const attributes = [`Path=${realmCookiePath(realm)}`, `Max-Age=${LOGIN_COOKIE_TTL_S}`, 'HttpOnly', sameSiteAttributes(realm)];
  const sent = cookieNames(sentCookies).filter((name) => BINDING_COOKIE_NAME.test(name));
  const expired = sent.slice(0, Math.max(0, sent.length - (MAX_BINDING_COOKIES - 1))).slice(0, MAX_EXPIRED_PER_ANSWER);
  void reply.header('Set-Cookie', [
    ...expired.map((name) => expiry(realm, name)),
    `${cookieName(transactionId)}=${value}; ${attributes.join('; ')}`,
  ]);
}

/**
 * The `Set-Cookie` value that removes the cookie of login `transactionId`, sent with the login's end
 * (completed, or refused back to the client): its transaction is over, so the cookie binds nothing,
 * and a browser that logs in often keeps none of them for their Max-Age.
 */
export function expiredBindingCookie(realm: Realm, transactionId: string): string {
  return expiry(realm, cookieName(transactionId));
}

function expiry(realm: Realm, name: string): string {
  return expiredCookie(name, realmCookiePath(realm), ['HttpOnly', sameSiteAttributes(realm)]);
}

/** Where a realm's cookies live: under its issuer's path, so that no other realm's pages receive them. */
export function realmCookiePath(realm: Realm): string {
  return `${new URL(realm.issuer).pathname}/`;
}

/** The realm's cookies come along on cross-site requests where browsers allow it (see above). */
export function sameSiteAttributes(realm: Realm): string {
  return crossSiteAttributes(new URL(realm.issuer));
}

/** Whether this request comes from the browser the transaction is bound to. */
export function fromBoundBrowser(request: FastifyRequest, transactionId: string, bindingDigest: string | null): boolean {
  if (!bindingDigest) return false;
  const value = readCookie(request.headers.cookie, cookieName(transactionId));
  return value !== undefined && digestsEqual(Buffer.from(digest(value)), Buffer.from(bindingDigest));
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
