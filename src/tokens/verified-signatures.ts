import { createHash, type KeyObject } from 'node:crypto';

/** How many tokens are remembered (by a 43-character digest each); beyond it the least recently presented is forgotten. */
export const VERIFIED_SIGNATURES_KEPT = 1024;

/**
 * The tokens whose signature a key has verified, so that a token presented again costs no second
 * signature verification: a portal exchanges its user's access token for each call to a GP system
 * (RFC 8693), a resource server introspects the bearer token of each request (RFC 7662). An ES256
 * verification was the largest item of a token exchange (issue 14: 100–470 µs of its CPU on these
 * machines, the same again as signing the token it returns).
 *
 * Only the signature check is remembered, only its success, keyed by the SHA-256 of the whole token
 * text and held for the very key object that verified it. (A digest, not the text: a token read from a
 * form body can be a slice that keeps the whole body alive, up to the body limit each.) The same signed octets, signature and key always give the
 * same answer, so nothing is taken on trust that would not be decided again: the caller still takes
 * the key by `kid` on every use (a key retired since, or read again, is not the remembered one), and
 * still checks the header and the claims, expiry against the clock, every time. Only tokens that
 * verified under one of our keys get in, and at most 1,024 digests are held whatever is presented. (PostgREST's
 * `jwt-cache-max-lifetime` goes further and keeps the validated claims.)
 */
export class VerifiedSignatures {
  /** SHA-256 of the token → the key that verified it; a Map keeps insertion order, a use re-inserts. */
  private readonly verified = new Map<string, KeyObject>();

  constructor(private readonly kept = VERIFIED_SIGNATURES_KEPT) {}

  /** Whether `token`'s signature verifies under `key`: remembered, else `verify()`'s answer (remembered when true). */
  verifies(token: string, key: KeyObject, verify: () => boolean): boolean {
    const digest = createHash('sha256').update(token).digest('base64url');
    if (this.verified.get(digest) !== key && !verify()) return false;
    // Remembered as the most recently presented; the least recently presented beyond the limit goes.
    this.verified.delete(digest);
    this.verified.set(digest, key);
    if (this.verified.size > this.kept) this.verified.delete(this.verified.keys().next().value!);
    return true;
  }

  /** How many tokens are remembered now (for the spec). */
  get size(): number {
    return this.verified.size;
  }
}
