import { DIGEST_METHODS, SIGNATURE_METHODS, refuseWeakSignatureAlgorithms } from './signature-algorithms.mjs';
import { DOMParser } from '@xmldom/xmldom';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

const parseXml = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement;

/** A Response with one enveloped signature, as IdPs write it (XML Signature §4.4). */
function signedResponse(signatureMethod: string, digestMethod: string, prefix = 'ds', namespace = DS): unknown {
  return parseXml(
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:${prefix}="${namespace}">` +
      `<${prefix}:Signature><${prefix}:SignedInfo><${prefix}:SignatureMethod Algorithm="${signatureMethod}"/>` +
      `<${prefix}:Reference URI="#r"><${prefix}:DigestMethod Algorithm="${digestMethod}"/><${prefix}:DigestValue>AA==</${prefix}:DigestValue></${prefix}:Reference>` +
      `</${prefix}:SignedInfo><${prefix}:SignatureValue>AA==</${prefix}:SignatureValue></${prefix}:Signature></samlp:Response>`,
  );
}

describe('signature algorithms of IdP signatures (XML Signature 1.1 §6)', () => {
  it('takes RSA with SHA-256 or SHA-512, and RSA-PSS with SHA-256, over SHA-256 or SHA-512 digests', () => {
    for (const signature of SIGNATURE_METHODS) {
      for (const digest of DIGEST_METHODS) expect(() => refuseWeakSignatureAlgorithms(signedResponse(signature, digest))).not.toThrow();
    }
  });

  it('refuses RSA-SHA1, HMAC and an unknown or empty SignatureMethod, whatever the digest', () => {
    for (const signature of [`${DS}rsa-sha1`, `${DS}hmac-sha1`, 'urn:example:none', '']) {
      expect(() => refuseWeakSignatureAlgorithms(signedResponse(signature, SHA256))).toThrow('signed with an algorithm not accepted');
    }
  });

  it('refuses a SHA-1 digest of a Reference under a SHA-256 signature', () => {
    expect(() => refuseWeakSignatureAlgorithms(signedResponse(RSA_SHA256, `${DS}sha1`))).toThrow('signed over a digest not accepted');
  });

  it('finds SignatureMethod and DigestMethod by local name, as xml-crypto does, in any namespace', () => {
    const foreignMethod = signedResponse(`${DS}rsa-sha1`, SHA256, 'x', 'urn:example:not-dsig');
    expect(() => refuseWeakSignatureAlgorithms(foreignMethod)).toThrow('signed with an algorithm not accepted');
    const foreignDigest = signedResponse(RSA_SHA256, `${DS}sha1`, 'x', 'urn:example:not-dsig');
    expect(() => refuseWeakSignatureAlgorithms(foreignDigest)).toThrow('signed over a digest not accepted');
  });

  it("leaves the DigestMethod of an EncryptedKey's RSA-OAEP alone (XML Encryption §5.5.2), and a document with no signature", () => {
    const encrypted = parseXml(
      `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="${DS}">` +
        `<xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"><ds:DigestMethod Algorithm="${DS}sha1"/></xenc:EncryptionMethod></xenc:EncryptedKey>` +
        `</saml:EncryptedAssertion>`,
    );
    expect(() => refuseWeakSignatureAlgorithms(encrypted)).not.toThrow();
  });
});
