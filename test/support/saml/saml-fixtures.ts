import { readFileSync } from 'node:fs';

/**
 * The committed SAML test keys (fixtures/saml/, generated with openssl, valid 20 years). Private
 * keys are named `*.TEST-ONLY.key`: they are public and must never protect anything real.
 */
const dir = 'fixtures/saml';
const read = (name: string) => readFileSync(`${dir}/${name}`, 'utf8');

export const SAML_FIXTURE_FILES = {
  idpSigningKey: `${dir}/idp-signing.TEST-ONLY.key`,
  idpSigningCertificate: `${dir}/idp-signing.crt`,
  otherIdpSigningKey: `${dir}/other-idp-signing.TEST-ONLY.key`,
  otherIdpSigningCertificate: `${dir}/other-idp-signing.crt`,
  spSigningKey: `${dir}/sp-signing.TEST-ONLY.key`,
  spSigningCertificate: `${dir}/sp-signing.crt`,
  spEncryptionKey: `${dir}/sp-encryption.TEST-ONLY.key`,
  spEncryptionCertificate: `${dir}/sp-encryption.crt`,
  metadataSigningCertificate: `${dir}/metadata-signing.crt`,
} as const;

export const SAML_FIXTURES = {
  idpSigningKey: read('idp-signing.TEST-ONLY.key'),
  idpSigningCertificate: read('idp-signing.crt'),
  /** A second IdP ("another realm's IdP"): its signatures must not validate here. */
  otherIdpSigningKey: read('other-idp-signing.TEST-ONLY.key'),
  otherIdpSigningCertificate: read('other-idp-signing.crt'),
  spSigningKey: read('sp-signing.TEST-ONLY.key'),
  spSigningCertificate: read('sp-signing.crt'),
  spEncryptionKey: read('sp-encryption.TEST-ONLY.key'),
  spEncryptionCertificate: read('sp-encryption.crt'),
  /** Signs IdP metadata documents (config `metadataSigningCertificate`). */
  metadataSigningKey: read('metadata-signing.TEST-ONLY.key'),
  metadataSigningCertificate: read('metadata-signing.crt'),
  /** The IdP's next key in the metadata rollover tests. */
  nextIdpSigningKey: read('next-idp-signing.TEST-ONLY.key'),
  nextIdpSigningCertificate: read('next-idp-signing.crt'),
  /** Valid only during 2020: never to be trusted. */
  expiredIdpSigningKey: read('expired-idp-signing.TEST-ONLY.key'),
  expiredIdpSigningCertificate: read('expired-idp-signing.crt'),
} as const;

/** A realm's `serviceProvider` config using the fixture files. */
export function testServiceProviderConfig(options: { encryption?: boolean; entityId?: string } = {}): Record<string, string> {
  return {
    ...(options.entityId ? { entityId: options.entityId } : {}),
    signingKey: SAML_FIXTURE_FILES.spSigningKey,
    signingCertificate: SAML_FIXTURE_FILES.spSigningCertificate,
    ...(options.encryption === false
      ? {}
      : { decryptionKey: SAML_FIXTURE_FILES.spEncryptionKey, decryptionCertificate: SAML_FIXTURE_FILES.spEncryptionCertificate }),
  };
}

/**
 * An IdP signing certificate whose private key was discarded when it was made (openssl, as the
 * fixtures', valid 100 years from 2026-12-06): not a published test key, so production accepts it.
 * Nothing can sign with it; for metadata that must be accepted, not for logins.
 */
export const UNPUBLISHED_IDP_CERTIFICATE = readFileSync('test/support/saml/unpublished-idp-signing.crt', 'utf8');
