import { createHmac, hkdfSync } from 'node:crypto';

/**
 * A digest to find a row by a value that must not be stored (an IdP's NameID, which may carry a CPR or
 * BSN): HMAC-SHA256 under a key derived (HKDF-SHA256) from `keys.encryptionKey` for one purpose. A
 * plain hash would not do: ten-digit identifiers are few enough to hash them all.
 */
export class KeyedDigest {
  private readonly key: Buffer;

  constructor(secret: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'federation-service', purpose, 32));
  }

  digest(value: string): string {
    return createHmac('sha256', this.key).update(value, 'utf8').digest('base64url');
  }
}
