import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppOverrides } from './app.module.js';
import type { Config } from './config/config.schema.js';
import { pinClientAddress } from './client-address.js';
import { registerCors } from './cors.js';
import { registerEmbeddedFhirRoutes } from './fhir/embedded/embedded-fhir-routes.js';
import type { FhirEndpoint } from './fhir/fhir-endpoint.js';
import { FHIR_ENDPOINT } from './fhir/fhir.module.js';
import { rememberBrowserReplies } from './browser-bodies-in-flight.js';
import { refuseHeadWhereGetChangesState } from './head-requests.js';
import { answerClientError } from './http-client-errors.js';
import { registerLoginRateLimit } from './login-rate-limit.js';
import { createLogger, REQUEST_ID_HEADER, requestId } from './logging/logger.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';
import { registerRequestContext } from './logging/request-context.js';
import { RequestLogController } from './logging/request-log.controller.js';
import { answerFrameworkError, OAuthErrorFilter } from './oauth/oauth-error.filter.js';
import { registerOpenApi } from './openapi.js';
import { rememberRouteMethods } from './route-methods.js';
import { SECURITY_HEADERS } from './common/security-headers.js';
import { refuseRequestsWhileClosing } from './shutdown-drain.js';
import { requestTimeouts } from './common/http-timeouts.js';
import { BODY_LIMIT_BYTES, limitRequestBodies, useBoundedFormParser } from './request-bodies.js';

/** Builds the application (used by `main.ts`, the e2e tests and the benchmarks alike). */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<NestFastifyApplication> {
  const logger = createLogger(config, overrides.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    loggerInstance: logger,
    genReqId: requestId,
    logController: new RequestLogController(),
    trustProxy: config.trustProxy,
    ...requestTimeouts(config.limits.requestTimeoutSeconds),
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    // The filter answers a request that arrives during shutdown (shutdown-drain.ts).
    return503OnClosing: false,
  });
  useBoundedFormParser(adapter);
  const fastify = adapter.getInstance();
  fastify.server.maxConnections = config.limits.maxConnections;
  fastify.decorateRequest('oauthClient', undefined);
  fastify.decorateRequest('oauthRealm', undefined);
  fastify.addHook('onRequest', (request, reply, done) => {
    pinClientAddress(request);
    void reply.header(REQUEST_ID_HEADER, request.id).headers(SECURITY_HEADERS);
    done();
  });
  refuseRequestsWhileClosing(fastify);
  await registerRequestContext(fastify);
  // Before any route is added: they hook the routes as they are added.
  rememberBrowserReplies(fastify);
  rememberRouteMethods(fastify, new Set(config.realms.map((realm) => realm.name)));
  refuseHeadWhereGetChangesState(fastify);
  limitRequestBodies(fastify);
  await registerLoginRateLimit(fastify, config.limits.loginRate);
  await registerCors(fastify, config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, overrides), adapter, {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
    // The form parser is registered above (request-bodies.ts); Nest's JSON parser is not wanted.
    bodyParser: false,
  });
  app.useGlobalFilters(new OAuthErrorFilter());
  registerOpenApi(app, config);
  // The embedded FHIR server's realm bases on this port, so the FHIR URLs in tokens survive restarts.
  await registerEmbeddedFhirRoutes(fastify, app.get<FhirEndpoint>(FHIR_ENDPOINT));
  return app;
}
