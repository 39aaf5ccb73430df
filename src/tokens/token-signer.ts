import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import type { SigningAlg } from '../config/config.schema.js';
import { SigningKeyService, type ActiveSigningKey } from '../keys/signing-key.service.js';
import type { Realm } from '../realms/realm.js';
import { signJws } from './jws.js';

/**
 * JWS `typ` values: RFC 9068 §2.1 for access tokens, plain JWT for ID tokens, and our own
 * `rt+jwt` for refresh tokens, so no verifier of access tokens can be handed a refresh token;
 * `logout+jwt` for logout tokens (OIDC Back-Channel Logout 1.0 §2.4).
 */
export type TokenTyp = 'at+jwt' | 'JWT' | 'rt+jwt' | 'logout+jwt';

/** Active keys read before a change is committed, so the tokens that change owes are signed without the database. */
export type PinnedSigningKeys = ReadonlyMap<SigningAlg, ActiveSigningKey>;

/**
 * The only place tokens are signed: with the realm's active key, its `kid` in the header, by node:crypto
 * directly (jws.ts: the WebCrypto path was the largest cost on the token endpoint, issue 14).
 * Verification stays with jose.
 */
@Injectable()
export class TokenSigner {
  constructor(private readonly keys: SigningKeyService) {}

  /**
   * Signs with the realm's active key of `alg`: by default its own `signingAlg`; a client's ID and logout
   * tokens may ask for another. With `pinned`, its key of that algorithm, read before.
   */
  async sign(realm: Realm, claims: JWTPayload, typ: TokenTyp, alg?: SigningAlg, pinned?: PinnedSigningKeys): Promise<string> {
    const key = pinned?.get(alg ?? realm.config.signingAlg) ?? (await this.keys.activeKey(realm, alg));
    return signJws({ alg: key.alg, kid: key.kid, typ }, claims, key.privateKey);
  }

  /**
   * The realm's active keys of `algs` now (the key cache reads the database once a second): read before
   * a change that owes tokens is committed (a refresh's rotation, a code's redemption), a database that
   * fails that read fails the request while nothing has changed, not after.
   */
  async pin(realm: Realm, algs: readonly SigningAlg[]): Promise<PinnedSigningKeys> {
    const pinned = new Map<SigningAlg, ActiveSigningKey>();
    for (const alg of new Set(algs)) pinned.set(alg, await this.keys.activeKey(realm, alg));
    return pinned;
  }
}
