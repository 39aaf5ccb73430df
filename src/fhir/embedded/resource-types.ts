/*
 * No Nest decorators and no TypeScript-only runtime syntax in this folder: a test runs the embedded
 * server as a separate Node process straight from these sources (type stripping only).
 */

/**
 * The resource types the embedded FHIR server holds: those this service reads and writes (patients,
 * practitioners and their roles, care teams, organisations, episodes of care: DOMAIN.md; BALP
 * AuditEvents: fhir/balp-audit-event.ts) and Observation, which the demo SMART app reads. Its
 * CapabilityStatement lists them, only their definitions are loaded (medplum-schema.ts), and a
 * request for any other type is answered 404 as R4 http.html says for a type a server does not
 * support.
 */
export const HELD_RESOURCE_TYPES: readonly string[] = [
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'CareTeam',
  'EpisodeOfCare',
  'Observation',
  'AuditEvent',
];

/** Whether the embedded server holds resources of this type. */
export function isHeldResourceType(resourceType: string): boolean {
  return HELD_RESOURCE_TYPES.includes(resourceType);
}
