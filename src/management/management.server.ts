import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { fastify, type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.schema.js';
import { requestTimeouts } from '../common/http-timeouts.js';
import { SECURITY_HEADERS } from '../common/security-headers.js';
import { CONFIG } from '../config/config.token.js';
import { ReadinessService } from '../health/readiness.service.js';
import { FederationMetrics } from '../metrics/federation-metrics.js';

/**
 * The management port (`managementPort`, as Keycloak's management interface on 9000): health and
 * metrics apart from the public port, so a firewall can keep `/metrics` — which names realms, IdPs
 * and clients' error rates — to the monitoring network. With it, the public port no longer serves
 * `/metrics` (metrics.module.ts); `/health/*` stays there too, for load balancers. A plain Fastify
 * instance: three routes need none of the public stack (CORS, rate limits, the OAuth error filter).
 * It listens when the application starts and closes with it.
 */
@Injectable()
export class ManagementServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: FastifyInstance | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly readiness: ReadinessService,
    private readonly metrics: FederationMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.managementPort === undefined) return;
    // A request must arrive whole in time here too (limits.requestTimeoutSeconds), as on the public port.
    const server = fastify(requestTimeouts(this.config.limits.requestTimeoutSeconds));
    server.addHook('onRequest', (_request, reply, done) => {
      void reply.headers(SECURITY_HEADERS);
      done();
    });
    server.get('/health/live', () => ({ status: 'ok' }));
    server.get('/health/ready', async (_request, reply) => {
      const { httpStatus, body } = await this.readiness.check();
      return reply.status(httpStatus).header('Cache-Control', 'no-store').send(body);
    });
    server.get('/metrics', async (_request, reply) =>
      reply
        .header('Content-Type', this.metrics.contentType)
        .header('Cache-Control', 'no-store')
        .send(await this.metrics.text()),
    );
    await server.listen({ port: this.config.managementPort, host: process.env.HOST ?? '0.0.0.0' });
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  /** The port it listens on (the configured one, or the one the system chose for 0). */
  get port(): number | undefined {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }
}
