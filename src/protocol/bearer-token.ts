import type { FastifyRequest } from 'fastify';
import { authorizationHeader } from './authorization-header.js';
import { FormParams, isFormPost } from './form-params.js';
import { OAuthError } from './oauth-error.js';

/** RFC 6750 §2.1 b64token, as a form body's `access_token` must be too. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The token of an `Authorization: Bearer <b64token>` header (RFC 6750 §2.1), or undefined.
 * The scheme name is case-insensitive (RFC 9110 §11.1): keycloak-js's `loadUserInfo()`
 * sends `bearer`. One or more spaces follow it (§2.1: `"Bearer" 1*SP b64token`).
 */
export function bearerCredentials(authorization: string | undefined): string | undefined {
  return /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization ?? '')?.[1];
}

/**
 * The bearer token of a request. Refused as `invalid_token`; a request with no Authorization header
 * at all is told only that a bearer token is needed (RFC 6750 §3.1: no error code then).
 */
export function bearerToken(request: FastifyRequest): string {
  const authorization = authorizationHeader(request);
  const token = bearerCredentials(authorization);
  if (token === undefined) {
    throw new OAuthError('invalid_token', 'no bearer token', { withoutCredentials: authorization === undefined });
  }
  return token;
}

/**
 * The bearer token of a request to an endpoint that also takes it as a form body's `access_token`
 * (RFC 6750 §2.2; OIDC Core §5.3.1 for UserInfo by POST). A request that uses both ways is refused
 * (§2: a client "MUST NOT use more than one method"); otherwise as `bearerToken`.
 */
export function bearerTokenFromHeaderOrForm(request: FastifyRequest): string {
  const inBody = isFormPost(request) ? FormParams.fromRequest(request).get('access_token') : undefined;
  if (inBody === undefined) return bearerToken(request);
  if (authorizationHeader(request) !== undefined) throw new OAuthError('invalid_request', 'bearer token in the header and the body');
  if (!B64TOKEN.test(inBody)) throw new OAuthError('invalid_token', 'access_token in the body is not a b64token');
  return inBody;
}
