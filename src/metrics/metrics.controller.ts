import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { FederationMetrics } from './federation-metrics.js';

/** `GET /metrics` in the Prometheus text format (exposition format 0.0.4), from this application's registry. */
@ApiTags('Operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: FederationMetrics) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format 0.0.4); on the management port instead when `managementPort` is set',
  })
  @ApiProduces('text/plain')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.text();
    await reply.header('Content-Type', this.metrics.contentType).header('Cache-Control', 'no-store').send(text);
  }
}
