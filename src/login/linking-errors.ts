/** FHIR could not answer (down, slow, 5xx): the login is refused with a retryable error, never half-linked. */
export class FhirUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'FhirUnavailableError';
  }
}

/** A national identifier matched more than one Patient: refused, since picking one could expose another person's record. */
export class AmbiguousIdentityError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AmbiguousIdentityError';
  }
}
