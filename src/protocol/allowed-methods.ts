/**
 * RFC 9110 §10.2.1 `Allow`: the methods the service routes a path under, so that a request by another
 * method is told 405 with them (§15.5.6) rather than 404. The application registers the lookup on its
 * Fastify instance (route-methods.ts); the error filter reads it where no route took the request.
 */
declare module 'fastify' {
  interface FastifyInstance {
    /** The methods some route takes at `path` (no query), OPTIONS aside; none where no route matches it. */
    allowedMethods?: (path: string) => string[];
  }
}

export {};
