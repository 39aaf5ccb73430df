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

export function newBrowserBinding(): { value: string; digest: string } {
  const value = randomToken(24);
  return { value, digest: digest(value) };
}

export function cookieName(transactionId: string): string {
  return `federation_login_${createHash('sha256').update(transactionId).digest('base64url').slice(0, 12)}`;
}

export function setBindingCookie(reply: FastifyReply, realm: Realm, transactionId: string, value: string): void {
  const attributes = [`Path=${new URL(realm.issuer).pathname}/`, `Max-Age=${LOGIN_COOKIE_TTL_S}`, 'HttpOnly', sameSiteAttributes(realm)];
  void reply.header('Set-Cookie', `${cookieName(transactionId)}=${value}; ${attributes.join('; ')}`);
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
