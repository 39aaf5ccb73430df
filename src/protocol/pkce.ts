import { createHash } from 'node:crypto';
import { digestsEqual } from '../common/constant-time.js';

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. Same shape for the S256 challenge. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isWellFormedPkceValue(value: string): boolean {
  return PKCE_VALUE.test(value);
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) must equal the stored challenge. */
export function verifyS256(verifier: string, challenge: string): boolean {
  if (!isWellFormedPkceValue(verifier)) return false;
  const computed = createHash('sha256').update(verifier, 'ascii').digest();
  return digestsEqual(computed, Buffer.from(challenge, 'base64url'));
}
