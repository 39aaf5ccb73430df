import type { FastifyRequest } from 'fastify';
import type { AuditEvent } from '../audit/audit-trail.service.js';

/** Keycloak's admin-event operation types. */
export type AdminOperation = 'READ' | 'ACTION' | 'DELETE';

/**
 * The ADMIN_ACTION event of an admin API call (issue 13: every admin action is recorded, reads
 * included — an auditor reading the access log is itself access to it): the administrator's client,
 * its address, and what it did, as Keycloak's admin events name it (`operation_type`,
 * `resource_path`). `userId` is the user acted on, if any.
 */
export function adminAction(
  request: FastifyRequest,
  operation: AdminOperation,
  resourcePath: string,
  subject: { userId?: string; sessionId?: string; details?: AuditEvent['details'] } = {},
): AuditEvent {
  return {
    realm: request.oauthRealm!.name,
    type: 'ADMIN_ACTION',
    clientId: request.oauthClient!.clientId,
    ipAddress: request.ip,
    userId: subject.userId,
    sessionId: subject.sessionId,
    details: { operation_type: operation, resource_path: resourcePath, ...subject.details },
  };
}
