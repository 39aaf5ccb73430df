import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadinessService } from './readiness.service.js';

/** Liveness (the process answers) and readiness (it can reach its database, and whether FHIR answers). */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and takes writes (503 if not); FHIR reachability is reported' })
  @ApiResponse({ status: 200, description: '`status` ok, or degraded when only FHIR is unreachable' })
  @ApiResponse({ status: 503, description: 'The database is unreachable, or read-only (a standby)' })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { httpStatus, body } = await this.readiness.check();
    await reply.status(httpStatus).header('Cache-Control', 'no-store').send(body);
  }
}
