import { FHIR_ID } from '../fhir/fhir-references.js';

/** The FHIR resource types a context names, by the request parameter that names them. */
export const CONTEXT_PARAMETERS = {
  organization_id: 'Organization',
  care_team_id: 'CareTeam',
  patient_id: 'Patient',
  episode_of_care_id: 'EpisodeOfCare',
} as const;

export type ContextParameter = keyof typeof CONTEXT_PARAMETERS;

/**
 * The logical id a context parameter names: a bare id, `Type/id`, or `{fhirBase}/Type/id` (only on
 * this service's FHIR server). Undefined for anything else, so a foreign or malformed reference is
 * refused, never looked up.
 */
export function contextId(value: string, type: string, fhirBase: string): string | undefined {
  let rest = value;
  if (/^https?:\/\//i.test(rest)) {
    if (!rest.startsWith(`${fhirBase}/`)) return undefined;
    rest = rest.slice(fhirBase.length + 1);
  }
  if (rest.includes('/')) {
    const [prefix, id, ...more] = rest.split('/');
    if (prefix !== type || more.length > 0) return undefined;
    rest = id ?? '';
  }
  return FHIR_ID.test(rest) ? rest : undefined;
}
