import { X509Certificate } from 'node:crypto';
import { SAML_FIXTURES } from '../../../test/support/saml/saml-fixtures.js';
import { entityDescriptorXml, idpMetadataXml, signMetadata } from '../../../test/support/saml/idp-metadata-xml.js';
import { withValidity } from '../certificate-validity.js';
import { readIdpMetadata, MAX_METADATA_BYTES } from './idp-metadata.js';
import { MetadataError } from './metadata-error.js';

const NOW = new Date('2031-03-14T09:26:53Z');
const F = SAML_FIXTURES;
const METADATA_SIGNER = withValidity(F.metadataSigningCertificate);
const entity = {
  entityId: 'https://saml.nemlog-in.test',
  ssoUrl: 'https://idp.test/sso',
  sloUrl: 'https://idp.test/slo',
  signingCertificates: [F.idpSigningCertificate],
};
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof MetadataError) return error.message;
    throw error;
  }
  throw new Error('not refused');
};

describe('IdP metadata (SAML Metadata 2.0)', () => {
  it('reads the entity id, the HTTP-Redirect SSO and SLO endpoints and the signing certificates (§2.4.3)', () => {
    const metadata = readIdpMetadata(
      idpMetadataXml({
        ...entity,
        unqualifiedCertificates: [F.nextIdpSigningCertificate],
        encryptionCertificates: [F.otherIdpSigningCertificate],
      }),
      { now: NOW },
    );
    expect(metadata.entityId).toBe('https://saml.nemlog-in.test');
    expect(metadata.ssoUrl).toBe('https://idp.test/sso');
    expect(metadata.sloUrl).toBe('https://idp.test/slo');
    // §2.4.1.1: use="signing" and no `use` both sign; use="encryption" never does.
    expect(metadata.signingCertificates.map((c) => fingerprint(c.pem))).toEqual([
      fingerprint(F.idpSigningCertificate),
      fingerprint(F.nextIdpSigningCertificate),
    ]);
    expect(metadata.validUntil).toBeUndefined();
  });

  it('keeps an expired certificate with its validity period, for the caller to leave untrusted', () => {
    const metadata = readIdpMetadata(idpMetadataXml({ ...entity, signingCertificates: [F.expiredIdpSigningCertificate] }), { now: NOW });
    expect(metadata.signingCertificates[0].notAfter).toEqual(new Date('2021-01-01T00:00:00Z'));
  });

  it('takes the EntityDescriptor named by entityId from an EntitiesDescriptor (§2.3.1), and needs it to be there', () => {
    const group = (validUntil?: string) =>
      `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"${validUntil ? ` validUntil="${validUntil}"` : ''}>` +
      entityDescriptorXml({ ...entity, id: '_a' }) +
      entityDescriptorXml({ ...entity, entityId: 'https://other.test', ssoUrl: 'https://other.test/sso', id: '_b' }) +
      `</md:EntitiesDescriptor>`;
    expect(readIdpMetadata(group(), { entityId: 'https://other.test', now: NOW }).ssoUrl).toBe('https://other.test/sso');
    expect(refusal(() => readIdpMetadata(group(), { now: NOW }))).toBe('metadata has several EntityDescriptors: set entityId');
    expect(refusal(() => readIdpMetadata(group(), { entityId: 'https://nobody.test', now: NOW }))).toBe(
      'metadata has no EntityDescriptor for entityId',
    );
    // §2.3.1: the group's validUntil covers every entity in it.
    expect(refusal(() => readIdpMetadata(group('2031-01-01T00:00:00Z'), { entityId: 'https://other.test', now: NOW }))).toBe(
      'metadata is past its validUntil',
    );
  });

  it("takes ResponseLocation, else Location, of each binding's SingleLogoutService as where LogoutResponses go (§2.2.2)", () => {
    const xml = idpMetadataXml(entity)
      .replace('Location="https://idp.test/slo"', 'Location="https://idp.test/slo" ResponseLocation="https://idp.test/slo/response"')
      .replace(
        'Location="https://idp.test/slo/post"',
        'Location="https://idp.test/slo/post" ResponseLocation="https://idp.test/slo/post-response"',
      );
    const metadata = readIdpMetadata(xml, { now: NOW });
    // LogoutRequests still go to the HTTP-Redirect Location.
    expect(metadata.sloUrl).toBe('https://idp.test/slo');
    expect(metadata.sloResponseUrls).toEqual({ redirect: 'https://idp.test/slo/response', post: 'https://idp.test/slo/post-response' });
    // Without ResponseLocation, responses go to Location; without an endpoint, nowhere.
    expect(readIdpMetadata(idpMetadataXml(entity), { now: NOW }).sloResponseUrls).toEqual({
      redirect: 'https://idp.test/slo',
      post: 'https://idp.test/slo/post',
    });
    expect(readIdpMetadata(idpMetadataXml({ ...entity, sloUrl: undefined }), { now: NOW }).sloResponseUrls).toEqual({});
  });

  it('takes the HTTP-POST SingleLogoutService Location too, where LogoutRequests go when the IdP has no HTTP-Redirect one', () => {
    expect(readIdpMetadata(idpMetadataXml(entity), { now: NOW })).toMatchObject({
      sloUrl: 'https://idp.test/slo',
      sloPostUrl: 'https://idp.test/slo/post',
    });
    const postOnly = idpMetadataXml(entity).replace(/<md:SingleLogoutService Binding="[^"]*HTTP-Redirect"[^>]*\/>/, '');
    const metadata = readIdpMetadata(postOnly, { now: NOW });
    expect(metadata.sloUrl).toBeUndefined();
    expect(metadata.sloPostUrl).toBe('https://idp.test/slo/post');
    expect(metadata.sloResponseUrls).toEqual({ redirect: undefined, post: 'https://idp.test/slo/post' });
    const javascript = postOnly.replace('Location="https://idp.test/slo/post"', 'Location="javascript:alert(1)"');
    expect(refusal(() => readIdpMetadata(javascript, { now: NOW }))).toBe('SingleLogoutService Location is not an http(s) URL');
  });

  it('refuses a SingleLogoutService ResponseLocation that is not an http(s) URL', () => {
    const xml = idpMetadataXml(entity).replace(
      'Location="https://idp.test/slo"',
      'Location="https://idp.test/slo" ResponseLocation="javascript:alert(1)"',
    );
    expect(refusal(() => readIdpMetadata(xml, { now: NOW }))).toBe('SingleLogoutService ResponseLocation is not an http(s) URL');
  });

  it('refuses metadata past its validUntil (§2.3.2), and an unreadable one', () => {
    expect(refusal(() => readIdpMetadata(idpMetadataXml({ ...entity, validUntil: new Date(NOW.getTime() - 1000) }), { now: NOW }))).toBe(
      'metadata is past its validUntil',
    );
    const future = new Date(NOW.getTime() + 86_400_000);
    expect(readIdpMetadata(idpMetadataXml({ ...entity, validUntil: future }), { now: NOW }).validUntil).toEqual(future);
    const garbled = idpMetadataXml(entity).replace('entityID=', 'validUntil="next tuesday" entityID=');
    expect(refusal(() => readIdpMetadata(garbled, { now: NOW }))).toBe('validUntil is not an xs:dateTime');
  });

  describe('with metadataSigningCertificate (§3)', () => {
    const signed = () => signMetadata(idpMetadataXml(entity), F.metadataSigningKey, F.metadataSigningCertificate);

    it('accepts metadata signed by it', () => {
      const metadata = readIdpMetadata(signed(), { signingCertificate: METADATA_SIGNER, now: NOW });
      expect(metadata.signingCertificates.map((c) => fingerprint(c.pem))).toEqual([fingerprint(F.idpSigningCertificate)]);
    });

    it('refuses it unsigned, signed by another key, or changed after signing', () => {
      const options = { signingCertificate: METADATA_SIGNER, now: NOW };
      expect(refusal(() => readIdpMetadata(idpMetadataXml(entity), options))).toBe('metadata is not signed by metadataSigningCertificate');
      const byOther = signMetadata(idpMetadataXml(entity), F.otherIdpSigningKey, F.otherIdpSigningCertificate);
      expect(refusal(() => readIdpMetadata(byOther, options))).toBe('metadata is not signed by metadataSigningCertificate');
      // An attacker's key slipped in beside the IdP's after the document was signed.
      const extraKey = signed().replace(
        '<md:KeyDescriptor use="signing">',
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(F.otherIdpSigningCertificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:KeyDescriptor use="signing">`,
      );
      expect(refusal(() => readIdpMetadata(extraKey, options))).toBe('metadata is not signed by metadataSigningCertificate');
      const otherEndpoint = signed().replace('Location="https://idp.test/sso"', 'Location="https://evil.test/sso"');
      expect(refusal(() => readIdpMetadata(otherEndpoint, options))).toBe('metadata is not signed by metadataSigningCertificate');
    });

    it('refuses it signed with RSA-SHA1 by that very key: SHA-2 only, as for every IdP signature', () => {
      const sha1 = signMetadata(
        idpMetadataXml(entity),
        F.metadataSigningKey,
        F.metadataSigningCertificate,
        'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      );
      expect(sha1).toContain('xmldsig#rsa-sha1');
      expect(refusal(() => readIdpMetadata(sha1, { signingCertificate: METADATA_SIGNER, now: NOW }))).toBe(
        'metadata signed with an algorithm not accepted (RSA with SHA-256 or SHA-512 only)',
      );
    });

    it('refuses a signed entity wrapped in an unsigned group (the signature must be on the root)', () => {
      const entitySigned = signMetadata(entityDescriptorXml(entity), F.metadataSigningKey, F.metadataSigningCertificate);
      const wrapped = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${entitySigned}</md:EntitiesDescriptor>`;
      expect(refusal(() => readIdpMetadata(wrapped, { signingCertificate: METADATA_SIGNER, now: NOW }))).toBe(
        'metadata is not signed by metadataSigningCertificate',
      );
    });

    it('refuses everything while the metadata signing certificate is outside its validity period', () => {
      const expired = withValidity(F.expiredIdpSigningCertificate);
      const byExpired = signMetadata(idpMetadataXml(entity), F.expiredIdpSigningKey, F.expiredIdpSigningCertificate);
      expect(refusal(() => readIdpMetadata(byExpired, { signingCertificate: expired, now: NOW }))).toBe(
        'metadataSigningCertificate is expired or not yet valid',
      );
      expect(refusal(() => readIdpMetadata(signed(), { signingCertificate: METADATA_SIGNER, now: new Date('2020-01-01T00:00:00Z') }))).toBe(
        'metadataSigningCertificate is expired or not yet valid',
      );
    });
  });

  it.each([
    ['a DOCTYPE', (xml: string) => xml.replace('<md:EntityDescriptor', '<!DOCTYPE x [<!ENTITY e "x">]><md:EntityDescriptor'), 'DTD'],
    ['a comment', (xml: string) => xml.replace('<md:NameIDFormat>', '<!-- note --><md:NameIDFormat>'), 'comment'],
    ['malformed XML', (xml: string) => xml.replace('</md:IDPSSODescriptor>', ''), 'not well-formed'],
    ['another root', () => '<x:Other xmlns:x="urn:x"/>', 'root is not an EntityDescriptor'],
    [
      'no SAML 2.0 IDPSSODescriptor',
      (xml: string) => xml.replace('urn:oasis:names:tc:SAML:2.0:protocol', 'urn:oasis:names:tc:SAML:1.1:protocol'),
      'no IDPSSODescriptor',
    ],
    [
      'a non-http endpoint',
      (xml: string) => xml.replace('Location="https://idp.test/sso"', 'Location="javascript:alert(1)"'),
      'not an http(s) URL',
    ],
    [
      'a broken certificate',
      (xml: string) => xml.replace(/<ds:X509Certificate>[^<]+/, '<ds:X509Certificate>AAAA'),
      'not a valid certificate',
    ],
    [
      'more than 1 MB',
      (xml: string) => xml.replace('<md:NameIDFormat>', `<md:NameIDFormat>${'x'.repeat(MAX_METADATA_BYTES)}`),
      'larger than 1 MB',
    ],
  ])('refuses %s', (_what, change, reason) => {
    expect(refusal(() => readIdpMetadata(change(idpMetadataXml(entity)), { now: NOW }))).toContain(reason);
  });
});

function body(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
