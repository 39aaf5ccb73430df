import type { FastifyInstance } from 'fastify';
import { OAuthError } from './protocol/oauth-error.js';

/**
 * Fastify's own answer to a request that arrives once the server is closing (pipelined behind one in
 * flight, so its connection was never idle to close) is a fixed JSON body of its own, outside the
 * error filter. It is the filter's instead (`return503OnClosing: false` in app.factory.ts): RFC 6749
 * §5.2 `temporarily_unavailable` at an API route, the error page at a browser's, and the connection
 * closed, so the client's next try goes to another instance.
 */
export function refuseRequestsWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Fastify itself answers such a request with `Connection: close` (lib/route.js); the filter logs it as info.
  fastify.addHook('onRequest', (_request, _reply, done) => {
    if (!closing) return done();
    done(new OAuthError('temporarily_unavailable', 'the service is shutting down', { routine: true }));
  });
}
