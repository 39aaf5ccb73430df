import { randomBytes } from 'node:crypto';

/** An unguessable identifier: 256 bits from the CSPRNG, base64url (codes, sessions, transactions). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
