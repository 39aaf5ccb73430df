import type { AuthorizationResponse } from '../protocol/authorization-response.js';
import {
  AmbiguousIdentityError,
  EpisodeOfCareRefusedError,
  IdentityDirectoryRefusedError,
  IdentityDirectoryUnavailableError,
} from '../identity/linking-errors.js';
import type { ErrorPage } from './pages/error.page.js';

/** A mocked citizen's episode of care that is not theirs (EpisodeOfCareRefusedError); the login stays pending for another choice. */
const EPISODE_REFUSED: ErrorPage = { status: 403, key: 'episode_of_care_refused' };

/** How a login whose FHIR linking failed ends: its LOGIN_ERROR code, its log line, and what the browser gets. */
export interface LinkingRefusal {
  /** The LOGIN_ERROR `error` (README, audit trail). */
  code: string;
  level: 'warn' | 'error';
  /** Log facts besides the realm: reasons and resource types, never an identifier. */
  facts: Record<string, string>;
  message: string;
  outcome: { kind: 'response'; response: AuthorizationResponse } | { kind: 'page'; page: ErrorPage };
}

/**
 * The refusal for a linking failure (identity/linking-errors.ts), or undefined for any other error,
 * which is not the login's to answer. `back` makes the answer to the client (its redirect URI, in its
 * response mode). A FHIR outage is a retryable 503 page that offers the way back with
 * `temporarily_unavailable`: never a login without its rights presented as success.
 */
export function linkingRefusal(
  error: unknown,
  back: (params: Record<string, string>) => AuthorizationResponse,
): LinkingRefusal | undefined {
  if (error instanceof IdentityDirectoryUnavailableError) {
    const retry = back({ error: 'temporarily_unavailable', error_description: 'The health records service is unavailable; try again.' });
    return {
      code: 'identity_directory_unavailable',
      level: 'warn',
      facts: { reason: error.message },
      message: 'login refused: FHIR unavailable',
      outcome: { kind: 'page', page: { status: 503, key: 'fhir_unavailable', ...wayBack(retry) } },
    };
  }
  if (error instanceof IdentityDirectoryRefusedError) {
    // The FHIR server refused (e.g. our credentials for it expired), or answered what cannot be used: not
    // the person's fault, not retryable by them. The page still offers the way back, so the client learns
    // that the login failed (RFC 6749 §4.1.2.1: `server_error`, the redirect URI being valid).
    const failed = back({ error: 'server_error', error_description: 'The health records service refused the login.' });
    return {
      code: 'identity_directory_refused',
      level: 'error',
      facts: { reason: error.message },
      message: 'login refused: FHIR refused the linking',
      outcome: { kind: 'page', page: { status: 502, key: 'fhir_refused', ...wayBack(failed) } },
    };
  }
  if (error instanceof AmbiguousIdentityError) {
    return {
      code: 'ambiguous_identity',
      level: 'warn',
      facts: { resourceType: error.resourceType },
      message: `login refused: identifier matches several ${error.resourceType} records`,
      outcome: {
        kind: 'response',
        response: back({ error: 'access_denied', error_description: 'The login could not be linked to a single person.' }),
      },
    };
  }
  if (error instanceof EpisodeOfCareRefusedError) {
    // A mocked citizen's configured episode is not theirs: the operator's mistake, shown to the tester.
    return {
      code: 'episode_of_care_refused',
      level: 'warn',
      facts: { reason: error.reason },
      message: 'login refused: the mocked citizen’s episode of care',
      outcome: { kind: 'page', page: EPISODE_REFUSED },
    };
  }
  return undefined;
}

/** The error page's way back to the client: a link, or a button posting the form (Form Post Response Mode §2). */
function wayBack(answer: AuthorizationResponse): Pick<ErrorPage, 'returnUrl' | 'returnForm'> {
  return answer.mode === 'form_post' ? { returnForm: answer } : { returnUrl: answer.url };
}
