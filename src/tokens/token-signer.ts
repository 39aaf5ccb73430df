import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { SigningKeyService } from '../keys/signing-key.service.js';
import type { Realm } from '../realms/realm.js';
import { signJws } from './jws.js';

/**
 * JWS `typ` values: RFC 9068 §2.1 for access tokens, plain JWT for ID tokens, and our own
 * `rt+jwt` for refresh tokens, so no verifier of access tokens can be handed a refresh token;
 * `logout+jwt` for logout tokens (OIDC Back-Channel Logout 1.0 §2.4).
 */
export type TokenTyp = 'at+jwt' | 'JWT' | 'rt+jwt' | 'logout+jwt';

/**
 * The only place tokens are signed: with the realm's active key, its `kid` in the header, by node:crypto
 * directly (jws.ts: the WebCrypto path was the largest cost on the token endpoint, issue 14).
 * Verification stays with jose.
 */
@Injectable()
export class TokenSigner {
  constructor(private readonly keys: SigningKeyService) {}

  async sign(realm: Realm, claims: JWTPayload, typ: TokenTyp): Promise<string> {
    const key = await this.keys.activeKey(realm);
    return signJws({ alg: key.alg, kid: key.kid, typ }, claims, key.privateKey);
  }

  /** The algorithm tokens of this realm are signed with now (for `at_hash`, OIDC Core §3.1.3.6). */
  async algorithm(realm: Realm): Promise<string> {
    return (await this.keys.activeKey(realm)).alg;
  }
}
