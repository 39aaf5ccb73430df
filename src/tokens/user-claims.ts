import type { IdentityLink } from '../login/identity-link.js';
import type { SessionRow } from '../storage/session.repository.js';
import type { AccessTokenClaims } from './access-token.claims.js';

/** NSIS levels of assurance as `acr` values (OIDC Core §2), as the Danish infrastructure names them. */
export function acrForLoa(loa: string | undefined): string | undefined {
  return loa ? `https://data.gov.dk/concept/core/nsis/loa/${loa}` : undefined;
}

/** The bare logical id of an absolute FHIR URL (SMART's `patient` claim is the bare id). */
export function fhirLogicalId(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * The claims a session gives its access tokens (DESIGN.md §3): who (`user_type`, `user_id`,
 * `fhirUser`), which patient, the selected context and the roles held in it.
 */
export function sessionClaims(session: SessionRow): Partial<AccessTokenClaims> {
  const claims: Partial<AccessTokenClaims> = {
    sid: session.id,
    auth_time: Math.floor(session.auth_time.getTime() / 1000),
    user_type: session.user_type,
    user_id: session.user_id,
  };
  if (session.acr) claims.acr = session.acr;
  if (session.tenant) claims.organisation_agb = session.tenant;
  return { ...claims, ...linkClaims(session.link) };
}

function linkClaims(link: IdentityLink): Partial<AccessTokenClaims> {
  switch (link.kind) {
    case 'patient':
      return link.patient
        ? { user_id: link.patient, fhirUser: link.patient, patient: fhirLogicalId(link.patient), context: { patient_id: link.patient } }
        : {};
    case 'practitioner': {
      const claims: Partial<AccessTokenClaims> = { user_id: link.practitioner, fhirUser: link.practitioner };
      // A single care team is selected automatically (the Danish reference behaviour).
      if (link.careTeams.length === 1) {
        const team = link.careTeams[0]!;
        claims.context = { care_team_id: team.careTeam, ...(team.organization ? { organization_id: team.organization } : {}) };
        claims.realm_access = { roles: [...team.roles] };
      }
      return claims;
    }
    case 'none':
      return {};
  }
}
