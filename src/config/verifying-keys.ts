import { createPublicKey, type JsonWebKey } from 'node:crypto';

/** JWK members of a private key (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Why each key of a JWK Set that verifies someone's signatures here (a client's private_key_jwt
 * assertions, RFC 7523 §3; a trusted issuer's subject tokens) cannot be one, by its index; empty when
 * every key can. An asymmetric public key only (RFC 7518 §3.3: RSA of 2048 bits or more): a private
 * key in this config would let whoever reads it sign as the client, and a key no assertion can be
 * verified with only ever answers `invalid_client`, with the reason in the log alone.
 */
export function verifyingKeyProblems(keys: readonly Record<string, unknown>[]): string[] {
  return keys.flatMap((jwk, index) => {
    const problem = keyProblem(jwk);
    return problem === undefined ? [] : [`keys[${index}] ${problem}`];
  });
}

/** The curves of the algorithms a client's assertion or a partner's token may be signed with (ES256, ES384; EdDSA). */
const CURVES: Readonly<Record<string, readonly string[]>> = { EC: ['P-256', 'P-384'], OKP: ['Ed25519', 'Ed448'] };

function keyProblem(jwk: Record<string, unknown>): string | undefined {
  if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') return 'is not an asymmetric key (kty EC, RSA or OKP)';
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return 'holds private key material: register the public key alone';
  const curves = CURVES[jwk.kty];
  if (curves && !curves.includes(jwk.crv as string)) return `is on a curve no accepted algorithm signs with (${curves.join(', ')})`;
  let modulusLength: number | undefined;
  try {
    modulusLength = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
  } catch {
    return 'is not a usable public key';
  }
  if (jwk.kty === 'RSA' && (modulusLength ?? 0) < 2048) return 'is an RSA key under 2048 bits (RFC 7518 §3.3)';
  return undefined;
}
