import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (private signing keys; national identifiers of sessions) are stored only
 * encrypted: AES-256-GCM under a key derived (HKDF-SHA256) from `keys.encryptionKey` for one
 * purpose, with the row's id as additional data so a ciphertext cannot be moved to another row.
 * Format: `v1.{iv}.{tag}.{ciphertext}`, base64url parts.
 */
export class KeyEncryption {
  private readonly key: Buffer;

  constructor(secret: string, purpose = 'signing-key-encryption/v1') {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'federation-service', purpose, 32));
  }

  encrypt(plaintext: string, kid: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(kid));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(sealed: string, kid: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error(`signing key ${kid}: unknown encryption format`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(kid))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`${kid}: cannot decrypt (is keys.encryptionKey the one it was stored with?)`);
    }
  }
}
