/**
 * The two ways linking refuses a login (see IdentityLinker): FHIR could not answer (retryable,
 * nothing half-linked), or a national identifier matched more than one person (fail closed).
 */
export { AmbiguousIdentityError, FhirError, FhirUnavailableError } from '../fhir/fhir.errors.js';
