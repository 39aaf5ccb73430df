import { createHash } from 'node:crypto';

/**
 * `at_hash` (OIDC Core §3.1.3.6): the left half of the hash of the access token, base64url. The
 * hash is the one of the ID token's `alg` (SHA-256 for ES256/RS256/PS256; SHA-512 for Ed25519).
 */
export function accessTokenHash(accessToken: string, alg: string): string {
  const digest = createHash(alg === 'EdDSA' || alg === 'Ed25519' ? 'sha512' : 'sha256')
    .update(accessToken, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
