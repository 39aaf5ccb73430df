import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { OAuthError } from '../protocol/oauth-error.js';
import type { Realm } from '../realms/realm.js';
import { RevokedAccessTokenRepository } from '../storage/revoked-access-token.repository.js';
import type { SessionRow } from '../storage/session.repository.js';
import { tenantMatches } from '../tenancy/tenant-match.js';
import type { AccessTokenClaims } from '../tokens/access-token.claims.js';
import { undefinedIfTokenError } from '../tokens/token-errors.js';
import { TokenVerifier, type RefreshTokenClaims } from '../tokens/token-verifier.js';
import { SessionService } from './session.service.js';

export type InspectedToken =
  /** `session` is the token's live session; absent for tokens without one (client credentials). */
  | { kind: 'access'; claims: AccessTokenClaims & JWTPayload; session?: SessionRow }
  | { kind: 'refresh'; claims: RefreshTokenClaims; session: SessionRow };

/**
 * The tenant a live token acts for. An access token names it (`organisation_agb`); a refresh token's
 * is its session's (which newer refresh tokens name too, and older ones do not), the one that
 * session's access tokens carry (tokens/user-claims.ts). Both kinds of one session thus answer alike where the tenant decides
 * which tokens a client may learn about (introspection, RFC 7662 §4).
 */
export function tenantOf(inspected: InspectedToken): string | undefined {
  return inspected.kind === 'refresh' ? (inspected.session.tenant ?? undefined) : inspected.claims.organisation_agb;
}

/**
 * Is this token live right now? Signature, expiry and realm hold, it was not revoked, and its
 * session (if any) has not ended; a refresh token must also still be its chain's current one.
 * Used by introspection (RFC 7662), userinfo and token exchange alike. A database failure is not
 * an inactive token: it propagates.
 */
@Injectable()
export class TokenInspector {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionService,
    private readonly revoked: RevokedAccessTokenRepository,
  ) {}

  /** The live token, or undefined for anything else (never throws for a bad token). */
  inspect(realm: Realm, token: string, hint?: string): Promise<InspectedToken | undefined> {
    return this.firstOf(
      hint,
      () => this.liveAccessToken(realm, token),
      () => this.liveRefreshToken(realm, token),
    );
  }

  /**
   * What revoking `token` ends (RFC 7009 §2.1): a live access token, or a refresh token of a live
   * session, its chain's current one or one rotated already. A rotated one presented means that two
   * parties hold the chain (RFC 9700 §4.14.2), and the token endpoint and refresh-token logout end
   * the session for it; revocation does too, rather than answer 200 while the grant lives on in the
   * other's hands. So a revocation that races its client's own refresh of the token ends the grant
   * whichever commits first.
   */
  revocable(realm: Realm, token: string, hint?: string): Promise<InspectedToken | undefined> {
    return this.firstOf(
      hint,
      () => this.liveAccessToken(realm, token),
      () => this.refreshTokenOfLiveSession(realm, token),
    );
  }

  /**
   * The live access token of a person's session that a bearer request presents (UserInfo, the account
   * endpoint), or `invalid_token` (RFC 6750 §3.1) unless live and of the tenant the request's
   * `organisation_agb` names, if it names one; a live one of no person's session (a machine's) is
   * `insufficient_scope`.
   */
  async personsAccessToken(
    realm: Realm,
    token: string,
    tenantHeader: string | string[] | undefined,
  ): Promise<{ claims: AccessTokenClaims & JWTPayload; session: SessionRow }> {
    const inspected = await this.liveAccessToken(realm, token);
    if (!inspected || inspected.kind !== 'access') throw new OAuthError('invalid_token', 'access token not live');
    if (!tenantMatches(tenantHeader, inspected.claims.organisation_agb)) throw new OAuthError('invalid_token', 'token of another tenant');
    // A live token that speaks for no person (client credentials, or a machine's token exchanged) is
    // valid, only not for a person's claims: RFC 6750 §3.1 insufficient_scope (403), not
    // invalid_token (401), which would tell its client to throw away a good token.
    if (!inspected.claims.sid) throw new OAuthError('insufficient_scope', 'the access token speaks for no person');
    if (!inspected.session) throw new OAuthError('invalid_token', 'session ended');
    return { claims: inspected.claims, session: inspected.session };
  }

  async liveAccessToken(realm: Realm, token: string): Promise<InspectedToken | undefined> {
    const claims = await this.verifier.verifyAccessToken(realm, token).catch(undefinedIfTokenError);
    if (!claims) return undefined;
    if (!claims.sid) return claims.jti && (await this.revoked.isRevoked(claims.jti)) ? undefined : { kind: 'access', claims };
    // Revocation and the session's life in one statement: a token exchange's database work is this one round trip.
    const session = claims.jti
      ? await this.sessions.findLiveUnlessRevoked(claims.sid, claims.jti)
      : await this.sessions.findLive(claims.sid);
    return session ? { kind: 'access', claims, session } : undefined;
  }

  async liveRefreshToken(realm: Realm, token: string): Promise<InspectedToken | undefined> {
    const inspected = await this.refreshTokenOfLiveSession(realm, token);
    return inspected && inspected.session.refresh_jti === inspected.claims.jti ? inspected : undefined;
  }

  private async refreshTokenOfLiveSession(realm: Realm, token: string): Promise<Extract<InspectedToken, { kind: 'refresh' }> | undefined> {
    const claims = await this.verifier.verifyRefreshToken(realm, token).catch(undefinedIfTokenError);
    if (!claims) return undefined;
    const session = await this.sessions.findLive(claims.sid);
    return session ? { kind: 'refresh', claims, session } : undefined;
  }

  /** The first kind the hint names (RFC 7009 §2.1, RFC 7662 §2.1: a hint only orders the search), then the other. */
  private async firstOf(
    hint: string | undefined,
    access: () => Promise<InspectedToken | undefined>,
    refresh: () => Promise<InspectedToken | undefined>,
  ): Promise<InspectedToken | undefined> {
    const [first, second] = hint === 'refresh_token' ? [refresh, access] : [access, refresh];
    return (await first()) ?? (await second());
  }
}
