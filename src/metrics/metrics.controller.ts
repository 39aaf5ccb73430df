import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { FederationMetrics } from './federation-metrics.js';

/** `GET /metrics` in the Prometheus text format (exposition format 0.0.4), from this application's registry. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: FederationMetrics) {}

  @Get()
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.text();
    await reply.header('Content-Type', this.metrics.contentType).header('Cache-Control', 'no-store').send(text);
  }
}
