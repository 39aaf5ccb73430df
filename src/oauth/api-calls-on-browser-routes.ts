import type { FastifyRequest } from 'fastify';

/**
 * The requests on a browser route (login/browser-routes.ts) that are API calls: Keycloak's
 * `refresh_token` logout, sent by an app's server to the logout endpoint. Their errors, an outage's
 * too, are RFC 6749 §5.2 JSON, never the page a browser gets there.
 */
const apiCalls = new WeakSet<FastifyRequest>();

export function markApiCall(request: FastifyRequest): void {
  apiCalls.add(request);
}

export function isApiCall(request: FastifyRequest): boolean {
  return apiCalls.has(request);
}
