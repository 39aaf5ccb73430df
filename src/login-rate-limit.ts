import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from './config/config.schema.js';
import { sendErrorPage } from './login/html-reply.js';

/**
 * The routes an anonymous browser drives a login through. Each request may store a pending login
 * or a SAML request, or run a signature check: work and state anyone can cause (issue 15).
 */
const LOGIN_ROUTES = new Set([
  '/realms/:realm/protocol/openid-connect/auth',
  '/realms/:realm/broker/:alias/login',
  '/realms/:realm/broker/:alias/endpoint',
]);

/**
 * Rate limits on the login routes, one share per client address (`request.ip`, so `trustProxy`
 * decides who the client is; IPv6 counted per /64) and one for all addresses together. Counters
 * live in this process: each instance enforces its own. A refused request does not count against
 * the global share, so one busy address cannot use it up. Over the limit: 429 with `Retry-After`
 * (RFC 6585 §4) and a readable page, since these are routes a person's browser visits.
 */
export async function registerLoginRateLimit(fastify: FastifyInstance, limits: Config['limits']['loginRate']): Promise<void> {
  await fastify.register(rateLimit, { global: false });
  const timeWindow = limits.windowSeconds * 1000;
  const limiters = [
    fastify.createRateLimit({ max: limits.perAddress, timeWindow }),
    fastify.createRateLimit({ max: limits.global, timeWindow, keyGenerator: () => 'all addresses' }),
  ];
  fastify.addHook('onRequest', async (request, reply) => {
    if (!LOGIN_ROUTES.has(request.routeOptions.url ?? '')) return;
    for (const limiter of limiters) {
      const result = await limiter(request);
      if (!result.isAllowed && result.isExceeded) return tooManyRequests(reply, result.ttlInSeconds);
    }
  });
}

function tooManyRequests(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  void reply.header('Retry-After', String(Math.max(1, retryAfterSeconds)));
  return sendErrorPage(reply, { status: 429, key: 'too_many_requests' });
}
