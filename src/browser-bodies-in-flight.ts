import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import { isBrowserRoute } from './login/browser-routes.js';

/** The replies of requests to browser routes, by their raw response: node's client errors see only the socket. */
const replies = new WeakMap<ServerResponse, FastifyReply>();

const remember: onRequestHookHandler = (request, reply, done) => {
  replies.set(reply.raw, reply);
  done();
};

/** Remembers the reply of every request to a browser route (a hook on those routes only: API routes pay nothing). */
export function rememberBrowserReplies(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (!isBrowserRoute(route.url)) return;
    const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...hooks, remember];
  });
}

/**
 * The reply of the browser-route request whose body node was reading on `socket` when it refused it
 * (not received whole in time, a chunked body it cannot parse): nothing of its answer sent yet and its
 * body incomplete, so the refusal is about that request and no other. `_httpMessage` is the response
 * in flight on the socket, which node's own client-error answer checks the same way.
 */
export function browserReplyAwaitingBody(socket: Duplex): FastifyReply | undefined {
  const response = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!response || response.headersSent || response.req.complete) return undefined;
  return replies.get(response);
}
