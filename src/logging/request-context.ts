import { fastifyRequestContext, requestContext } from '@fastify/request-context';
import type { FastifyInstance } from 'fastify';

declare module '@fastify/request-context' {
  interface RequestContextData {
    reqId: string;
  }
}

/**
 * The request whose handling is running, for the log lines of code that holds no request: Nest's
 * Logger in a controller or service (a refusal's reason, "login refused: …"). Each such line carries
 * that request's `reqId`, as the lines Fastify writes through the request's own logger do, so the
 * reference a refusal page shows (and `X-Request-Id`) finds the reason in the log, not only the
 * "request completed" line. @fastify/request-context keeps the request across the reading of its body
 * (its preValidation hook), where an AsyncLocalStorage entered in onRequest would be lost.
 */
export async function registerRequestContext(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyRequestContext, { defaultStoreValues: (request) => ({ reqId: request.id }) });
}

/** The id of the request being handled, where there is one. */
export function currentRequestId(): string | undefined {
  return requestContext.get('reqId');
}
