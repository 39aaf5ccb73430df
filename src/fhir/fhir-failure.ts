import { BodyTooLargeError } from '../common/capped-body.js';
import {
  FhirConflictError,
  FhirError,
  FhirNotFoundError,
  FhirPreconditionFailedError,
  FhirRequestError,
  FhirUnavailableError,
  type FhirOperation,
} from './fhir.errors.js';

/** The shape fhir-kit-client gives an HTTP error: `response.status` and the parsed body. */
interface HttpFailure {
  response?: { status?: unknown; data?: unknown };
}

/**
 * Turns whatever a FHIR call threw (fhir-kit-client's HTTP error, fetch's network TypeError, an
 * abort on timeout) into one {@link FhirError}. The original error is dropped on purpose: its
 * message holds the request URL, which for a search can hold a CPR or BSN.
 */
export function toFhirError(error: unknown, operation: FhirOperation): FhirError {
  if (error instanceof FhirError) return error;
  const what = `FHIR ${operation.interaction} ${operation.resourceType}`;
  if (isAbort(error)) return new FhirUnavailableError(`${what}: no answer within the timeout`);
  // Like any broken answer (fhir-answers.ts): the server's doing, not a refusal, so retryable.
  if (error instanceof BodyTooLargeError) return new FhirUnavailableError(`${what}: the answer is larger than ${error.maxBytes} bytes`);

  const status = (error as HttpFailure | null)?.response?.status;
  if (typeof status !== 'number') return new FhirUnavailableError(`${what}: unreachable (${networkCode(error)})`);
  if (status >= 200 && status < 300) return new FhirUnavailableError(`${what}: the answer is not FHIR JSON`, status);
  // Redirects are not followed (fhir-exchange.ts): the answer is elsewhere, which is no refusal but no answer either.
  if (status >= 300 && status < 400) return new FhirUnavailableError(`${what}: HTTP ${status} (a redirect, not followed)`, status);
  if (status >= 500 || status === 429 || status === 408) return new FhirUnavailableError(`${what}: HTTP ${status}`, status);
  if (status === 404 || status === 410) return new FhirNotFoundError(`${what}: HTTP ${status}`, status);
  if (status === 412) return new FhirPreconditionFailedError(`${what}: HTTP 412`, status);
  if (status === 409) return new FhirConflictError(`${what}: HTTP 409`, status);
  return new FhirRequestError(`${what}: HTTP ${status}${issueCodes((error as HttpFailure).response?.data)}`, status);
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** `ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET` …: the cause code only, never a host or URL. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'network error';
}

/** OperationOutcome issue codes (R4 OperationOutcome.issue.code, a fixed value set); diagnostics may echo input. */
function issueCodes(body: unknown): string {
  const issues = (body as { resourceType?: unknown; issue?: { code?: unknown }[] } | null)?.issue;
  if (!Array.isArray(issues)) return '';
  const codes = issues.map((issue) => issue.code).filter((code): code is string => typeof code === 'string' && /^[a-z-]+$/.test(code));
  return codes.length > 0 ? ` (${[...new Set(codes)].join(', ')})` : '';
}
