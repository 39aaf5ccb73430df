import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are kept only as SHA-256 digests and compared in constant time. A fast hash is
 * enough because client secrets are machine-generated and long (production requires ≥ 32
 * characters), unlike passwords; a slow KDF would cap the token endpoint at a few hundred requests/s.
 */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
