import { KeySetUnavailableError } from '../../protocol/issuer-key-set.js';

/**
 * Whether verifying a trusted issuer's subject token failed because that issuer's key set could not be
 * read, rather than because of the token: the issuer then said nothing about the token, so the exchange
 * is a retryable outage, never the `invalid_request` RFC 8693 §2.2.2 keeps for an invalid subject token
 * (which would make a portal send its patient to log in again). tokens/token-errors.ts states the rule;
 * the resource server's verifier (tenancy/resource-server.ts) draws the same line.
 *
 * The partner's key set (protocol/issuer-key-set.ts) says so itself: unreachable, timed out, not 200 or
 * no key set, for a key it does not already hold. Every other failure (signature, key id, algorithm,
 * claims, an issuer not trusted) is the token's.
 */
export function isKeySetUnavailable(error: unknown): boolean {
  return error instanceof KeySetUnavailableError;
}
