import {
  decodeProtectedHeader,
  errors,
  UnsecuredJWT,
  type JWTClaimVerificationOptions,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';

/** A JWS in the Compact Serialization (RFC 7515 §7.1), taken apart but not yet verified. */
export interface CompactJws {
  header: ProtectedHeaderParameters;
  /** ASCII(BASE64URL(header) . BASE64URL(payload)), what the signature covers (§5.2 step 8). */
  signingInput: string;
  encodedPayload: string;
  signature: Buffer;
}

/**
 * Splits a compact JWS for verification by node:crypto (token-verifier.ts, refresh-token-mac.ts). Refuses, as a
 * bad token (a jose error, token-errors.ts): anything but three parts, a header that is not a JSON
 * object, and a signature that is not in its one canonical base64url spelling — Node's decoder skips
 * characters outside the alphabet, so without the re-encoding check `sig` and `s!ig` would be one token.
 */
export function parseCompactJws(token: string): CompactJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw new errors.JWSInvalid('not a JWS in the Compact Serialization');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new errors.JWSInvalid('JWS header is not a JSON object');
  }
  const signature = Buffer.from(encodedSignature, 'base64url');
  if (signature.toString('base64url') !== encodedSignature) throw new errors.JWSInvalid('JWS signature is not base64url');
  return { header, signingInput: `${encodedHeader}.${encodedPayload}`, encodedPayload, signature };
}

/**
 * The claims of a JWS whose signature the caller has verified. jose validates the rest: the header's
 * `typ`, `crit` and `b64` (RFC 7515 §4.1.11, RFC 7797), and the JWT claims set (RFC 7519 §7.2: issuer,
 * audience, expiry, required claims), on the same payload octets handed over as an unsecured JWT.
 */
export function verifiedClaims(jws: CompactJws, options: JWTClaimVerificationOptions): JWTPayload {
  const header = Buffer.from(JSON.stringify({ ...jws.header, alg: 'none' }), 'utf8').toString('base64url');
  return UnsecuredJWT.decode(`${header}.${jws.encodedPayload}.`, options).payload;
}
