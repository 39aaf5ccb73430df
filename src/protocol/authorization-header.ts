import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';

/**
 * The request's `Authorization` header, or undefined; `invalid_request` when it came more than once.
 * Node keeps the first of several (a field that is not a list), where a proxy in front may read the
 * last: each would take the request for another client's, or another person's. RFC 9110 §5.3: a
 * sender MUST NOT send a field more than once unless it is a list, and `Authorization` is not one
 * (§11.6.2); RFC 6749 §2.3 lets a client use one authentication method, and RFC 6750 §2 one way to send a token.
 */
export function authorizationHeader(request: FastifyRequest): string | undefined {
  const value = request.headers.authorization;
  if (value !== undefined && authorizationLines(request.raw.rawHeaders) > 1) {
    throw new OAuthError('invalid_request', 'Authorization header sent more than once');
  }
  return value;
}

/** How many `Authorization` field lines `rawHeaders` (names and values alternating, as sent) holds. */
export function authorizationLines(rawHeaders: readonly string[]): number {
  let lines = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') lines += 1;
  }
  return lines;
}
