/**
 * The node-saml options every use of it in the worker shares (plain JavaScript, as every file here):
 * the SP and IdP of one realm's IdP settings, and node-saml's own time and InResponseTo checks off,
 * since the main thread makes them against the injected clock and the database.
 */
import nodeSaml from '@node-saml/node-saml';
import { decryptionKeyObject } from './decryption-key.mjs';

const { ValidateInResponseTo } = nodeSaml;

/**
 * node-saml's own InResponseTo cache lives in process memory; it must never be consulted (requests
 * are recorded in the database instead), so any use of it fails loudly.
 */
const refusingCache = {
  saveAsync: () => Promise.reject(new Error('node-saml request cache must not be used')),
  getAsync: () => Promise.reject(new Error('node-saml request cache must not be used')),
  removeAsync: () => Promise.reject(new Error('node-saml request cache must not be used')),
};

export function baseOptions(settings) {
  return {
    callbackUrl: settings.acsUrl,
    issuer: settings.spEntityId,
    // The caller checks every AudienceRestriction (response-checks.ts); node-saml's check would
    // throw a TypeError on an assertion without Conditions instead of saying so.
    audience: false,
    idpCert: settings.idpCertificates,
    // node-saml hands it on to xml-encryption, which takes a KeyObject as well as PEM text.
    decryptionPvk: decryptionKeyObject(settings.decryptionKey),
    wantAssertionsSigned: true,
    // The Response signature, if any, was verified and removed by withVerifiedResponseSignature.
    wantAuthnResponseSigned: false,
    // node-saml compares times with the real clock; -1 turns its checks off, and the caller checks
    // every NotBefore/NotOnOrAfter against the injected Clock with a bounded skew instead.
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    cacheProvider: refusingCache,
  };
}
