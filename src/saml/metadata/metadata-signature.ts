// node-saml's verifier over xml-crypto (as the worker uses for Responses; not re-exported from its index).
import xmlHelpers from '@node-saml/node-saml/lib/xml.js';
import { refuseWeakSignatureAlgorithms } from '../worker/signature-algorithms.mjs';
import { MetadataError } from './metadata-error.js';

/**
 * SAML Metadata 2.0 §3 (and §3.1: signing the root element authenticates everything in it): the
 * document's root, EntityDescriptor or EntitiesDescriptor, must carry exactly one enveloped XML-DSig
 * signature whose single Reference names the root by its ID, made with `certificate`'s key. Verified
 * by xml-crypto through node-saml's `getVerifiedXml`, which also refuses references to another
 * element, duplicated IDs and extra transforms (the signature-wrapping defences it applies to
 * assertions), after its algorithms are checked as an assertion's are (signature-algorithms.mjs).
 * Returns the signed content as canonicalised: the only text the caller may read.
 */
export function verifiedMetadataXml(xml: string, root: Element, certificate: string): string {
  let verified: string | null;
  try {
    refuseWeakSignatureAlgorithms(root);
  } catch {
    // Its certificates are what every later signature of the IdP is checked with: SHA-2 only here too.
    throw new MetadataError('metadata signed with an algorithm not accepted (RSA with SHA-256 or SHA-512 only)');
  }
  try {
    verified = xmlHelpers.getVerifiedXml(xml, root, [certificate]);
  } catch {
    throw new MetadataError('metadata signature is malformed');
  }
  if (verified === null) throw new MetadataError('metadata is not signed by metadataSigningCertificate');
  return verified;
}
