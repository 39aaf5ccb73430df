import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { digestsEqual } from '../common/constant-time.js';
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
const COOKIE_PREFIX = 'federation_login_';

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
  const path = `Path=${new URL(realm.issuer).pathname}/`;
  const attributes = [path, `Max-Age=${LOGIN_COOKIE_TTL_S}`, 'HttpOnly', sameSiteAttributes(realm)];
  const sent = bindingCookieNames(sentCookies);
  const expired = sent.slice(0, Math.max(0, sent.length - (MAX_BINDING_COOKIES - 1)));
  void reply.header('Set-Cookie', [
    ...expired.map((name) => `${name}=; ${path}; Max-Age=0; HttpOnly; ${sameSiteAttributes(realm)}`),
    `${cookieName(transactionId)}=${value}; ${attributes.join('; ')}`,
  ]);
}

/** The names of the binding cookies in a `Cookie` header, in its order, each once. */
function bindingCookieNames(header: string | undefined): string[] {
  const names = (header ?? '').split(';').map((part) => part.trim().split('=')[0] ?? '');
  return [...new Set(names.filter((name) => name.startsWith(COOKIE_PREFIX)))];
}

/** `SameSite=None; Secure` where browsers keep Secure cookies (https, and loopback over http), else `Lax` (see above). */
export function sameSiteAttributes(realm: Realm): string {
  const url = new URL(realm.issuer);
  const secure = url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return secure ? 'SameSite=None; Secure' : 'SameSite=Lax';
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

/** The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4), the first if repeated. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
