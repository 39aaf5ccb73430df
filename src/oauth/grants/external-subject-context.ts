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

/**
 * The one Patient, as an absolute URL on the realm's FHIR server, that a partner's token names by
 * `patient`, `context.patient_id` (placed already) or a `fhirUser` on that server (bare `Patient/id`
 * there too); undefined when it names none. This realm's own tokens name one patient in all three: a
 * token naming two would have a GP system reading SMART's `patient` act for one person and one reading
 * `context` for another, so it is refused. A `fhirUser` on the partner's own server names its record
 * there, not one of this realm's, and is not compared.
 */
export function onePatient(
  claims: { patient?: string; fhirUser?: string },
  placed: SessionContext | undefined,
  fhirBase: string,
): string | undefined {
  const named = new Set<string>();
  if (placed?.patient_id !== undefined) named.add(placed.patient_id);
  if (claims.patient !== undefined) named.add(`${fhirBase}/Patient/${claims.patient}`);
  const user = claims.fhirUser;
  if (user !== undefined && /^Patient\/[^/]+$/.test(user)) named.add(`${fhirBase}/${user}`);
  else if (user?.startsWith(`${fhirBase}/Patient/`)) named.add(user);
  if (named.size > 1) throw refused('patient', 'names another patient than context.patient_id or fhirUser');
  return named.values().next().value;
}
