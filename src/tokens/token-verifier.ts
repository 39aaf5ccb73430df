import { Inject, Injectable } from '@nestjs/common';
import { errors, type JWTPayload } from 'jose';
import { CLOCK, type Clock } from '../common/clock.js';
import { VerificationKeys } from '../keys/verification-keys.js';
import type { Realm } from '../realms/realm.js';
import type { AccessTokenClaims } from './access-token.claims.js';
import { parseCompactJws, verifiedClaims } from './compact-jws.js';
import { verifiesJws } from './jws.js';
import { RefreshTokenMac } from './refresh-token-mac.js';
import type { TokenTyp } from './token-signer.js';
import { VerifiedSignatures } from './verified-signatures.js';

/** The claims of a refresh token (see SessionTokensIssuer). */
export interface RefreshTokenClaims extends JWTPayload {
  sub: string;
  jti: string;
  sid: string;
  client_id: string;
  scope: string;
  patient?: string;
  context?: AccessTokenClaims['context'];
  realm_access?: { roles: string[] };
  /** The tenant of its session (a token exchange's), as its access tokens carry it. */
  organisation_agb?: string;
}

/**
 * Verifies tokens this service issued: signature by a published key of the same realm, the exact
 * `typ` (so an ID or refresh token is never taken for an access token), issuer and expiry. Whether
 * the session still lives is the caller's check. The signature is checked by node:crypto (jws.ts;
 * issue 14 measured jose's WebCrypto verification as the largest item of a token exchange, ≈290 µs
 * of its wall time under load), the header and claims by jose (compact-jws.ts). A token presented
 * again skips only the signature math (verified-signatures.ts); every other check runs each time.
 */
@Injectable()
export class TokenVerifier {
  private readonly signatures = new VerifiedSignatures();

  constructor(
    private readonly keys: VerificationKeys,
    private readonly refreshMac: RefreshTokenMac,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify<T extends JWTPayload>(
    realm: Realm,
    token: string,
    typ: TokenTyp,
    options: { audience?: string; allowExpired?: boolean } = {},
  ): Promise<T> {
    const jws = parseCompactJws(token);
    // The algorithm is the key's (verification-keys.ts); HS256 and `none` are no realm key's.
    const { alg, key } = await this.keys.keyFor(realm, jws.header);
    if (!this.signatures.verifies(token, key, () => verifiesJws(alg, jws.signingInput, jws.signature, key))) {
      throw new errors.JWSSignatureVerificationFailed();
    }
    return verifiedClaims(jws, {
      issuer: realm.issuer,
      typ,
      audience: options.audience,
      currentDate: options.allowExpired ? new Date(0) : this.clock.now(),
      requiredClaims: ['exp', 'iat', 'sub'],
    }) as T;
  }

  verifyAccessToken(realm: Realm, token: string): Promise<AccessTokenClaims & JWTPayload> {
    return this.verify(realm, token, 'at+jwt');
  }

  /**
   * Refresh tokens are HS256 (refresh-token-mac.ts); one signed with the realm's key before that stays
   * good for the rest of its life, verified as it was issued. Each path takes its own algorithms only.
   */
  async verifyRefreshToken(realm: Realm, token: string): Promise<RefreshTokenClaims> {
    // Its header says which path; an unreadable token is refused here, as a bad token. A MACed one is not parsed again.
    const jws = parseCompactJws(token);
    if (jws.header.alg === 'HS256') return (await this.refreshMac.verify(realm, jws, this.clock.now())) as RefreshTokenClaims;
    return this.verify<RefreshTokenClaims>(realm, token, 'rt+jwt', { audience: realm.issuer });
  }
}
