import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';

/**
 * The token of an `Authorization: Bearer <b64token>` header (RFC 6750 §2.1; no query or body forms),
 * or undefined. The scheme name is case-insensitive (RFC 9110 §11.1): keycloak-js's `loadUserInfo()`
 * sends `bearer`.
 */
export function bearerCredentials(authorization: string | undefined): string | undefined {
  return /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization ?? '')?.[1];
}

/**
 * The bearer token of a request. Refused as `invalid_token`; a request with no Authorization header
 * at all is told only that a bearer token is needed (RFC 6750 §3.1: no error code then).
 */
export function bearerToken(request: FastifyRequest): string {
  const token = bearerCredentials(request.headers.authorization);
  if (token === undefined) {
    throw new OAuthError('invalid_token', 'no bearer token', { withoutCredentials: request.headers.authorization === undefined });
  }
  return token;
}
