import { createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { PUBLISHED_TEST_KEYS, spkiFingerprint } from './published-test-keys.js';

/** Every public key of fixtures/ (certificates, private keys' public halves, JWKs), by fingerprint. */
function fixtureKeys(): Set<string> {
  const found = new Set<string>();
  for (const dir of ['fixtures/keys', 'fixtures/saml'])
    for (const name of readdirSync(dir)) {
      const text = readFileSync(`${dir}/${name}`, 'utf8');
      if (name.endsWith('.crt')) found.add(spkiFingerprint(new X509Certificate(text).publicKey));
      else if (name.endsWith('.key')) found.add(spkiFingerprint(createPublicKey(createPrivateKey(text))));
      else if (name.endsWith('.jwks.json'))
        for (const key of (JSON.parse(text) as { keys: JsonWebKey[] }).keys)
          found.add(spkiFingerprint(createPublicKey({ key, format: 'jwk' })));
      else if (name.endsWith('.jwk.json'))
        found.add(spkiFingerprint(createPublicKey(createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }))));
    }
  return found;
}

describe('the published test keys', () => {
  it('are exactly the public keys of fixtures/, so a key added there is refused in production too', () => {
    expect(new Set(PUBLISHED_TEST_KEYS.keys())).toEqual(fixtureKeys());
  });
});
