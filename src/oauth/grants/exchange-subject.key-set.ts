import { errors } from 'jose';

/**
 * Whether verifying a trusted issuer's subject token failed because that issuer's key set could not be
 * read, rather than because of the token: the issuer then said nothing about the token, so the exchange
 * is a retryable outage, never the `invalid_request` RFC 8693 §2.2.2 keeps for an invalid subject token
 * (which would make a portal send its patient to log in again). tokens/token-errors.ts states the rule;
 * the resource server's verifier (tenancy/resource-server.ts) draws the same line.
 *
 * jose's remote key set fails with `JWKSTimeout`, with `JWKSInvalid` for an answer that is no key set,
 * and with the generic `JOSEError` for a non-200 or unparsable answer (jwks/remote.js); `fetch` rejects
 * with a `TypeError` when the host cannot be reached (Fetch Standard, "network error"). Every other
 * failure (signature, key id, algorithm, claims, an issuer not trusted) is the token's.
 */
export function isKeySetUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.code === errors.JOSEError.code;
  // By name: fetch's TypeError may come from another realm than this module's (a VM context under jest).
  return (error as { name?: unknown } | null)?.name === 'TypeError';
}
