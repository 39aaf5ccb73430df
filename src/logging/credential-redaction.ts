/**
 * Keys whose values are credentials wherever a logged object holds them: client credentials (RFC 6749
 * §2.3.1, RFC 7523 §2.2), the tokens and proofs a request may carry by their parameter names (RFC 6749
 * §6, RFC 7009 §2.1 and RFC 7662 §2.1 `token`, RFC 7636 §4.5, RFC 8693 §2.1, OIDC RP-Initiated Logout
 * §2, Back-Channel Logout §2.5), a SAML message and a browser's cookies. No line names them today; one
 * that logged a request's form would redact them. Not `code`: log lines use that key for an error's code.
 */
const CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'client_secret',
  'client_assertion',
  'secret',
  'password',
  'cookie',
  'token',
  'logout_token',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'subject_token',
  'actor_token',
  'assertion',
  'code_verifier',
  'SAMLResponse',
  'SAMLRequest',
]);

export const REDACTED = '[redacted]';

/**
 * A credential's value becomes {@link REDACTED}, whatever it is: the logger applies it at the top of a
 * logged object and one level down (`{ headers: { authorization } }`), on a copy (logged-fields.ts).
 * The `err` field is left to its serializer (error-summary.ts), which keeps no field of an error at all.
 *
 * Written here instead of pino's `redact` with `*.key` paths: pino runs such a path's redaction on
 * every value of every line, and @pinojs/redact clones the value and parses the paths again each
 * time, 6 % of a client_credentials request's CPU for a line of four numbers and strings (issue 14).
 */
export function redactCredential(key: string, value: unknown): unknown {
  return CREDENTIAL_KEYS.has(key) ? REDACTED : value;
}

/** The same keys for pino's own `redact`, which reaches where a formatter does not: child bindings. */
export const TOP_LEVEL_CREDENTIAL_PATHS: readonly string[] = [...CREDENTIAL_KEYS];
