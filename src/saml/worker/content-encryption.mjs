/**
 * Which XML Encryption block algorithm an assertion may be encrypted with (the EncryptedData's
 * EncryptionMethod; the EncryptedKey's is the key transport, RSA-OAEP, and not this). AES-GCM (XML
 * Encryption 1.1 §5.2.4) only, unless the IdP's config accepts AES-CBC: CBC has no integrity of its
 * own, and where the failures of altered ciphertexts can be told apart, even by their timing alone,
 * it is a padding oracle that decrypts an assertion captured on its way through a browser (Jager and
 * Somorovsky, "How to Break XML Encryption", CCS 2011). Here a plaintext that decrypts goes on to
 * checks that take milliseconds, and one that does not is refused at once. Checked before anything
 * is decrypted. Plain JavaScript: it runs inside the worker pool (see saml-worker.mjs).
 */
import { RejectedResponse } from './saml-reader.mjs';

const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';

/** What xml-encryption (under node-saml) decrypts of each family; its 3DES is accepted never. */
export const AES_GCM = ['http://www.w3.org/2009/xmlenc11#aes128-gcm', 'http://www.w3.org/2009/xmlenc11#aes256-gcm'];
export const AES_CBC = ['http://www.w3.org/2001/04/xmlenc#aes128-cbc', 'http://www.w3.org/2001/04/xmlenc#aes256-cbc'];

/** The block algorithms accepted from an IdP, strongest first (as SP metadata lists them). */
export function acceptedContentEncryption(acceptAesCbc) {
  return acceptAesCbc ? [...AES_GCM, ...AES_CBC] : [...AES_GCM];
}

/** Refuses `element` (an EncryptedAssertion, or a decrypted assertion) when any EncryptedData in it uses a block algorithm not accepted. */
export function refuseUnacceptedContentEncryption(element, acceptAesCbc) {
  const accepted = acceptedContentEncryption(acceptAesCbc);
  const encrypted = element.getElementsByTagNameNS(XENC_NS, 'EncryptedData');
  for (let i = 0; i < encrypted.length; i++) {
    const algorithm = encryptionMethodOf(encrypted.item(i));
    if (algorithm !== undefined && accepted.includes(algorithm)) continue;
    throw new RejectedResponse(
      algorithm !== undefined && AES_CBC.includes(algorithm)
        ? 'encrypted with AES-CBC, which the config does not accept from this IdP (acceptAesCbc)'
        : 'encrypted with a block algorithm not accepted',
    );
  }
}

/** The Algorithm of the EncryptedData's own EncryptionMethod (XML Encryption §3.1), if it has one. */
function encryptionMethodOf(encryptedData) {
  for (let node = encryptedData.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && node.namespaceURI === XENC_NS && node.localName === 'EncryptionMethod') {
      return node.getAttribute('Algorithm') || undefined;
    }
  }
  return undefined;
}
