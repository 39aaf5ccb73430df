import { Injectable } from '@nestjs/common';
import { SignJWT, type JWTPayload } from 'jose';
import { SigningKeyService } from '../keys/signing-key.service.js';
import type { Realm } from '../realms/realm.js';

/** JWS `typ` values: RFC 9068 §2.1 for access tokens; plain JWT otherwise. */
export type TokenTyp = 'at+jwt' | 'JWT';

/** The only place tokens are signed: with the realm's active key, its `kid` in the header. */
@Injectable()
export class TokenSigner {
  constructor(private readonly keys: SigningKeyService) {}

  async sign(realm: Realm, claims: JWTPayload, typ: TokenTyp): Promise<string> {
    const key = await this.keys.activeKey(realm);
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
  }
}
