/**
 * IdP metadata documents for tests (SAML Metadata 2.0 §2.3.2 EntityDescriptor, §2.4.3
 * IDPSSODescriptor), written here by hand and signed with samlify (never with node-saml, which the
 * service verifies with), so that the service's reader is checked against an independent writer.
 *
 *   const xml = idpMetadataXml({ entityId, ssoUrl, signingCertificates: [pem] });
 *   const signed = signMetadata(xml, SAML_FIXTURES.metadataSigningKey, SAML_FIXTURES.metadataSigningCertificate);
 */
import samlify from 'samlify';
import { certificateBody } from './test-idp.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface IdpMetadataOptions {
  entityId: string;
  ssoUrl?: string;
  sloUrl?: string;
  /** PEM certificates published with `use="signing"`. */
  signingCertificates?: string[];
  /** PEM certificates published without `use` (signing and encryption, §2.4.1.1). */
  unqualifiedCertificates?: string[];
  /** PEM certificates published with `use="encryption"` (never trusted for signatures). */
  encryptionCertificates?: string[];
  validUntil?: Date;
  /** Default the SAML 2.0 protocol. */
  protocolSupportEnumeration?: string;
  /** The root element's ID, which the signature references. */
  id?: string;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function keyDescriptor(pem: string, use?: 'signing' | 'encryption'): string {
  return (
    `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data>` +
    `<ds:X509Certificate>${certificateBody(pem)}</ds:X509Certificate>` +
    `</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
  );
}

/** One EntityDescriptor element, unsigned. */
export function entityDescriptorXml(options: IdpMetadataOptions): string {
  const keys = [
    ...(options.signingCertificates ?? []).map((pem) => keyDescriptor(pem, 'signing')),
    ...(options.unqualifiedCertificates ?? []).map((pem) => keyDescriptor(pem)),
    ...(options.encryptionCertificates ?? []).map((pem) => keyDescriptor(pem, 'encryption')),
  ].join('');
  const slo = options.sloUrl
    ? `<md:SingleLogoutService Binding="${POST}" Location="${esc(options.sloUrl)}/post"/>` +
      `<md:SingleLogoutService Binding="${REDIRECT}" Location="${esc(options.sloUrl)}"/>`
    : '';
  const sso = options.ssoUrl
    ? `<md:SingleSignOnService Binding="${POST}" Location="${esc(options.ssoUrl)}/post"/>` +
      `<md:SingleSignOnService Binding="${REDIRECT}" Location="${esc(options.ssoUrl)}"/>`
    : '';
  return (
    `<md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="${DS}" ID="${options.id ?? '_metadata'}" entityID="${esc(options.entityId)}"` +
    (options.validUntil ? ` validUntil="${options.validUntil.toISOString()}"` : '') +
    `><md:IDPSSODescriptor protocolSupportEnumeration="${options.protocolSupportEnumeration ?? 'urn:oasis:names:tc:SAML:2.0:protocol'}">` +
    keys +
    slo +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` +
    sso +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/** A whole metadata document: the XML declaration and one EntityDescriptor. */
export function idpMetadataXml(options: IdpMetadataOptions): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${entityDescriptorXml(options)}`;
}

/** An enveloped signature (RSA-SHA256 unless `signatureAlgorithm` says) over the root element, as its first child (SAML Metadata 2.0 §3; schema order). */
export function signMetadata(
  xml: string,
  privateKey: string,
  certificate: string,
  signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
): string {
  return samlify.SamlLib.constructSAMLSignature({
    rawSamlMessage: xml,
    isMessageSigned: true,
    privateKey,
    signingCert: certificateBody(certificate),
    signatureAlgorithm,
    isBase64Output: false,
    signatureConfig: { prefix: 'ds', location: { reference: '/*', action: 'prepend' } },
  });
}
