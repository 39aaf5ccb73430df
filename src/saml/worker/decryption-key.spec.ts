import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { SAML_FIXTURES } from '../../../test/support/saml/saml-fixtures.js';
import { decryptionKeyObject } from './decryption-key.mjs';

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING };

describe('decryptionKeyObject (the SP decryption key, parsed once per worker)', () => {
  it('is the PEM key as a private KeyObject that opens what the SP certificate sealed', () => {
    const key = decryptionKeyObject(SAML_FIXTURES.spEncryptionKey);
    expect(key.type).toBe('private');
    const symmetricKey = randomBytes(32);
    const sealed = publicEncrypt({ key: SAML_FIXTURES.spEncryptionCertificate, ...OAEP }, symmetricKey);
    expect(privateDecrypt({ key, ...OAEP }, sealed)).toEqual(symmetricKey);
  });

  it('parses a PEM once: the same object again, another object for another key', () => {
    const first = decryptionKeyObject(SAML_FIXTURES.spEncryptionKey);
    expect(decryptionKeyObject(SAML_FIXTURES.spEncryptionKey)).toBe(first);
    const other = decryptionKeyObject(SAML_FIXTURES.spSigningKey);
    expect(other).not.toBe(first);
    expect(other.equals(first)).toBe(false);
  });

  it('keeps answering with the right key past its bound on distinct keys', () => {
    const pems = Array.from({ length: 40 }, () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    for (const pem of pems) decryptionKeyObject(pem);
    for (const pem of pems) expect(decryptionKeyObject(pem).export({ type: 'pkcs8', format: 'pem' })).toBe(pem);
  });

  it('is undefined for a realm without a decryption key', () => {
    expect(decryptionKeyObject(undefined)).toBeUndefined();
  });
});
