import type { FastifyRequest } from 'fastify';

/**
 * Fixes `request.ip` for the whole request at its start. Fastify reads it from the socket at every
 * access (and, behind `trustProxy`, walks `X-Forwarded-For` again), and once the connection is gone
 * (the client gave up waiting, or sent bytes node cannot parse right behind the request, which
 * destroys the socket) it reads `undefined`: a refusal still being answered then lost its address in
 * the audit trail, and the refusal limiter's key (audit/refusal-audit-limiter.ts) threw. Every reader
 * (the audit trail, the rate limits, the log) now sees the address the request came from.
 */
export function pinClientAddress(request: FastifyRequest): void {
  Object.defineProperty(request, 'ip', { value: request.ip, enumerable: true });
}
