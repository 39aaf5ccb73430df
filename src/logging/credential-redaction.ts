/** Keys whose values are credentials wherever a logged object holds them (RFC 6749 §2.3.1, RFC 7523 §2.2). */
const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(['authorization', 'client_secret', 'client_assertion', 'secret']);

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
