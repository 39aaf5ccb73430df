import { CONTEXT_PARAMETERS, contextId, type ContextParameter } from '../../contexts/context-reference.js';
import type { SessionContext } from '../../identity/session-context.js';
import { refused } from './external-subject-claims.js';

/**
 * A trusted partner's `context` as this realm's tokens carry every context: absolute FHIR URLs on the
 * realm's FHIR server (DESIGN.md §3; DOMAIN.md, "`context` with `organization_id`, `care_team_id`,
 * `episode_of_care_id`, `patient_id` as absolute FHIR URLs"), so a FHIR server or XIS reads an
 * exchanged token's context as it reads any other. A bare id is taken to name a resource on that
 * server, as a context parameter of a refresh does (context-selection.service.ts); a URL must be on it
 * already, of the type its member names. Anything else is refused by the claim's name, never carried.
 */
export function contextOnRealmServer(context: Record<string, string> | undefined, fhirBase: string): SessionContext | undefined {
  if (context === undefined) return undefined;
  const placed: Record<string, string> = {};
  for (const [member, value] of Object.entries(context)) {
    const type = CONTEXT_PARAMETERS[member as ContextParameter];
    const id = contextId(value, type, fhirBase);
    if (id === undefined) throw refused('context', `member ${member} is not a ${type} on this realm's FHIR server`);
    placed[member] = `${fhirBase}/${type}/${id}`;
  }
  return placed;
}
