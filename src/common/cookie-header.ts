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
