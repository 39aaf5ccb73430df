/**
 * An OAuth 2.0 error response (RFC 6749 §5.2, RFC 6750 §3.1, RFC 8693 §2.2.2, RFC 7009 §2.2.1).
 * The body carries only the code and a fixed description per code; the specific reason
 * (`reason`) is for the log, so responses never leak what exactly failed.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'not_found'
  | 'server_error'
  | 'temporarily_unavailable';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  unsupported_token_type: 400,
  access_denied: 403,
  not_found: 404,
  server_error: 500,
  temporarily_unavailable: 503,
};

const DESCRIPTION: Record<OAuthErrorCode, string> = {
  invalid_request: 'The request is missing a required parameter, includes an invalid or repeated parameter, or is otherwise malformed.',
  invalid_client: 'Client authentication failed.',
  invalid_grant: 'The provided grant is invalid, expired, revoked or was issued to another client.',
  unauthorized_client: 'The client is not authorized to make this request.',
  unsupported_grant_type: 'The authorization grant type is not supported by this server or not enabled for this client.',
  invalid_scope: 'The requested scope is invalid, unknown or exceeds what the client may request.',
  invalid_target: 'The requested audience or resource is not allowed.',
  invalid_token: 'The access token is invalid, expired or revoked.',
  insufficient_scope: 'The request requires higher privileges than provided by the access token.',
  unsupported_token_type: 'The token type is not supported.',
  access_denied: 'The request was denied.',
  not_found: 'Realm does not exist.',
  server_error: 'The server encountered an unexpected condition.',
  temporarily_unavailable: 'The service is temporarily unavailable; try again later.',
};

export class OAuthError extends Error {
  readonly status: number;
  readonly description: string;

  constructor(
    readonly code: OAuthErrorCode,
    /** Why, for the log only: never sent to the client. */
    readonly reason: string,
    options: { status?: number; description?: string; state?: string; withoutCredentials?: boolean; routine?: boolean } = {},
  ) {
    super(`${code}: ${reason}`);
    this.name = 'OAuthError';
    this.status = options.status ?? STATUS[code];
    this.description = options.description ?? DESCRIPTION[code];
    this.state = options.state;
    this.withoutCredentials = options.withoutCredentials ?? false;
    this.routine = options.routine ?? false;
  }

  readonly state: string | undefined;
  /** The request carried no credentials at all: the challenge names no error (RFC 6750 §3.1). */
  readonly withoutCredentials: boolean;
  /** An answer the service gives in its normal course (a 503 while it shuts down): logged as info, not as a failure. */
  readonly routine: boolean;
}
