import { Injectable, Logger } from '@nestjs/common';
import { AuditedRefusal } from '../../audit/audited-refusal.js';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import { AuthorizationCodeService } from '../../login/authorization-code.service.js';
import { SessionService } from '../../sessions/session.service.js';
import { SessionTokensIssuer } from '../../tokens/session-tokens.issuer.js';
import { bindTenant } from '../../tenancy/tenant-binding.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import { verifyS256 } from '../../protocol/pkce.js';
import type { GrantHandler, GrantRequest, TokenResponse } from './grant-handler.js';
import { parseScope } from '../../protocol/scope.js';
import type { AuthorizationCodeRow, CodeRedemption } from '../../storage/authorization-code.repository.js';
import type { Queryable } from '../../storage/database.js';
import type { SessionRow } from '../../storage/session.repository.js';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6): the code is redeemed once, by the client it was issued
 * to, with the same redirect URI and the verifier of its challenge. A second redemption ends the
 * session the first one opened, so every token issued from it dies (RFC 6749 §4.1.2, §10.5).
 */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code' as const;
  private readonly logger = new Logger('AuthorizationCodeGrant');

  constructor(
    private readonly codes: AuthorizationCodeService,
    private readonly sessions: SessionService,
    private readonly tokens: SessionTokensIssuer,
    private readonly audit: AuditTrail,
  ) {}

  async handle(request: GrantRequest): Promise<TokenResponse> {
    const { realm, client, params, organisationAgb, clientAddress } = request;
    const presented = { code: params.require('code'), redirectUri: params.require('redirect_uri'), verifier: params.get('code_verifier') };
    // A login acts for no tenant (the config refuses `tenants` beside this grant), so a header naming one
    // is refused as the refresh grant refuses it (tenant-binding.ts), not ignored into a token without
    // the tenant the client asked for; before the code is spent, so the refusal changes nothing.
    bindTenant(client.config, organisationAgb);

    // Read before the code is spent: its tokens are then signed without the database (signingKeys).
    const signingKeys = await this.tokens.signingKeys(realm, client);
    // The code is spent in the transaction that records its tokens: a failure there leaves it unspent,
    // so the client's retry is a redemption, not a replay that ends the session.
    const redemption = await this.audit.transaction((tx) => this.redeem(request, presented, tx));
    if (redemption.outcome === 'unknown') throw new OAuthError('invalid_grant', 'unknown or expired code');
    const { code } = redemption;
    if (redemption.outcome === 'replayed') {
      await this.endSession(code.session_id, 'code replayed', 'code_replayed', clientAddress);
      this.logger.warn({ realm: realm.name, sid: code.session_id }, 'authorization code replayed: session ended');
      throw new AuditedRefusal('invalid_grant', 'code already used', { error: 'code_replayed', sessionId: code.session_id });
    }
    // The code was spent: a mismatch means it leaked, so its session is ended too.
    if (redemption.outcome === 'misused') {
      await this.endSession(code.session_id, redemption.mismatch, 'code_misused', clientAddress);
      throw new AuditedRefusal('invalid_grant', redemption.mismatch, { error: 'invalid_code', sessionId: code.session_id });
    }
    if (redemption.outcome === 'session_ended')
      throw new AuditedRefusal('invalid_grant', 'session of the code has ended', { error: 'session_expired', sessionId: code.session_id });
    const { session, refreshJti } = redemption;
    return this.tokens.issue({
      realm,
      client,
      session,
      scopes: parseScope(code.scope),
      nonce: code.nonce ?? undefined,
      refreshJti,
      nationalIdentifier: this.sessions.nationalIdentifierFor(client, session),
      signingKeys,
    });
  }

  /**
   * Spends the code in `tx` and, when the request matches it and its session is live, starts the
   * session's refresh chain and records CODE_TO_TOKEN there too. A refusal of a spent code returns,
   * so the spending commits: a code is redeemed once, whatever the outcome.
   */
  private async redeem({ realm, client, clientAddress }: GrantRequest, presented: PresentedCode, tx: Queryable): Promise<Redemption> {
    const redemption = await this.codes.redeem(realm.name, presented.code, tx);
    if (redemption.outcome !== 'redeemed') return redemption;
    const { code } = redemption;
    const mismatch = mismatchOf(code, client.clientId, presented);
    if (mismatch) return { outcome: 'misused', code, mismatch };
    const session = await this.sessions.findLive(code.session_id, tx);
    if (!session) return { outcome: 'session_ended', code };
    // A refresh token only for a client that may use it (RFC 6749 §5.1: "OPTIONAL"); the chain starts with its event.
    const refreshJti = client.config.grantTypes.includes('refresh_token') ? await this.sessions.startRefreshChain(session, tx) : undefined;
    const event = { realm: realm.name, type: 'CODE_TO_TOKEN', clientId: client.clientId, ipAddress: clientAddress } as const;
    const details = { scope: code.scope, refresh_token: refreshJti !== undefined };
    await this.audit.record({ ...event, userId: session.user_id, sessionId: session.id, idpAlias: session.idp_alias, details }, tx);
    return { outcome: 'issued', code, session, refreshJti };
  }

  /** A spent code presented again or misused ends its session (RFC 6749 §4.1.2), recorded as a LOGOUT by reuse. */
  private async endSession(sid: string, reason: string, code: string, ipAddress: string | undefined): Promise<void> {
    await this.audit.endSession(sid, { by: 'reuse', reason: code, ipAddress }, (tx) => this.sessions.end(sid, reason, tx));
  }
}

/** The request's `code`, `redirect_uri` and `code_verifier` (RFC 6749 §4.1.3, RFC 7636 §4.5). */
interface PresentedCode {
  code: string;
  redirectUri: string;
  verifier: string | undefined;
}

type Redemption =
  | Exclude<CodeRedemption, { outcome: 'redeemed' }>
  | { outcome: 'misused'; code: AuthorizationCodeRow; mismatch: string }
  | { outcome: 'session_ended'; code: AuthorizationCodeRow }
  | { outcome: 'issued'; code: AuthorizationCodeRow; session: SessionRow; refreshJti: string | undefined };

/** What, if anything, tells that the code was not this request's (RFC 6749 §4.1.3, RFC 7636 §4.6). */
function mismatchOf(code: AuthorizationCodeRow, clientId: string, { redirectUri, verifier }: PresentedCode): string | undefined {
  if (code.client_id !== clientId) return 'code issued to another client';
  if (code.redirect_uri !== redirectUri) return 'redirect_uri differs from the authorization request';
  if (code.code_challenge !== null && (verifier === undefined || !verifyS256(verifier, code.code_challenge)))
    return 'PKCE verifier missing or wrong';
  if (code.code_challenge === null && verifier !== undefined) return 'code_verifier without a code_challenge';
  return undefined;
}
