/**
 * Which XML Encryption algorithms an assertion may be encrypted with. The EncryptedData's own
 * EncryptionMethod is the block algorithm: AES-GCM (XML Encryption 1.1 §5.2.4) only, unless the IdP's
 * config accepts AES-CBC: CBC has no integrity of its own, and where the failures of altered
 * ciphertexts can be told apart, even by their timing alone, it is a padding oracle that decrypts an
 * assertion captured on its way through a browser (Jager and Somorovsky, "How to Break XML
 * Encryption", CCS 2011). The EncryptedKey's is the key transport: RSA-OAEP (§5.5.2) only, since
 * RSA PKCS#1 v1.5 (§5.5.1) is the same kind of oracle on the key (Jager, Schinzel and Somorovsky,
 * "Bleichenbacher's Attack Strikes Again", ESORICS 2012). Here a plaintext that decrypts goes on to
 * checks that take milliseconds, and one that does not is refused at once. Checked before anything
 * is decrypted. Plain JavaScript: it runs inside the worker pool (see saml-worker.mjs).
 */
import { RejectedResponse } from './saml-reader.mjs';

const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';

/** What xml-encryption (under node-saml) decrypts of each family; its 3DES is accepted never. */
export const AES_GCM = ['http://www.w3.org/2009/xmlenc11#aes128-gcm', 'http://www.w3.org/2009/xmlenc11#aes256-gcm'];
export const AES_CBC = ['http://www.w3.org/2001/04/xmlenc#aes128-cbc', 'http://www.w3.org/2001/04/xmlenc#aes256-cbc'];

/** The one key transport accepted: the only one xml-encryption decrypts besides RSA PKCS#1 v1.5. */
export const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';

/** The block algorithms accepted from an IdP, strongest first (as SP metadata lists them). */
export function acceptedContentEncryption(acceptAesCbc) {
  return acceptAesCbc ? [...AES_GCM, ...AES_CBC] : [...AES_GCM];
}

/**
 * Refuses `element` (an EncryptedAssertion, or a decrypted assertion) when any EncryptedData in it
 * uses a block algorithm not accepted, or any EncryptedKey a key transport not accepted.
 * xml-encryption finds these elements by local name alone and takes the first in document order, so
 * an element of that name in another namespace, or a second EncryptionMethod, is refused as well:
 * otherwise it, not the one judged here, would choose the algorithm.
 */
export function refuseUnacceptedContentEncryption(element, acceptAesCbc) {
  for (const localName of ['EncryptedData', 'EncryptedKey', 'EncryptionMethod']) {
    const found = element.getElementsByTagNameNS('*', localName);
    for (let i = 0; i < found.length; i++) {
      if (found.item(i).namespaceURI !== XENC_NS) throw new RejectedResponse(`${localName} outside the XML Encryption namespace`);
    }
  }
  const methods = element.getElementsByTagNameNS(XENC_NS, 'EncryptionMethod');
  for (let i = 0; i < methods.length; i++) {
    const parent = methods.item(i).parentNode;
    if (parent?.namespaceURI !== XENC_NS || (parent.localName !== 'EncryptedData' && parent.localName !== 'EncryptedKey')) {
      throw new RejectedResponse('EncryptionMethod outside an EncryptedData or EncryptedKey');
    }
  }
  const accepted = acceptedContentEncryption(acceptAesCbc);
  const data = element.getElementsByTagNameNS(XENC_NS, 'EncryptedData');
  for (let i = 0; i < data.length; i++) {
    const algorithm = encryptionMethodOf(data.item(i));
    if (algorithm !== undefined && accepted.includes(algorithm)) continue;
    throw new RejectedResponse(
      algorithm !== undefined && AES_CBC.includes(algorithm)
        ? 'encrypted with AES-CBC, which the config does not accept from this IdP (acceptAesCbc)'
        : 'encrypted with a block algorithm not accepted',
    );
  }
  const keys = element.getElementsByTagNameNS(XENC_NS, 'EncryptedKey');
  for (let i = 0; i < keys.length; i++) {
    if (encryptionMethodOf(keys.item(i)) !== RSA_OAEP) {
      throw new RejectedResponse('key transported with an algorithm not accepted (RSA-OAEP only)');
    }
  }
}

/** The Algorithm of an EncryptedData's or EncryptedKey's one EncryptionMethod (XML Encryption §3.1), if it has exactly one. */
function encryptionMethodOf(encrypted) {
  const algorithms = [];
  for (let node = encrypted.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && node.localName === 'EncryptionMethod') algorithms.push(node.getAttribute('Algorithm') || undefined);
  }
  return algorithms.length === 1 ? algorithms[0] : undefined;
}
