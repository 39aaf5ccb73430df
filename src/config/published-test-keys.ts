import { createHash, type KeyObject } from 'node:crypto';

/**
 * The public keys of the key pairs this repository ships for its tests and the demo (fixtures/keys,
 * fixtures/saml): their private halves are published with the source, so anyone could sign as an IdP,
 * a client or the realm configured with one, or read what is encrypted to it. Named by the SHA-256 of
 * the key's SubjectPublicKeyInfo (DER, base64url), whatever file or format it comes in;
 * published-test-keys.spec.ts recomputes the list from fixtures/, so a key added there is added here.
 */
export const PUBLISHED_TEST_KEYS: ReadonlyMap<string, string> = new Map([
  ['B9S-VhOHwUXEePddU3gLsvdP_hXz8LPIuQywdpLQrZs', 'fixtures/keys/demo-xis-client'],
  ['bQ_yFu28RlpynAvKchQM7mz79kXzIEw-QitDmz6R3Bc', 'fixtures/saml/expired-idp-signing'],
  ['cLOkRqGXA1IUHRWd0mx9sWDcyqcmjeLC7XnOURzCtbA', 'fixtures/saml/idp-signing'],
  ['8nPQlOERQKQxiruOp2a-8W17eYYQQkI-oWulBQxavAU', 'fixtures/saml/metadata-signing'],
  ['ec6Wa7uYQDA3FQ7W1EFtAafLDEbJKBY2Gs1ruulNrbw', 'fixtures/saml/next-idp-signing'],
  ['RrSa7R2iC8jM4Br8gzqwNqfO0BI-UPcZsujadrtfR5A', 'fixtures/saml/other-idp-signing'],
  ['cAKI8zNWWR-NNxfeizy5LAIRTpIaMfDqWn3Qn6N_atg', 'fixtures/saml/sp-encryption'],
  ['rrcR4gjwzbbn819qMAyHVXuStNJqQ6YdKLcMVQIqVBU', 'fixtures/saml/sp-signing'],
]);

/** The SHA-256 of a key's SubjectPublicKeyInfo (a private key's public half), base64url. */
export function spkiFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

/** The fixture `publicKey` belongs to, if it is one of the published test keys. */
export function publishedTestKey(publicKey: KeyObject): string | undefined {
  return PUBLISHED_TEST_KEYS.get(spkiFingerprint(publicKey));
}

/** The fixture the first of `publicKeys` that is a published test key belongs to, if any. */
export function publishedTestKeyAmong(publicKeys: readonly KeyObject[]): string | undefined {
  return publicKeys.map(publishedTestKey).find((found) => found !== undefined);
}
