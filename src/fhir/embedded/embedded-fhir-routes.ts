import type { FastifyInstance } from 'fastify';
import type { FhirEndpoint } from '../fhir-endpoint.js';

/**
 * Serves the embedded FHIR server's realm bases on the service's own port, at `{publicUrl}/fhir/{realm}`
 * (fhir-endpoint.ts): the same store the gateway reaches on its loopback port, answered by the same
 * adapter, so what a token names is what a SMART app can read. Fastify leaves the body unread here
 * (FHIR JSON, JSON Patch, `_search` forms: the adapter reads and checks them as it does on its own
 * port), and hands the raw request over with the headers set so far (CORS, request id).
 */
export async function registerEmbeddedFhirRoutes(fastify: FastifyInstance, endpoint: FhirEndpoint): Promise<void> {
  const handle = endpoint.handle;
  if (!handle || endpoint.realmBases.size === 0) return;
  await fastify.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    scope.all('/fhir/*', (request, reply) => {
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
      reply.hijack();
      void handle(request.raw, reply.raw);
    });
    done();
  });
}
