import type { AuditEventType } from '../../audit/audit-event-type.js';
import type { GrantType } from '../../config/client-config.schema.js';

/** The audit event of a refused token request, per grant (Keycloak's event types). */
const REFUSAL_EVENTS: Record<GrantType, AuditEventType> = {
  authorization_code: 'CODE_TO_TOKEN_ERROR',
  refresh_token: 'REFRESH_TOKEN_ERROR',
  client_credentials: 'CLIENT_LOGIN_ERROR',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'TOKEN_EXCHANGE_ERROR',
};

/** The refusal event of the grant a token request asks for; a client's failed login where it names none we know. */
export function refusalEventOf(grantType: string | undefined): AuditEventType {
  return Object.hasOwn(REFUSAL_EVENTS, grantType ?? '') ? REFUSAL_EVENTS[grantType as GrantType] : 'CLIENT_LOGIN_ERROR';
}
