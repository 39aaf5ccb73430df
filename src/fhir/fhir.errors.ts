/**
 * What can go wrong talking to FHIR, as types the login flow can act on. Messages name the
 * interaction, the resource type and the HTTP status, never a URL, a search value or a server
 * diagnostic: those can carry a national identifier (DESIGN.md §3: never in a log line).
 */
export type FhirInteraction = 'search' | 'read' | 'create' | 'update';

export interface FhirOperation {
  interaction: FhirInteraction;
  resourceType: string;
}

export abstract class FhirError extends Error {
  /** True when the same request may succeed later (the server was down, slow or overloaded). */
  abstract readonly retryable: boolean;

  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * FHIR could not answer: unreachable, timed out, 5xx, 429, or a 2xx that is not the answer asked for
 * (not FHIR JSON, not the resource, a broken or incomplete Bundle). A broken answer is no refusal.
 */
export class FhirUnavailableError extends FhirError {
  readonly retryable = true;
}

/** 404 / 410 on a read (R4 http.html#read). */
export class FhirNotFoundError extends FhirError {
  readonly retryable = false;
}

/**
 * 412 Precondition Failed: an If-Match update lost a race with another writer (R4 http.html#concurrency
 * "Managing Resource Contention"), or a conditional create matched several resources (#ccreate).
 */
export class FhirPreconditionFailedError extends FhirError {
  readonly retryable = false;
}

/**
 * 409 Conflict (R4 http.html#update: a server may use it for version conflicts too; a server guarding
 * uniqueness, for a conditional create that lost a race). A refusal as such; where the write that met it
 * knows it for a lost race, it tries again or finds the winner's resource (clinician/), and a race
 * still lost after that is retryable (FhirUnavailableError).
 */
export class FhirConflictError extends FhirError {
  readonly retryable = false;
}

/** Any other refusal (400, 401, 403, 422 …), or an answer that is whole but unsafe to use (a match lacking the searched identifier). */
export class FhirRequestError extends FhirError {
  readonly retryable = false;
}

/** A read answered 404 or 410 (R4 http.html#read) as nothing; any other failure as it is. */
export function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof FhirNotFoundError) return undefined;
  throw error;
}
