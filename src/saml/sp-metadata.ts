import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { IdpStaticSettings } from './saml-settings.js';
import { RSA_OAEP, acceptedContentEncryption } from './worker/content-encryption.mjs';

const METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/**
 * SP metadata (SAML Metadata §2.4.4) for `/realms/{realm}/broker/{alias}/endpoint/descriptor`: the
 * ACS, the signing and encryption keys, and the SingleLogoutService at the same broker endpoint in
 * both bindings this SP accepts there (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST). node-saml
 * writes the HTTP-POST one; the HTTP-Redirect one is added beside it, in schema order. The encryption
 * key lists only the algorithms this SP accepts from the IdP (§2.4.1.1 EncryptionMethod, which an IdP
 * chooses from): the block algorithms (node-saml lists AES-CBC too, which is accepted only where
 * configured), and RSA-OAEP, the one key transport accepted, which node-saml does not list.
 */
export function serviceProviderMetadata(settings: IdpStaticSettings): string {
  const xml = generateServiceProviderMetadata({
    issuer: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    logoutCallbackUrl: settings.acsUrl,
    identifierFormat: settings.profile.nameIdFormat ?? null,
    wantAssertionsSigned: true,
    privateKey: settings.worker.spSigningKey,
    publicCerts: [settings.spSigningCertificate],
    decryptionPvk: settings.worker.decryptionKey,
    decryptionCert: settings.decryptionCertificate ?? null,
  });
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const accepted = acceptedContentEncryption(settings.worker.acceptAesCbc === true);
  for (const method of Array.from(doc.getElementsByTagNameNS(METADATA_NS, 'EncryptionMethod'))) {
    if (!accepted.includes(method.getAttribute('Algorithm') ?? '')) method.parentNode?.removeChild(method);
  }
  const encryptionKey = Array.from(doc.getElementsByTagNameNS(METADATA_NS, 'KeyDescriptor')).find(
    (key) => key.getAttribute('use') === 'encryption',
  );
  if (encryptionKey) {
    const keyTransport = doc.createElementNS(METADATA_NS, 'EncryptionMethod');
    keyTransport.setAttribute('Algorithm', RSA_OAEP);
    encryptionKey.appendChild(keyTransport);
  }
  const post = doc.getElementsByTagNameNS(METADATA_NS, 'SingleLogoutService').item(0);
  if (!post?.parentNode) throw new Error('node-saml wrote no SingleLogoutService');
  const redirect = doc.createElementNS(METADATA_NS, 'SingleLogoutService');
  redirect.setAttribute('Binding', REDIRECT_BINDING);
  redirect.setAttribute('Location', settings.acsUrl);
  post.parentNode.insertBefore(redirect, post);
  return new XMLSerializer().serializeToString(doc);
}
