import type { IdentityLink } from '../identity/identity-link.js';
import { needsPatientContext } from '../protocol/smart-scope.js';

/**
 * The granted scopes a login's link to FHIR can back. SMART App Launch 2.x ("Scopes and launch
 * context"): a server that grants a patient-level scope SHALL provide a `patient` launch context. A
 * citizen whose national identifier matched no FHIR Patient (or a login linked to no one) never has
 * one, so `launch/patient` and `patient/…` are not granted: the login succeeds without rights, and the
 * token response's `scope` says what was granted (RFC 6749 §3.3, §5.1). A clinician keeps them: they
 * choose a patient of their care team as their context later (contexts/), checked against FHIR.
 * Nor `fhirUser` ("Scopes for requesting identity data"): it asks for the FHIR resource of the person
 * logged in, in the ID token's `fhirUser` claim, and such a login has none to name.
 */
export function scopesBackedByLink(scopes: readonly string[], link: IdentityLink): string[] {
  const linkedToFhir = link.kind === 'practitioner' || (link.kind === 'patient' && link.patient !== undefined);
  return linkedToFhir ? [...scopes] : scopes.filter((scope) => scope !== 'fhirUser' && !needsPatientContext(scope));
}
