import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DATABASE, databaseAnswers, type Database } from '../storage/database.js';

/** Liveness (the process answers) and readiness (it can reach its database). */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers (503 if not); FHIR reachability is reported' })
  @ApiResponse({ status: 200, description: '`status` ok, or degraded when only FHIR is unreachable' })
  @ApiResponse({ status: 503, description: 'The database is unreachable' })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    if (await databaseAnswers(this.db)) await reply.status(200).send({ status: 'ok', database: 'ok' });
    else await reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
  }
}
