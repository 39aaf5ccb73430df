import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { refusedAdminAction } from './admin-action.js';

/**
 * Every admin action is recorded, refused ones included (issue 13): a call the guard admitted but
 * whose request the handler refuses as malformed (an id that is none, an unknown event type, an
 * algorithm the realm does not sign with) becomes a failed ADMIN_ACTION with `invalid_request`, its
 * path recorded as admin-action.ts records what an operator named. The handlers record their own
 * other refusals (a session not found) and every success.
 */
@Injectable()
export class RecordRefusedAdminCall implements NestInterceptor {
  constructor(private readonly audit: AuditTrail) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!(error instanceof OAuthError && error.code === 'invalid_request')) return throwError(() => error);
        const event = refusedAdminAction(request, request.oauthRealm!, request.oauthClient!.clientId);
        return from(this.audit.failed(event, 'invalid_request')).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
