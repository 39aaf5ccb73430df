import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import './protocol/allowed-methods.js';
import { changesState } from './protocol/changes-state.js';

/**
 * Remembers each route's method as Fastify adds it, in a router of the kind Fastify routes with
 * (find-my-way, its options), so that a path matches here exactly as there; and decorates the
 * instance with `allowedMethods` (protocol/allowed-methods.ts). A GET at the token endpoint, which
 * takes POST alone (RFC 6749 §3.2), is then 405 with `Allow: POST` (RFC 9110 §15.5.6), as Keycloak
 * answers it, not a 404 that tells an integrator the URL is wrong. OPTIONS is left out (`@fastify/cors`
 * routes it at every path), and so is HEAD where it is refused (head-requests.ts). Registered before
 * any route is added.
 */
export function rememberRouteMethods(fastify: FastifyInstance): void {
  const { caseSensitive, ignoreTrailingSlash, ignoreDuplicateSlashes, maxParamLength } = fastify.initialConfig;
  const router = FindMyWay({ caseSensitive, ignoreTrailingSlash, ignoreDuplicateSlashes, maxParamLength });
  const methods = new Set<HTTPMethod>();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat().map((name) => name.toUpperCase() as HTTPMethod)) {
      if (method === 'OPTIONS' || (method === 'HEAD' && changesState(route.config)) || router.hasRoute(method, route.url)) continue;
      router.on(method, route.url, () => undefined);
      methods.add(method);
    }
  });
  fastify.decorate('allowedMethods', (path: string) => [...methods].filter((method) => router.find(method, path) !== null));
}
