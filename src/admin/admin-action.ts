import type { FastifyRequest } from 'fastify';
import type { AuditEvent } from '../audit/audit-trail.service.js';
import { maskNationalIdentifiers } from '../logging/national-identifiers.js';
import type { Realm } from '../realms/realm.js';

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
    userId: operatorNamed(subject.userId),
    sessionId: operatorNamed(subject.sessionId),
    details: { operation_type: operation, resource_path: pathOperatorNamed(resourcePath), ...subject.details },
  };
}

/**
 * The ADMIN_ACTION of an operator's command that does what an admin API call does (`npm run
 * keys:rotate`, the admin API's `keys/rotate`): the same operation and resource path, `via: 'cli'`,
 * and no client or address, since none took part: the command runs with the service's config and
 * database.
 */
export function commandLineAction(
  realm: string,
  operation: AdminOperation,
  resourcePath: string,
  details: AuditEvent['details'] = {},
): AuditEvent {
  return { realm, type: 'ADMIN_ACTION', details: { operation_type: operation, resource_path: resourcePath, via: 'cli', ...details } };
}

/** The ids this service issues: a user's UUID, a session's random token (`{sso}.{own}` in an SSO session). */
const ISSUED_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{22}(?:\.[A-Za-z0-9_-]{22})?)$/;

/**
 * A value an operator named (a path's id, a filter), as the audit trail keeps it: an id this service
 * issued as it is, anything else with any CPR or BSN in it masked. An operator who looks a person up by
 * their CPR by mistake must not leave it in the trail, where no national identifier is kept; an issued
 * id stays whole even where its random characters happen to form nine or ten digits.
 */
export function operatorNamed<T extends string | undefined>(value: T): T {
  return (value === undefined || ISSUED_ID.test(value) ? value : maskNationalIdentifiers(value)) as T;
}

/** A resource path an operator named, segment by segment as {@link operatorNamed}. */
function pathOperatorNamed(path: string): string {
  return path.split('/').map(operatorNamed).join('/');
}

/** The longest resource path a refused call records: the path is the caller's, not yet checked. */
const PATH_LIMIT = 200;

/**
 * The ADMIN_ACTION of a call refused before its handler did anything (403 without the role, 400 for a
 * malformed request: refused-admin-call.interceptor.ts): the operation and path from the request
 * itself, the error on the event. Only a caller with a live token of the realm
 * gets this far, so an anonymous flood writes nothing.
 */
export function refusedAdminAction(request: FastifyRequest, realm: Realm, clientId: string): Omit<AuditEvent, 'error'> {
  const prefix = `/admin/realms/${realm.name}/`;
  const path = request.url.split('?')[0]!;
  return {
    realm: realm.name,
    type: 'ADMIN_ACTION',
    clientId,
    ipAddress: request.ip,
    details: {
      operation_type: operationOf(request.method),
      // Masked, then cut: cut first, a CPR across the cut would leave its first digits (a birth date) whole.
      resource_path: pathOperatorNamed(path.startsWith(prefix) ? path.slice(prefix.length) : path).slice(0, PATH_LIMIT),
    },
  };
}

function operationOf(method: string): AdminOperation {
  if (method === 'GET' || method === 'HEAD') return 'READ';
  return method === 'DELETE' ? 'DELETE' : 'ACTION';
}
