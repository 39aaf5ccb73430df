import { asyncLocalStorage, fastifyRequestContext, requestContext } from '@fastify/request-context';
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

/**
 * Runs `work` outside any request: for a timer or a promise chain that one request happens to set up
 * but that outlives it and serves others (a window's summary of many refusals), whose log lines are
 * no request's. Set up inside, they would carry that request's id wherever they went.
 */
export function outsideRequest<T>(work: () => T): T {
  return asyncLocalStorage.exit(work);
}
