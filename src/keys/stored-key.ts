import type { NewSigningKey, SigningKeyRow } from '../storage/signing-key.repository.js';
import type { KeyEncryption } from './key-encryption.js';
import type { KeyMaterial } from './key-material.js';

/** `material` as signing_keys stores it: the private key encrypted, bound to its `kid` (key-encryption.ts). */
export function storedKey(
  material: KeyMaterial,
  source: SigningKeyRow['source'],
  encryption: KeyEncryption,
  createdAt: Date,
  signsFrom: Date,
): NewSigningKey {
  return {
    kid: material.kid,
    alg: material.alg,
    public_jwk: material.publicJwk,
    private_jwk_enc: encryption.encrypt(JSON.stringify(material.privateJwk), material.kid),
    source,
    created_at: createdAt,
    signs_from: signsFrom,
  };
}
