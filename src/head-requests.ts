import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { changesState } from './protocol/changes-state.js';

/** The methods `Allow` may name: those the service's routes take, HEAD aside (it is what is refused). */
const METHODS: readonly HTTPMethods[] = ['GET', 'POST'];

/**
 * HEAD at a GET route that changes state (marked `@ChangesState()`, protocol/changes-state.ts: /auth,
 * the broker login, logout, SAML logout by HTTP-Redirect) is 405 with `Allow` (RFC 9110 §15.5.6),
 * and the GET's handler never runs. HEAD is safe (§9.2.1): link previewers and crawlers send it to
 * any link they are shown, so it must not start a login, choose an IdP or end a session. Not a 200
 * with the GET's headers and no body (§9.3.2, a SHOULD): those headers are the outcome of that very
 * change (a 303 to the IdP naming the login it stored, a code for a browser with an SSO session,
 * cleared cookies), so there are none to give without making it, and made-up ones would tell a
 * client what a GET would not do. (Keycloak runs the GET for a HEAD, as JAX-RS 2.1 §3.3.5 has it and
 * as Fastify does.) HEAD at every other GET route (discovery, the JWKS, the framed pages) still
 * answers as the GET does; a new GET that changes state needs the mark.
 *
 * Fastify adds a HEAD route beside each GET; its `exposeHeadRoute: false` would leave HEAD to the
 * not-found handler (a 405 naming the other methods, route-methods.ts) at every GET route alike, and
 * Nest passes no such option anyway. So this hook gives the HEAD route Fastify adds (whose options
 * are a copy of the GET's, `config` included) a handler of its own. Registered before any route is
 * added.
 */
export function refuseHeadWhereGetChangesState(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' && changesState(route.config)) route.handler = refuseHead;
  });
}

function refuseHead(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const url = request.routeOptions.url!;
  const allowed = METHODS.filter((method) => reply.server.hasRoute({ method, url }));
  return reply.status(405).header('Allow', allowed.join(', ')).header('Cache-Control', 'no-store').send();
}
