import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';

/** The bearer token of a request (RFC 6750 §2.1: the Authorization header; no query or body forms). */
export function bearerToken(request: FastifyRequest): string {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.authorization ?? '');
  if (!match) throw new OAuthError('invalid_token', 'no bearer token');
  return match[1]!;
}
