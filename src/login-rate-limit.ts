import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from './config/config.schema.js';
import { sendErrorPage } from './login/html-reply.js';
import { changesState } from './protocol/changes-state.js';

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
 * An address's first requests in a window: a login takes three of these routes (the authorization
 * endpoint, the IdP redirect or mock page, the ACS), so this is a login and a retry.
 */
const FIRST_REQUESTS = 5;

/**
 * Rate limits on the login routes, one share per client address (`request.ip`, so `trustProxy`
 * decides who the client is; IPv6 counted per /64) and one for all addresses together. Counters
 * live in this process: each instance enforces its own. A refused request does not count against
 * the global share, so one busy address cannot use it up; and the requests an address makes beyond
 * its first few may use only half of that share, so a handful of busy addresses cannot use it up
 * either. The other half is kept for addresses that have only begun: a person logging in. Using it
 * up takes (global / 2) / FIRST_REQUESTS fresh addresses a window, where it took global / perAddress.
 * Over the limit: 429 with `Retry-After` (RFC 6585 §4) and a readable page, since these are routes a
 * person's browser visits. @fastify/rate-limit counts; it has no notion of shares kept back, hence
 * the two global counters.
 */
export async function registerLoginRateLimit(fastify: FastifyInstance, limits: Config['limits']['loginRate']): Promise<void> {
  await fastify.register(rateLimit, { global: false });
  const timeWindow = limits.windowSeconds * 1000;
  const perAddress = fastify.createRateLimit({ max: limits.perAddress, timeWindow });
  const allAddresses = fastify.createRateLimit({ max: limits.global, timeWindow, keyGenerator: () => 'all addresses' });
  const beyondFirstRequests = fastify.createRateLimit({
    max: Math.floor(limits.global / 2),
    timeWindow,
    keyGenerator: () => 'beyond first requests',
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (!LOGIN_ROUTES.has(request.routeOptions.url ?? '')) return;
    // A HEAD there is refused before its GET's handler runs (head-requests.ts): it does nothing, so it
    // uses up no one's share, and a flood of them cannot keep a person from logging in.
    if (request.method === 'HEAD' && changesState(request.routeOptions.config)) return;
    const own = await perAddress(request);
    if (own.isAllowed) return; // an allow list's address (none is configured)
    if (own.isExceeded) return tooManyRequests(reply, own.ttlInSeconds);
    const begun = limits.perAddress - own.remaining <= FIRST_REQUESTS;
    for (const share of begun ? [allAddresses] : [beyondFirstRequests, allAddresses]) {
      const result = await share(request);
      if (!result.isAllowed && result.isExceeded) return tooManyRequests(reply, result.ttlInSeconds);
    }
  });
}

function tooManyRequests(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  void reply.header('Retry-After', String(Math.max(1, retryAfterSeconds)));
  return sendErrorPage(reply, { status: 429, key: 'too_many_requests' });
}
