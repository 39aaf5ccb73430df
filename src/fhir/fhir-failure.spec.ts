import { BodyTooLargeError } from '../common/capped-body.js';
import {
  FhirConflictError,
  FhirNotFoundError,
  FhirPreconditionFailedError,
  FhirRequestError,
  FhirUnavailableError,
} from './fhir.errors.js';
import { toFhirError } from './fhir-failure.js';

const search = { interaction: 'search', resourceType: 'Patient' } as const;
const CPR = '0101011234';

/** fhir-kit-client's HTTP error: the message holds the URL, the body the server's OperationOutcome. */
function httpError(status: number, data: unknown = {}): Error {
  return Object.assign(new Error(`HTTP ${status}: GET http://fhir/Patient?identifier=urn:oid:1.2.208.176.1.2|${CPR}`), {
    response: { status, data },
  });
}

describe('toFhirError', () => {
  it.each([
    [503, FhirUnavailableError, true],
    [500, FhirUnavailableError, true],
    [429, FhirUnavailableError, true],
    [307, FhirUnavailableError, true],
    [301, FhirUnavailableError, true],
    [404, FhirNotFoundError, false],
    [410, FhirNotFoundError, false],
    [412, FhirPreconditionFailedError, false],
    [409, FhirConflictError, false],
    [400, FhirRequestError, false],
    [401, FhirRequestError, false],
  ])('maps HTTP %i to %p (retryable: %p)', (status, type, retryable) => {
    const error = toFhirError(httpError(status), search);
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
  });

  it('maps an answer past the size cap to FhirUnavailableError: a broken answer, retryable', () => {
    const error = toFhirError(new BodyTooLargeError(4096), search);
    expect(error).toBeInstanceOf(FhirUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('FHIR search Patient: the answer is larger than 4096 bytes');
  });

  it('maps a refused connection to FhirUnavailableError naming only the cause code', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const error = toFhirError(refused, search);
    expect(error).toBeInstanceOf(FhirUnavailableError);
    expect(error.message).toBe('FHIR search Patient: unreachable (ECONNREFUSED)');
  });

  it('maps an abort by timeout to FhirUnavailableError', () => {
    const error = toFhirError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), search);
    expect(error).toBeInstanceOf(FhirUnavailableError);
    expect(error.message).toContain('timeout');
  });

  it('treats a 2xx that is not FHIR JSON (a proxy page) as unavailable', () => {
    expect(toFhirError(httpError(200, '<html>'), search)).toBeInstanceOf(FhirUnavailableError);
  });

  it('keeps the URL, search values and server diagnostics out of the message, but names issue codes', () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `bad value ${CPR}` }] };
    const error = toFhirError(httpError(400, outcome), search);
    expect(error.message).toBe('FHIR search Patient: HTTP 400 (invalid)');
    expect(error.message).not.toContain(CPR);
    expect(error.cause).toBeUndefined();
  });
});
