/**
 * The ways linking refuses a login (see {@link IdentityLinker}), in the login's own words so it never
 * needs to know which directory (FHIR today) stands behind the linker. Messages name what failed,
 * never a national identifier: they reach the log.
 */

/** The directory could not answer (down, slow, overloaded): retryable, nothing half-linked. */
export class IdentityDirectoryUnavailableError extends Error {
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityDirectoryUnavailableError';
  }
}

/** The directory refused the request (e.g. our credentials for it expired): not the person's fault. */
export class IdentityDirectoryRefusedError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityDirectoryRefusedError';
  }
}

/**
 * A national or professional identifier matches more than one Patient or Practitioner, so nobody
 * can be linked safely. A data-quality problem to fix in the directory, not a reason to pick one.
 */
export class AmbiguousIdentityError extends Error {
  constructor(
    readonly resourceType: 'Patient' | 'Practitioner',
    /** The identifier system (e.g. the CPR OID); the value is never kept here. */
    readonly identifierSystem: string,
  ) {
    super(`more than one ${resourceType} has the identifier of system ${identifierSystem}`);
    this.name = 'AmbiguousIdentityError';
  }
}

/**
 * The episode of care a login asked to start in (a mocked citizen's, config `mockUsers[].episodeOfCare`)
 * is not the citizen's to hold: missing, not in force, or another patient's (DOMAIN.md: "The episode of
 * care must belong to the patient"). A configuration mistake, refused rather than logged in without it.
 */
export class EpisodeOfCareRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`episode of care refused: ${reason}`);
    this.name = 'EpisodeOfCareRefusedError';
  }
}
