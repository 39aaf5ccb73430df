import { randomBytes } from 'node:crypto';

/** An unguessable identifier: 256 bits from the CSPRNG, base64url (codes, sessions, transactions). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Whether `value` has the form of a {@link randomToken} of `bytes` bytes: exactly that many base64url
 * characters, unpadded. Lets an edge refuse an id that cannot be one (a NUL, a control character, any
 * length) before it reaches a query.
 */
export function isRandomToken(value: unknown, bytes = 32): value is string {
  return typeof value === 'string' && value.length === Math.ceil((bytes * 4) / 3) && /^[A-Za-z0-9_-]+$/.test(value);
}
