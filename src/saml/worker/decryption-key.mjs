/**
 * The SP's decryption key as a node:crypto KeyObject, parsed once per worker thread (issue 14: keys
 * imported once). xml-encryption passes the key it is given to `crypto.privateDecrypt` for every
 * EncryptedKey; as PEM text, that parses the PKCS#8 key again each time, half of the RSA-OAEP
 * decryption's cost (0.28 of 0.56 ms on the development machine), and a login decrypts twice (the
 * plaintext's precheck, then node-saml). Plain JavaScript, as every file the worker loads.
 */
import { createPrivateKey } from 'node:crypto';

/** One key per realm that decrypts assertions; should a config ever hold more, the cache starts over. */
const MAX_KEYS = 32;
const parsed = new Map();

export function decryptionKeyObject(pem) {
  if (pem === undefined) return undefined;
  let key = parsed.get(pem);
  if (key === undefined) {
    if (parsed.size >= MAX_KEYS) parsed.clear();
    key = createPrivateKey(pem);
    parsed.set(pem, key);
  }
  return key;
}
