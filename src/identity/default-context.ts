import type { IdentityLink } from './identity-link.js';
import type { SessionContext } from './session-context.js';

/**
 * The context a session starts in (DOMAIN.md): a citizen found in FHIR works in their own Patient
 * context, and in the episode of care a mocked citizen logs in with (checked at linking to be theirs,
 * as a citizen's own choice of one is); a clinician in exactly one care team is placed in it, with its
 * organisation and roles.
 */
export function defaultContext(link: IdentityLink): SessionContext | undefined {
  switch (link.kind) {
    case 'patient':
      if (!link.patient) return undefined;
      return { patient_id: link.patient, ...(link.episodeOfCare ? { episode_of_care_id: link.episodeOfCare } : {}) };
    case 'practitioner': {
      if (link.careTeams.length !== 1) return undefined;
      const team = link.careTeams[0]!;
      return { care_team_id: team.careTeam, ...(team.organization ? { organization_id: team.organization } : {}), roles: [...team.roles] };
    }
    case 'none':
      return undefined;
  }
}
