import { createHash } from 'node:crypto';
import { digestsEqual } from '../common/constant-time.js';

/** RFC 7636 §4.1: a code verifier is 43–128 characters of the unreserved set. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), 32 bytes unpadded: 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function isWellFormedPkceValue(value: string): boolean {
  return PKCE_VALUE.test(value);
}

/**
 * Whether `challenge` can be an S256 challenge at all. Any other value could never match a verifier:
 * refused at the authorization endpoint, before the person logs in for a code no one can redeem.
 */
export function isWellFormedS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) must equal the stored challenge. */
export function verifyS256(verifier: string, challenge: string): boolean {
  if (!isWellFormedPkceValue(verifier)) return false;
  const computed = createHash('sha256').update(verifier, 'ascii').digest();
  return digestsEqual(computed, Buffer.from(challenge, 'base64url'));
}
