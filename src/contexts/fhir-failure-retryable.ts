import { FhirError } from '../fhir/fhir.errors.js';
import { OAuthError } from '../protocol/oauth-error.js';

/**
 * A context check against FHIR whose failure, any FHIR failure and not only an outage (a 200
 * OperationOutcome where a resource was due, an empty answer …), is FHIR's fault, not the user's:
 * `temporarily_unavailable` (RFC 6749 §5.2, §4.1.2.1), retryable, and nothing changed.
 */
export async function fhirFailureRetryable<T>(check: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof FhirError) throw new OAuthError('temporarily_unavailable', `${check}: ${error.message}`);
    throw error;
  }
}
