import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from './oauth.error.js';

/**
 * The one place errors become responses. OAuth errors render as RFC 6749 §5.2 bodies (only `error`,
 * `error_description` and `state`); `invalid_client` carries `WWW-Authenticate` (§5.2) and
 * `invalid_token` the bearer challenge (RFC 6750 §3). Anything unexpected is logged and becomes a
 * `server_error` without detail; framework errors for bad input (body too large, unparsable body)
 * become `invalid_request`, never a 500.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const error = this.toOAuthError(exception, request);
    const log = { code: error.code, reason: error.reason, path: request.routeOptions?.url ?? 'unmatched' };
    if (error.status >= 500) request.log.error({ ...log, err: exception }, 'request failed');
    else request.log.warn(log, 'request refused');

    if (error.code === 'invalid_client') {
      const realm = (request.params as Record<string, string> | undefined)?.realm ?? 'federation';
      void reply.header('WWW-Authenticate', `Basic realm="${realm}"`);
    }
    if (error.code === 'invalid_token') {
      void reply.header('WWW-Authenticate', `Bearer error="invalid_token"`);
    }
    const body: Record<string, string> = { error: error.code, error_description: error.description };
    if (error.state !== undefined) body.state = error.state;
    void reply.status(error.status).header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(body);
  }

  private toOAuthError(exception: unknown, request: FastifyRequest): OAuthError {
    if (exception instanceof OAuthError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return new OAuthError('not_found', `no route for ${request.method}`, { description: 'Not found.' });
      if (status < 500) return new OAuthError('invalid_request', exception.message, { status: status === 413 ? 413 : 400 });
    }
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return new OAuthError('invalid_request', (exception as Error).message, { status: fastifyStatus === 413 ? 413 : 400 });
    }
    return new OAuthError('server_error', exception instanceof Error ? exception.message : 'unknown error');
  }
}
