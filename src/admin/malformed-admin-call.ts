import { OAuthError } from '../protocol/oauth-error.js';

/**
 * A call the admin API refuses as malformed after its token was admitted (a 400, recorded as a failed
 * ADMIN_ACTION). Its caller is an operator or auditor holding the role, so the answer says what was
 * wrong, where the token endpoint's fixed descriptions say nothing to an anonymous caller: "bad
 * dateFrom" or "rotation still pending" are not to be told apart from the log alone. `reason` names
 * what was wrong in fixed words and repeats no value the caller sent (RFC 6749 §5.2 allows only
 * printable ASCII but `"` and `\` in `error_description`).
 */
export function malformedAdminCall(reason: string): OAuthError {
  return new OAuthError('invalid_request', `admin API: ${reason}`, { description: reason });
}
