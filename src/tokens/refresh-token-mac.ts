import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { errors, type JWTPayload } from 'jose';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import type { Realm } from '../realms/realm.js';
import { parseCompactJws, verifiedClaims, type CompactJws } from './compact-jws.js';
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
  async verify(realm: Realm, token: string | CompactJws, now: Date): Promise<JWTPayload> {
    const jws = typeof token === 'string' ? parseCompactJws(token) : token;
    if (jws.header.alg !== 'HS256') throw new errors.JOSEAlgNotAllowed('refresh token "alg" is not HS256');
    // Only tokens of this derivation: a later one gets its own kid, and this check then voids the old tokens.
    if (jws.header.kid !== REFRESH_MAC_KID) throw new errors.JWSInvalid('refresh token of an unknown key');
    // RFC 7515 §5.2 step 6 over the exact signing input, compared in constant time; parseCompactJws
    // took only the signature's canonical spelling.
    const expected = createHmac('sha256', this.key(realm)).update(jws.signingInput).digest();
    if (jws.signature.length !== expected.length || !timingSafeEqual(jws.signature, expected))
      throw new errors.JWSSignatureVerificationFailed();
    return verifiedClaims(jws, {
      typ: 'rt+jwt',
      issuer: realm.issuer,
      audience: realm.issuer,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
    });
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
