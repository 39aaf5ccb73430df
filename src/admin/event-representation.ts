import type { AuditEventRow } from '../storage/audit-event.repository.js';

/** Keycloak's `EventRepresentation`: what Keycloak admin clients and SIEM forwarders already read. */
export interface EventRepresentation {
  id: string;
  /** Epoch milliseconds. */
  time: number;
  type: string;
  realmId: string;
  clientId?: string;
  userId?: string;
  sessionId?: string;
  ipAddress?: string;
  error?: string;
  details: Record<string, string>;
}

/**
 * A stored event in Keycloak's shape: absent fields left out, `details` a map of strings as Keycloak
 * has it (lists space-separated, as OAuth writes scopes), with the IdP under Keycloak's own key
 * `identity_provider` and the tenant under `organisation_agb`.
 */
export function toEventRepresentation(row: AuditEventRow): EventRepresentation {
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(row.details)) details[key] = Array.isArray(value) ? value.join(' ') : String(value);
  if (row.idp_alias !== null) details.identity_provider = row.idp_alias;
  if (row.tenant !== null) details.organisation_agb = row.tenant;
  return {
    id: row.id,
    time: row.occurred_at.getTime(),
    type: row.type,
    realmId: row.realm,
    ...(row.client_id !== null ? { clientId: row.client_id } : {}),
    ...(row.user_id !== null ? { userId: row.user_id } : {}),
    ...(row.session_id !== null ? { sessionId: row.session_id } : {}),
    ...(row.ip_address !== null ? { ipAddress: row.ip_address } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    details,
  };
}
