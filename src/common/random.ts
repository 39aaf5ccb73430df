import { randomFillSync } from 'node:crypto';

/**
 * Bytes from the CSPRNG, drawn in blocks and handed out once each, as node's own `randomUUID()`
 * buffers them: one `randomBytes()` call per token cost ≈1.5 µs in isolation and ≈3.5 µs a refresh
 * in a loaded profile (issue 14; every refresh mints a token id), the block's slice ≈0.1 µs. A handed-out
 * slice is zeroed, so the block never holds a token already issued.
 */
const BLOCK_BYTES = 4096;
let block = Buffer.alloc(0);
let offset = 0;

/** An unguessable identifier: 256 bits from the CSPRNG, base64url (codes, sessions, transactions). */
export function randomToken(bytes = 32): string {
  // Fails closed, as randomBytes() did: a size of 0 or less would move `offset` back over bytes handed out.
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(`randomToken: ${bytes} is not a positive number of bytes`);
  if (bytes > BLOCK_BYTES) return randomFillSync(Buffer.allocUnsafe(bytes)).toString('base64url');
  if (offset + bytes > block.length) {
    block = randomFillSync(Buffer.allocUnsafeSlow(BLOCK_BYTES));
    offset = 0;
  }
  const token = block.toString('base64url', offset, offset + bytes);
  block.fill(0, offset, offset + bytes);
  offset += bytes;
  return token;
}

/**
 * Whether `value` has the form of a {@link randomToken} of `bytes` bytes: exactly that many base64url
 * characters, unpadded. Lets an edge refuse an id that cannot be one (a NUL, a control character, any
 * length) before it reaches a query.
 */
export function isRandomToken(value: unknown, bytes = 32): value is string {
  return typeof value === 'string' && value.length === Math.ceil((bytes * 4) / 3) && /^[A-Za-z0-9_-]+$/.test(value);
}
