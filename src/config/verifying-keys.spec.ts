import { generateKeyPairSync } from 'node:crypto';
import { verifyingKeyProblems } from './verifying-keys.js';

const ecPublic = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;

describe('the keys that verify a client’s or a trusted issuer’s signatures', () => {
  it('takes EC, RSA of 2048 bits and more, and Ed25519 public keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(verifyingKeyProblems([ecPublic(), { ...rsa, alg: 'RS256', kid: 'r' }, ed25519])).toEqual([]);
  });

  it('refuses, by index, a private key, a symmetric one, a small RSA key and one that does not read', () => {
    const privateEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const { y: _y, ...withoutY } = ecPublic();
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(
      verifyingKeyProblems([ecPublic(), privateEc, { kty: 'oct', k: 'AAAA' }, small, withoutY, { foo: 1 }, x25519, secp256k1]),
    ).toEqual([
      'keys[1] holds private key material: register the public key alone',
      'keys[2] is not an asymmetric key (kty EC, RSA or OKP)',
      'keys[3] is an RSA key under 2048 bits (RFC 7518 §3.3)',
      'keys[4] is not a usable public key',
      'keys[5] is not an asymmetric key (kty EC, RSA or OKP)',
      'keys[6] is on a curve no accepted algorithm signs with (Ed25519, Ed448)',
      'keys[7] is on a curve no accepted algorithm signs with (P-256, P-384)',
    ]);
  });
});
