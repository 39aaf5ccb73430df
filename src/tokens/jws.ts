import { constants, createHmac, sign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../config/config.schema.js';

/**
 * Signs a JWS in the Compact Serialization (RFC 7515 §7.1) with node:crypto, synchronously:
 * BASE64URL(UTF8(header)) . BASE64URL(UTF8(payload)) . BASE64URL(signature).
 *
 * Measured (issue 14) on a P-256 key: jose's WebCrypto path cost ≈140–200 µs of CPU per token, node's
 * `sign()` with an options object (`dsaEncoding: 'ieee-p1363'`) ≈140 µs, the same call with the bare
 * KeyObject ≈60 µs — so ES256 signs in DER and is converted to R ‖ S here.
 */
export function signJws(header: { alg: JwsAlg } & Record<string, unknown>, payload: object, key: KeyObject): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${SIGNERS[header.alg](Buffer.from(input, 'ascii'), key).toString('base64url')}`;
}

/** The realm's signing algorithms, and HS256 for what only this service reads (refresh-token-mac.ts). */
export type JwsAlg = SigningAlg | 'HS256';

/** Each algorithm's signature over the signing input (RFC 7518 §3, RFC 8037 §3.1). */
const SIGNERS: Record<JwsAlg, (input: Buffer, key: KeyObject) => Buffer> = {
  // §3.4: R ‖ S, 32 octets each, not the DER that node:crypto makes by default.
  ES256: (input, key) => ecdsaDerToJose(sign('sha256', input, key), 32),
  // §3.3: RSASSA-PKCS1-v1_5 with SHA-256.
  RS256: (input, key) => sign('sha256', input, key),
  // §3.5: RSASSA-PSS with SHA-256, MGF1 with SHA-256, a salt as long as the hash.
  PS256: (input, key) =>
    sign('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }),
  // RFC 8037 §3.1: Ed25519 hashes internally.
  EdDSA: (input, key) => sign(null, input, key),
  // §3.2: HMAC with SHA-256 under a secret key.
  HS256: (input, key) => createHmac('sha256', key).update(input).digest(),
};

/**
 * An ECDSA signature as DER (`SEQUENCE { INTEGER r, INTEGER s }`, RFC 3279 §2.2.3) to the JWS form:
 * r and s as unsigned big-endian integers of `size` octets each, concatenated (RFC 7518 §3.4).
 */
export function ecdsaDerToJose(der: Buffer, size: number): Buffer {
  const fail = (): never => {
    throw new Error('malformed ECDSA signature');
  };
  // The SEQUENCE's length fits in one octet for every curve up to P-384; P-521 needs the long form.
  if (der[0] !== 0x30) fail();
  let offset = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
  const jose = Buffer.alloc(2 * size);
  for (let i = 0; i < 2; i++) {
    if (der[offset] !== 0x02) fail();
    const length = der[offset + 1];
    let start = offset + 2;
    let octets = length;
    // DER keeps a 0x00 before an integer whose top bit is set, and drops leading zero octets.
    while (octets > size && der[start] === 0) {
      start++;
      octets--;
    }
    if (octets > size || start + octets > der.length) fail();
    der.copy(jose, (i + 1) * size - octets, start, start + octets);
    offset += 2 + length;
  }
  if (offset !== der.length) fail();
  return jose;
}

function base64url(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url');
}
