import { Injectable, Logger } from '@nestjs/common';
import { AuditedRefusal } from '../../audit/audited-refusal.js';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import { FederationMetrics } from '../../metrics/federation-metrics.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import type { Realm } from '../../realms/realm.js';
import { SessionService } from '../../sessions/session.service.js';
import type { RefreshTokenClaims } from '../../tokens/token-verifier.js';

/**
 * Refresh-token reuse detection (RFC 9700 §4.14.2): an already rotated token presented again means
 * two parties hold the chain, and the whole session ends, so the winner's newer tokens die with it.
 */
@Injectable()
export class RefreshTokenReuse {
  private readonly logger = new Logger('RefreshTokenGrant');

  constructor(
    private readonly sessions: SessionService,
    private readonly audit: AuditTrail,
    private readonly metrics: FederationMetrics,
  ) {}

  /**
   * The refusal of a token the rotation did not take: not the current one of a live session. A live
   * session means a reuse, and it ends here with its LOGOUT (and back-channel logout, migration 013);
   * a token of a session already over just fails. A jti once rotated never becomes current again, so
   * "not current" decided before this call still holds; of concurrent ends, one wins (endIfLive).
   */
  async refusal(realm: Realm, claims: RefreshTokenClaims, clientAddress: string | undefined): Promise<AuditedRefusal> {
    const reused = await this.endReused(realm, claims, clientAddress);
    return new AuditedRefusal('invalid_grant', reused ? 'refresh token reused' : 'session is over', {
      error: reused ? 'refresh_token_reused' : 'session_expired',
      sessionId: claims.sid,
    });
  }

  /**
   * Ends the live session of `claims`, a token rotated already, as a reuse: its LOGOUT (`by: reuse`),
   * the warning and the metric an operator watches for stolen chains. Whether it ended it; false for
   * a session already over. Also where revocation meets such a token (TokenInspector.revocable).
   */
  async endReused(realm: Realm, claims: RefreshTokenClaims, clientAddress: string | undefined): Promise<boolean> {
    const logout = { by: 'reuse', reason: 'refresh_token_reused', ipAddress: clientAddress } as const;
    const reused = await this.audit.endSession(claims.sid, logout, (tx) => this.sessions.endReused(claims.sid, tx));
    if (reused) {
      this.logger.warn({ realm: realm.name, sid: claims.sid }, 'refresh token reused: session ended');
      this.metrics.refreshTokenReused(realm.name);
    }
    return reused;
  }

  /**
   * Runs `checks`, the refusals of a request (a widened scope, a wrong `organisation_agb`) made before
   * the rotation, which leave a current token good. Refused so, a rotated token would never reach the
   * rotation that detects its reuse, and a leaked stale token could be tried at will: on such a
   * refusal alone (a valid refresh costs no extra round trip) the session is read, and a live one
   * whose current token is another makes the refusal a reuse. A current or an over session's token
   * keeps its own refusal, and nothing changes.
   *
   * Racing a rotation of the same token, the read decides: before that rotation commits the token is
   * current, and the refusal stands as if it had come first (the rotation then wins alone); after it,
   * the token is stale, and this is the reuse that the losers of such a race always are (README).
   * Either outcome is one the requests could have had one after the other.
   */
  async refusedUnlessStale<T>(
    realm: Realm,
    claims: RefreshTokenClaims,
    clientAddress: string | undefined,
    checks: () => Promise<T>,
  ): Promise<T> {
    try {
      return await checks();
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const session = await this.sessions.findLive(claims.sid);
      if (session === undefined || session.refresh_jti === claims.jti) throw error;
      throw await this.refusal(realm, claims, clientAddress);
    }
  }
}
