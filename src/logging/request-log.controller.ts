import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One line per request instead of Fastify's two, and without the query string, where codes or
 * identifiers could otherwise appear. The request id (`reqId`) comes from the request's child logger.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      path: request.url.split('?')[0],
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request completed');
  }
}
