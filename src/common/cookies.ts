import { parseCookie } from 'cookie';

/**
 * A request's `Cookie` header (RFC 6265 §5.4), read by jshttp's `cookie`, the parser light-my-request
 * and @fastify/cookie use: a name repeated keeps its first value (the most specific path, §5.4 step 2).
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}

/** The names of the cookies in a `Cookie` header, each once, in the order the browser listed them. */
export function cookieNames(header: string | undefined): string[] {
  return header ? Object.keys(parseCookie(header)) : [];
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The SameSite attributes of a cookie that must come along on cross-site requests (an IdP's post to
 * the ACS, the login-status iframe): `SameSite=None; Secure` where browsers keep Secure cookies for
 * `url` (https, and loopback over http), else `SameSite=Lax`, which plain http elsewhere must settle for.
 */
export function crossSiteAttributes(url: URL): string {
  const secure = url.protocol === 'https:' || LOOPBACK.includes(url.hostname);
  return secure ? 'SameSite=None; Secure' : 'SameSite=Lax';
}

/**
 * The `Set-Cookie` value that removes cookie `name` of `path` (RFC 6265 §3.1): expired by `Max-Age=0`
 * (§5.2.2) and by an `Expires` in the past for agents without Max-Age, with the other attributes it
 * was set with.
 */
export function expiredCookie(name: string, path: string, attributes: readonly string[]): string {
  return [`${name}=`, `Path=${path}`, 'Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', ...attributes].join('; ');
}
