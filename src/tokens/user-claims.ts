import type { IdentityLink } from '../identity/identity-link.js';
import type { SessionRow } from '../storage/session.repository.js';
import type { AccessTokenClaims } from './access-token.claims.js';

/** The bare logical id of an absolute FHIR URL (SMART's `patient` claim is the bare id). */
export function fhirLogicalId(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * The patient in the session's context, as a bare id: the citizen's own Patient, or the patient a
 * clinician selected (contexts). SMART's `patient` launch-context parameter of the token response.
 */
export function launchPatient(session: Pick<SessionRow, 'context'>): string | undefined {
  const patient = session.context?.patient_id;
  return patient === undefined ? undefined : fhirLogicalId(patient);
}

/**
 * The claims a session gives its access tokens (DESIGN.md §3): who (`user_type`, `user_id`,
 * `fhirUser`), the patient in context (`patient`), the selected context (absolute FHIR URLs) and the
 * roles held in it.
 */
export function sessionClaims(session: SessionRow): Partial<AccessTokenClaims> {
  const claims: Partial<AccessTokenClaims> = {
    sid: session.id,
    auth_time: Math.floor(session.auth_time.getTime() / 1000),
    user_type: session.user_type,
    user_id: session.user_id,
    ...identityClaims(session.link),
  };
  // `patient` is the launch context the token response states (launchPatient), a clinician's chosen
  // patient too: SMART App Launch 2.x token-introspection.html ("Conditional fields") has introspection
  // include the launch context parameters of the token response, and introspection answers these claims.
  const patient = launchPatient(session);
  if (patient !== undefined) claims.patient = patient;
  if (session.acr) claims.acr = session.acr;
  if (session.tenant) claims.organisation_agb = session.tenant;
  if (session.context) {
    const { roles, ...context } = session.context;
    if (Object.keys(context).length > 0) claims.context = context;
    if (roles && roles.length > 0) claims.realm_access = { roles: [...roles] };
  }
  if (session.delegation) claims.act = session.delegation.act as AccessTokenClaims['act'];
  return claims;
}

function identityClaims(link: IdentityLink): Partial<AccessTokenClaims> {
  switch (link.kind) {
    case 'patient':
      return link.patient ? { user_id: link.patient, fhirUser: link.patient, patient: fhirLogicalId(link.patient) } : {};
    case 'practitioner':
      return { user_id: link.practitioner, fhirUser: link.practitioner };
    case 'none':
      return {};
  }
}
