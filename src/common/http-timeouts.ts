/**
 * How long a request may take to arrive, for a Fastify server (`requestTimeout` and node's `http`
 * options). Fastify sets no limit; its documentation asks for one wherever no reverse proxy stands in
 * front. node checks it every `connectionsCheckingInterval` (30 s by default), so a slow request ends
 * within 5 s of it; the headers get as long, at most 60 s.
 */
export function requestTimeouts(requestTimeoutSeconds: number) {
  const requestTimeout = requestTimeoutSeconds * 1000;
  return {
    requestTimeout,
    http: {
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(5_000, requestTimeout),
    },
  };
}
