/** Keys whose values are credentials wherever a logged object holds them (RFC 6749 §2.3.1, RFC 7523 §2.2). */
const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(['authorization', 'client_secret', 'client_assertion', 'secret']);

export const REDACTED = '[redacted]';

/**
 * The logger's `formatters.log`: a credential's value is replaced by {@link REDACTED} at the top of a
 * logged object and one level down (`{ headers: { authorization } }`), on a copy; the caller's object
 * is never changed. A line that holds none, nearly every line, costs one look at each key and is
 * passed on as it is. The `err` field is left to its serializer (error-summary.ts), which keeps no
 * field of an error at all.
 *
 * Written here instead of pino's `redact` with `*.key` paths: pino runs such a path's redaction on
 * every value of every line, and @pinojs/redact clones the value and parses the paths again each
 * time, 6 % of a client_credentials request's CPU for a line of four numbers and strings (issue 14).
 */
export function redactCredentials(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (CREDENTIAL_KEYS.has(key)) {
      (copy ??= { ...object })[key] = REDACTED;
    } else if (key !== 'err' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested = redactedFields(value as Record<string, unknown>);
      if (nested !== value) (copy ??= { ...object })[key] = nested;
    }
  }
  return copy ?? object;
}

function redactedFields(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    if (CREDENTIAL_KEYS.has(key)) (copy ??= { ...object })[key] = REDACTED;
  }
  return copy ?? object;
}

/** The same keys for pino's own `redact`, which reaches where a formatter does not: child bindings. */
export const TOP_LEVEL_CREDENTIAL_PATHS: readonly string[] = [...CREDENTIAL_KEYS];
