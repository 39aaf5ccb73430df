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
    options: ConstructorParameters<typeof OAuthError>[2] = {},
  ) {
    super(code, reason, options);
  }
}

/**
 * Runs `step` of a request whose grant was found genuine (a verified refresh token, a redeemed code,
 * a live subject token): an OAuthError it throws without audit facts of its own is refused as the
 * same error, its OAuth code as the audit `error`, naming `subject`'s session and user, so the
 * refusal shows in that person's trail (a leaked refresh token tried by another client, a scope
 * widened). Any other error passes as it is.
 */
export async function refusedForSubject<T>(subject: Omit<RefusalFacts, 'error'>, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    // A subclass (an AuditedRefusal with its own facts, a SAML busy error) is left as it is.
    if (!(error instanceof OAuthError) || error.constructor !== OAuthError) throw error;
    const { status, description, state, withoutCredentials } = error;
    throw new AuditedRefusal(
      error.code,
      error.reason,
      { error: error.code, ...subject },
      { status, description, state, withoutCredentials },
    );
  }
}

/** The audit facts of whatever a request was refused with: the specific code, the OAuth code, or `server_error`. */
export function refusalFacts(cause: unknown): RefusalFacts {
  if (cause instanceof AuditedRefusal) return cause.facts;
  if (cause instanceof OAuthError) return { error: cause.code };
  return { error: 'server_error' };
}
