import { AES_CBC, AES_GCM, RSA_OAEP, acceptedContentEncryption, refuseUnacceptedContentEncryption } from './content-encryption.mjs';
import { DOMParser } from '@xmldom/xmldom';

const XENC = 'http://www.w3.org/2001/04/xmlenc#';
const RSA_1_5 = 'http://www.w3.org/2001/04/xmlenc#rsa-1_5';
const TRIPLE_DES = 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc';

const parseXml = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');

/** An EncryptedAssertion as IdPs write it: the EncryptedData's block algorithm, its key's transport inside KeyInfo. */
function encryptedAssertion(blockAlgorithm: string | undefined, keyTransport = RSA_OAEP): unknown {
  const method = blockAlgorithm === undefined ? '' : `<xenc:EncryptionMethod Algorithm="${blockAlgorithm}"/>`;
  return parseXml(
    `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="${XENC}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
      `<xenc:EncryptedData Type="${XENC}Element">${method}<ds:KeyInfo><xenc:EncryptedKey>` +
      `<xenc:EncryptionMethod Algorithm="${keyTransport}"/><xenc:CipherData><xenc:CipherValue>a2V5</xenc:CipherValue></xenc:CipherData>` +
      `</xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>Y2lwaGVy</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>` +
      `</saml:EncryptedAssertion>`,
  ).documentElement;
}

describe('content encryption of assertions (XML Encryption 1.1 §5.2)', () => {
  it('takes AES-GCM from every IdP, and AES-CBC only from one configured for it', () => {
    for (const algorithm of AES_GCM) {
      expect(() => refuseUnacceptedContentEncryption(encryptedAssertion(algorithm), false)).not.toThrow();
    }
    for (const algorithm of AES_CBC) {
      expect(() => refuseUnacceptedContentEncryption(encryptedAssertion(algorithm), false)).toThrow('AES-CBC');
      expect(() => refuseUnacceptedContentEncryption(encryptedAssertion(algorithm), true)).not.toThrow();
    }
  });

  it('refuses 3DES, an unknown algorithm and a missing EncryptionMethod whatever the config', () => {
    for (const algorithm of [TRIPLE_DES, 'urn:example:rot13', '', undefined]) {
      for (const acceptAesCbc of [false, true]) {
        expect(() => refuseUnacceptedContentEncryption(encryptedAssertion(algorithm), acceptAesCbc)).toThrow(
          'encrypted with a block algorithm not accepted',
        );
      }
    }
  });

  it('judges the block algorithm, not the key transport inside KeyInfo', () => {
    expect(() => refuseUnacceptedContentEncryption(encryptedAssertion(AES_GCM[1], RSA_OAEP), false)).not.toThrow();
  });

  it('refuses a key transported with RSA PKCS#1 v1.5, an unknown algorithm or none, whatever the block algorithm', () => {
    for (const keyTransport of [RSA_1_5, 'urn:example:rot13', '']) {
      for (const acceptAesCbc of [false, true]) {
        expect(() => refuseUnacceptedContentEncryption(encryptedAssertion(AES_GCM[1], keyTransport), acceptAesCbc)).toThrow(
          'key transported with an algorithm not accepted',
        );
      }
    }
  });

  it('judges an EncryptedKey beside the EncryptedData too (found through a RetrievalMethod, XML Encryption §3.5.1)', () => {
    const beside = parseXml(
      `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="${XENC}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
        `<xenc:EncryptedData><xenc:EncryptionMethod Algorithm="${AES_GCM[0]}"/>` +
        `<ds:KeyInfo><ds:RetrievalMethod URI="#k" Type="${XENC}EncryptedKey"/></ds:KeyInfo></xenc:EncryptedData>` +
        `<xenc:EncryptedKey Id="k"><xenc:EncryptionMethod Algorithm="${RSA_1_5}"/></xenc:EncryptedKey></saml:EncryptedAssertion>`,
    ).documentElement;
    expect(() => refuseUnacceptedContentEncryption(beside, false)).toThrow('key transported with an algorithm not accepted');
  });

  it('refuses what xml-encryption would pick by its local name alone instead of the element judged here', () => {
    const wrapped = (inner: string) =>
      parseXml(
        `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="${XENC}" xmlns:x="urn:example:other">${inner}` +
          `<xenc:EncryptedData><xenc:EncryptionMethod Algorithm="${AES_GCM[1]}"/></xenc:EncryptedData></saml:EncryptedAssertion>`,
      ).documentElement;
    // An AES-CBC EncryptedData in another namespace first in document order, which xml-encryption would decrypt.
    const foreign = wrapped(`<x:EncryptedData><x:EncryptionMethod Algorithm="${AES_CBC[0]}"/></x:EncryptedData>`);
    expect(() => refuseUnacceptedContentEncryption(foreign, false)).toThrow('EncryptedData outside the XML Encryption namespace');
    // Two EncryptionMethods in one EncryptedData: xml-encryption takes the first.
    const twoMethods = parseXml(
      `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="${XENC}">` +
        `<xenc:EncryptedData><xenc:EncryptionMethod Algorithm="${AES_CBC[1]}"/><xenc:EncryptionMethod Algorithm="${AES_GCM[1]}"/></xenc:EncryptedData></saml:EncryptedAssertion>`,
    ).documentElement;
    expect(() => refuseUnacceptedContentEncryption(twoMethods, false)).toThrow('encrypted with a block algorithm not accepted');
    const unqualified = wrapped(`<EncryptionMethod xmlns="" Algorithm="${AES_CBC[0]}"/>`);
    expect(() => refuseUnacceptedContentEncryption(unqualified, false)).toThrow('EncryptionMethod outside the XML Encryption namespace');
    const stray = wrapped(`<xenc:EncryptionMethod Algorithm="${AES_GCM[0]}"/>`);
    expect(() => refuseUnacceptedContentEncryption(stray, false)).toThrow('EncryptionMethod outside an EncryptedData or EncryptedKey');
  });

  it('judges every EncryptedData in a decrypted assertion (an EncryptedID), and passes one without any', () => {
    const assertion = (inner: string) =>
      parseXml(
        `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="${XENC}"><saml:Subject><saml:EncryptedID>${inner}</saml:EncryptedID></saml:Subject></saml:Assertion>`,
      ).documentElement;
    const data = (algorithm: string) => `<xenc:EncryptedData><xenc:EncryptionMethod Algorithm="${algorithm}"/></xenc:EncryptedData>`;
    expect(() => refuseUnacceptedContentEncryption(assertion(data(AES_CBC[0]!)), false)).toThrow('AES-CBC');
    expect(() => refuseUnacceptedContentEncryption(assertion(data(AES_GCM[0]!)), false)).not.toThrow();
    expect(() => refuseUnacceptedContentEncryption(assertion(''), false)).not.toThrow();
  });

  it('offers GCM first, then CBC where accepted (the order SP metadata lists them in)', () => {
    expect(acceptedContentEncryption(false)).toEqual([...AES_GCM]);
    expect(acceptedContentEncryption(true)).toEqual([...AES_GCM, ...AES_CBC]);
  });
});
