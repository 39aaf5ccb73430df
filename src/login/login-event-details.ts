import type { AuditDetails } from '../audit/audit-event-type.js';
import type { IdentityLink } from '../identity/identity-link.js';
import type { SessionRow } from '../storage/session.row.js';

/**
 * What a LOGIN event says of the client session it opened, whether the person logged in at the IdP
 * (login-completion.service.ts) or the browser's SSO session answered (sso-login.service.ts): who they
 * are to FHIR and what the session was granted (README, Audit events).
 */
export function loginEventDetails(session: Pick<SessionRow, 'user_type' | 'acr' | 'scope'>, link: IdentityLink): AuditDetails {
  return {
    user_type: session.user_type,
    acr: session.acr ?? undefined,
    link: link.kind,
    patient: link.kind === 'patient' ? link.patient : undefined,
    practitioner: link.kind === 'practitioner' ? link.practitioner : undefined,
    scope: session.scope,
  };
}
