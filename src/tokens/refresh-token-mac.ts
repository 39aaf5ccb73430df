import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, UnsecuredJWT, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import type { Realm } from '../realms/realm.js';
import { signJws } from './jws.js';

/** The MAC key's `kid`: the version of its derivation (a new derivation, a new kid, and the old tokens are void). */
export const REFRESH_MAC_KID = 'refresh-hs256-v1';

/**
 * Refresh tokens are read by this service alone, so they are MACed rather than signed, as Keycloak's
 * are (HS512 under a realm secret): HS256 (RFC 7518 §3.2) under a key per realm derived with
 * HKDF-SHA256 (RFC 5869) from `keys.encryptionKey` — the same on every instance, nothing stored,
 * nothing published in the JWKS; whoever holds that secret could decrypt the private signing keys
 * anyway. Measured (issue 14): an ES256 signature and jose's verification of it cost ≈275 µs of a
 * refresh's CPU. HS256 through jose still went through WebCrypto's asynchronous job for one HMAC:
 * 54 µs of CPU a verification in isolation, 17 µs with the MAC checked here by node:crypto and the
 * rest by jose (and ≈140 µs of a loaded refresh's wall time in the profile).
 */
@Injectable()
export class RefreshTokenMac {
  private readonly keys = new Map<string, KeyObject>();

  constructor(@Inject(CONFIG) private readonly config: Pick<Config, 'keys'>) {}

  sign(realm: Realm, claims: JWTPayload): string {
    return signJws({ alg: 'HS256', kid: REFRESH_MAC_KID, typ: 'rt+jwt' }, claims, this.key(realm));
  }

  /**
   * The claims of a refresh token of `realm`: MAC, `alg`, `kid`, `typ`, `crit`, issuer, audience (the issuer
   * itself) and expiry checked. Every refusal is a jose error, which callers treat as a bad token (token-errors.ts).
   */
  async verify(realm: Realm, token: string, now: Date): Promise<JWTPayload> {
    const [encodedHeader, encodedPayload, signature, ...rest] = token.split('.');
    if (signature === undefined || rest.length > 0) throw new errors.JWSInvalid('refresh token is not a compact JWS');
    const header = protectedHeaderOf(token);
    if (header.alg !== 'HS256') throw new errors.JOSEAlgNotAllowed('refresh token "alg" is not HS256');
    // Only tokens of this derivation: a later one gets its own kid, and this check then voids the old tokens.
    if (header.kid !== REFRESH_MAC_KID) throw new errors.JWSInvalid('refresh token of an unknown key');
    // RFC 7515 §5.2 step 6 over the exact signing input; the signature compared as its one canonical
    // base64url text, in constant time, so no other spelling of the same octets is accepted.
    const expected = createHmac('sha256', this.key(realm)).update(`${encodedHeader}.${encodedPayload}`).digest('base64url');
    // UTF-8, not 'ascii': Node's 'ascii' keeps only each character's low byte, so 'Ł' (U+0141) would read as 'A'.
    const presented = Buffer.from(signature, 'utf8');
    if (presented.length !== expected.length || !timingSafeEqual(presented, Buffer.from(expected, 'utf8')))
      throw new errors.JWSSignatureVerificationFailed();
    // The MAC holds: jose validates the rest, the header's `typ` and `crit` and the JWT claims set
    // (RFC 7519 §7.2), on the same payload octets handed over as an unsecured JWT.
    const { payload } = UnsecuredJWT.decode(`${encodeHeader({ ...header, alg: 'none' })}.${encodedPayload}.`, {
      typ: 'rt+jwt',
      issuer: realm.issuer,
      audience: realm.issuer,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
    });
    return payload;
  }

  private key(realm: Realm): KeyObject {
    let key = this.keys.get(realm.name);
    if (!key) {
      const secret = hkdfSync('sha256', this.config.keys.encryptionKey, 'federation-service', `refresh-token-mac/v1/${realm.name}`, 32);
      key = createSecretKey(Buffer.from(secret));
      this.keys.set(realm.name, key);
    }
    return key;
  }
}

/** The JOSE header (RFC 7515 §4); jose's decoder throws a TypeError on a malformed one, refused here as a bad token. */
function protectedHeaderOf(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new errors.JWSInvalid('refresh token header is not a JSON object');
  }
}

function encodeHeader(header: ProtectedHeaderParameters): string {
  return Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
}
