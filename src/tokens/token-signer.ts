import { Injectable } from '@nestjs/common';
import { SignJWT, type JWTPayload } from 'jose';
import { SigningKeyService } from '../keys/signing-key.service.js';
import type { Realm } from '../realms/realm.js';

/**
 * JWS `typ` values: RFC 9068 §2.1 for access tokens, plain JWT for ID tokens, and our own
 * `rt+jwt` for refresh tokens, so no verifier of access tokens can be handed a refresh token.
 */
export type TokenTyp = 'at+jwt' | 'JWT' | 'rt+jwt';

/** The only place tokens are signed: with the realm's active key, its `kid` in the header. */
@Injectable()
export class TokenSigner {
  constructor(private readonly keys: SigningKeyService) {}

  async sign(realm: Realm, claims: JWTPayload, typ: TokenTyp): Promise<string> {
    const key = await this.keys.activeKey(realm);
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
  }

  /** The algorithm tokens of this realm are signed with now (for `at_hash`, OIDC Core §3.1.3.6). */
  async algorithm(realm: Realm): Promise<string> {
    return (await this.keys.activeKey(realm)).alg;
  }
}
