import type { IdentityLink } from './identity-link.js';
import type { SessionContext } from './session-context.js';

/**
 * The context a session starts in (DOMAIN.md): a citizen found in FHIR works in their own Patient
 * context; a clinician in exactly one care team is placed in it, with its organisation and roles.
 */
export function defaultContext(link: IdentityLink): SessionContext | undefined {
  switch (link.kind) {
    case 'patient':
      return link.patient ? { patient_id: link.patient } : undefined;
    case 'practitioner': {
      if (link.careTeams.length !== 1) return undefined;
      const team = link.careTeams[0]!;
      return { care_team_id: team.careTeam, ...(team.organization ? { organization_id: team.organization } : {}), roles: [...team.roles] };
    }
    case 'none':
      return undefined;
  }
}
