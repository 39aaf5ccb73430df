import { OAuthError, type OAuthErrorCode } from '../protocol/oauth-error.js';

/** What the audit trail records of a refusal beside the OAuth error code. */
export interface RefusalFacts {
  /** Keycloak's event `error`: a code such as `refresh_token_reused`, never free text. */
  error: string;
  sessionId?: string;
  userId?: string;
}

/**
 * An {@link OAuthError} that tells the audit trail more than its RFC 6749 code: a refresh-token reuse
 * and an expired session are both `invalid_grant` to the client, but not to an auditor. The error
 * filter renders it as any other OAuthError.
 */
export class AuditedRefusal extends OAuthError {
  constructor(
    code: OAuthErrorCode,
    reason: string,
    readonly facts: RefusalFacts,
    options: { description?: string } = {},
  ) {
    super(code, reason, options);
  }
}

/** The audit facts of whatever a request was refused with: the specific code, the OAuth code, or `server_error`. */
export function refusalFacts(cause: unknown): RefusalFacts {
  if (cause instanceof AuditedRefusal) return cause.facts;
  if (cause instanceof OAuthError) return { error: cause.code };
  return { error: 'server_error' };
}
