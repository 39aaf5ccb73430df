import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FederationMetrics } from './federation-metrics.js';
import { grantOutcome, loginOutcome } from './response-outcomes.js';

const TOKEN_ROUTE = '/realms/:realm/protocol/openid-connect/token';
/** Where a login ends: the SAML ACS, and the mocked-user form (its GET only shows the page). */
const LOGIN_ROUTES = new Set(['/realms/:realm/broker/:alias/endpoint', '/realms/:realm/broker/:alias/login']);

/**
 * Fastify hooks, registered when the application initialises so the HTTP wiring (app.factory.ts)
 * needs nothing of its own: every request is timed in `onResponse` by the route template Fastify
 * matched (`/realms/:realm/protocol/openid-connect/token`, never the raw URL with its realm, ids or
 * query), so 404s and rate-limited requests count too; `onSend` reads the outcome of token requests
 * and logins from the answer itself (response-outcomes.ts). Other routes pay one string comparison.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: FederationMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const metrics = this.metrics;
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.requests.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const route = request.routeOptions.url;
      if (route === TOKEN_ROUTE) this.countGrant(request, reply, payload);
      else if (request.method === 'POST' && route !== undefined && LOGIN_ROUTES.has(route)) this.countLogin(request, reply, payload);
      done(null, payload);
    });
  }

  private countGrant(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    if (request.method !== 'POST') return;
    const body = request.body as Record<string, unknown> | undefined;
    this.metrics.grant(body?.grant_type, grantOutcome(reply.statusCode, payload));
  }

  private countLogin(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const params = request.params as Record<string, string | undefined>;
    this.metrics.login(params.realm, params.alias, loginOutcome(reply.statusCode, reply.getHeader('location'), payload));
  }
}
