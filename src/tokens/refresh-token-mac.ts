import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, type JWTPayload } from 'jose';
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
 * refresh's CPU, HS256 ≈70 µs. Verification stays with jose, with the key imported once.
 */
@Injectable()
export class RefreshTokenMac {
  private readonly keys = new Map<string, { signing: KeyObject; verifying: Promise<CryptoKey> }>();

  constructor(@Inject(CONFIG) private readonly config: Pick<Config, 'keys'>) {}

  sign(realm: Realm, claims: JWTPayload): string {
    return signJws({ alg: 'HS256', kid: REFRESH_MAC_KID, typ: 'rt+jwt' }, claims, this.key(realm).signing);
  }

  /** The claims of a refresh token of `realm`: MAC, `typ`, `kid`, issuer, audience (the issuer itself) and expiry checked. */
  async verify(realm: Realm, token: string, now: Date): Promise<JWTPayload> {
    const { payload, protectedHeader } = await jwtVerify(token, await this.key(realm).verifying, {
      algorithms: ['HS256'],
      typ: 'rt+jwt',
      issuer: realm.issuer,
      audience: realm.issuer,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
    });
    // Only tokens of this derivation: a later one gets its own kid, and this check then voids the old tokens.
    if (protectedHeader.kid !== REFRESH_MAC_KID) throw new errors.JWSInvalid('refresh token of an unknown key');
    return payload;
  }

  private key(realm: Realm) {
    let key = this.keys.get(realm.name);
    if (!key) {
      const secret = Buffer.from(
        hkdfSync('sha256', this.config.keys.encryptionKey, 'federation-service', `refresh-token-mac/v1/${realm.name}`, 32),
      );
      key = {
        signing: createSecretKey(secret),
        verifying: crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']),
      };
      this.keys.set(realm.name, key);
    }
    return key;
  }
}
