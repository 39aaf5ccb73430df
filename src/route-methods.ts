import type { FastifyInstance } from 'fastify';
import FindMyWay, { type Config, type HTTPMethod } from 'find-my-way';
import './protocol/allowed-methods.js';
import { changesState } from './protocol/changes-state.js';

/** The router options Fastify matches paths with: `routerOptions` where given, else the top-level keys. */
type MatchingOptions = Pick<
  Config<FindMyWay.HTTPVersion.V1>,
  'caseSensitive' | 'ignoreTrailingSlash' | 'ignoreDuplicateSlashes' | 'maxParamLength'
> & {
  useSemicolonDelimiter?: boolean;
};

/**
 * Remembers each route's method as Fastify adds it, in a router of the kind Fastify routes with
 * (find-my-way, its options), so that a path matches here exactly as there; and decorates the
 * instance with `allowedMethods` (protocol/allowed-methods.ts). A GET at the token endpoint, which
 * takes POST alone (RFC 6749 §3.2), is then 405 with `Allow: POST` (RFC 9110 §15.5.6), as Keycloak
 * answers it, not a 404 that tells an integrator the URL is wrong. Left out: catch-all routes (`*`:
 * CORS's OPTIONS everywhere, the embedded FHIR server's bases, whose handler answers each method
 * itself), and HEAD where it is refused (head-requests.ts). A path naming a realm that does not
 * exist has no methods: it is 404, as Keycloak answers it, whatever the method. Registered before
 * any route is added.
 */
export function rememberRouteMethods(fastify: FastifyInstance, realms: ReadonlySet<string>): void {
  const router = FindMyWay(matchingOptions(fastify));
  const methods = new Set<HTTPMethod>();
  fastify.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    for (const method of [route.method].flat().map((name) => name.toUpperCase() as HTTPMethod)) {
      if (method === 'OPTIONS' || (method === 'HEAD' && changesState(route.config)) || router.hasRoute(method, route.url)) continue;
      router.on(method, route.url, () => undefined);
      methods.add(method);
    }
  });
  fastify.decorate('allowedMethods', (path: string) =>
    [...methods].filter((method) => {
      const match = router.find(method, path);
      return match !== null && (match.params.realm === undefined || realms.has(match.params.realm));
    }),
  );
}

function matchingOptions(fastify: FastifyInstance): MatchingOptions {
  const { routerOptions = {}, ...top } = fastify.initialConfig as MatchingOptions & { routerOptions?: MatchingOptions };
  return {
    caseSensitive: routerOptions.caseSensitive ?? top.caseSensitive,
    ignoreTrailingSlash: routerOptions.ignoreTrailingSlash ?? top.ignoreTrailingSlash,
    ignoreDuplicateSlashes: routerOptions.ignoreDuplicateSlashes ?? top.ignoreDuplicateSlashes,
    maxParamLength: routerOptions.maxParamLength ?? top.maxParamLength,
    useSemicolonDelimiter: routerOptions.useSemicolonDelimiter ?? top.useSemicolonDelimiter,
  };
}
