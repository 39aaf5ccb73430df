import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DATABASE, databaseAnswers, type Database } from '../storage/database.js';

/** Liveness (the process answers) and readiness (it can reach its database). */
@Controller('health')
export class HealthController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    if (await databaseAnswers(this.db)) await reply.status(200).send({ status: 'ok', database: 'ok' });
    else await reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
  }
}
