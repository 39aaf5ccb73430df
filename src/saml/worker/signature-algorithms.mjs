/**
 * Which XML Signature algorithms an IdP's signature may use: RSA with SHA-256 or SHA-512 (and
 * RSA-PSS with SHA-256), over SHA-256 or SHA-512 digests. xml-crypto (under node-saml) also verifies
 * rsa-sha1 over sha1 digests; SHA-1 has chosen-prefix collisions (SHAmbles, 2020), and SAML2Int and
 * OIOSAML 3 ask for SHA-256 or better, as the HTTP-Redirect binding's list (saml-logout.mjs) already
 * does (that list follows node-saml's query verifier: RSA-SHA384 too, no RSA-PSS). Checked before any
 * signature is verified. xml-crypto finds a signature's SignatureMethod and a Reference's
 * DigestMethod by local name alone, so so does this, in any namespace. Plain JavaScript: it runs
 * inside the worker pool (see saml-worker.mjs).
 */
import { RejectedResponse } from './saml-reader.mjs';

/** XML Signature 1.1 §6.4.2 and RFC 6931 §2.3: the SignatureMethods xml-crypto verifies, less SHA-1. */
export const SIGNATURE_METHODS = [
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
];

/** XML Signature 1.1 §6.2: the DigestMethods xml-crypto computes, less SHA-1. */
export const DIGEST_METHODS = ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512'];

/**
 * Refuses `element` (a Response, a logout message, a decrypted assertion) when a signature in it
 * names another SignatureMethod, or a Reference another DigestMethod. A DigestMethod elsewhere (an
 * EncryptedKey's RSA-OAEP digest, XML Encryption §5.5.2) is not a signature's and is left alone.
 */
export function refuseWeakSignatureAlgorithms(element) {
  const methods = element.getElementsByTagNameNS('*', 'SignatureMethod');
  for (let i = 0; i < methods.length; i++) {
    if (!SIGNATURE_METHODS.includes(methods.item(i).getAttribute('Algorithm'))) {
      throw new RejectedResponse('signed with an algorithm not accepted (RSA with SHA-256 or SHA-512 only)');
    }
  }
  const digests = element.getElementsByTagNameNS('*', 'DigestMethod');
  for (let i = 0; i < digests.length; i++) {
    const digest = digests.item(i);
    if (digest.parentNode?.localName !== 'Reference') continue;
    if (!DIGEST_METHODS.includes(digest.getAttribute('Algorithm'))) {
      throw new RejectedResponse('signed over a digest not accepted (SHA-256 or SHA-512 only)');
    }
  }
}
