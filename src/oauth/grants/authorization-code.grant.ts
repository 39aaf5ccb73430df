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

  async handle({ realm, client, params, organisationAgb, clientAddress }: GrantRequest): Promise<TokenResponse> {
    const codeValue = params.require('code');
    const redirectUri = params.require('redirect_uri');
    const verifier = params.get('code_verifier');
    // A login acts for no tenant (the config refuses `tenants` beside this grant), so a header naming one
    // is refused as the refresh grant refuses it (tenant-binding.ts), not ignored into a token without
    // the tenant the client asked for; before the code is spent, so the refusal changes nothing.
    bindTenant(client.config, organisationAgb);

    // Read before the code is spent: its tokens are then signed without the database (signingKeys).
    const signingKeys = await this.tokens.signingKeys(realm, client);
    const redemption = await this.codes.redeem(realm.name, codeValue);
    if (redemption.outcome === 'unknown') throw new OAuthError('invalid_grant', 'unknown or expired code');
    const { code } = redemption;
    if (redemption.outcome === 'replayed') {
      await this.endSession(code.session_id, 'code replayed', 'code_replayed', clientAddress);
      this.logger.warn({ realm: realm.name, sid: code.session_id }, 'authorization code replayed: session ended');
      throw new AuditedRefusal('invalid_grant', 'code already used', { error: 'code_replayed', sessionId: code.session_id });
    }
    // The code is spent from here on: a mismatch means it leaked, so its session is ended too.
    const mismatch =
      code.client_id !== client.clientId
        ? 'code issued to another client'
        : code.redirect_uri !== redirectUri
          ? 'redirect_uri differs from the authorization request'
          : code.code_challenge !== null && (verifier === undefined || !verifyS256(verifier, code.code_challenge))
            ? 'PKCE verifier missing or wrong'
            : code.code_challenge === null && verifier !== undefined
              ? 'code_verifier without a code_challenge'
              : undefined;
    if (mismatch) {
      await this.endSession(code.session_id, mismatch, 'code_misused', clientAddress);
      throw new AuditedRefusal('invalid_grant', mismatch, { error: 'invalid_code', sessionId: code.session_id });
    }
    const session = await this.sessions.findLive(code.session_id);
    if (!session)
      throw new AuditedRefusal('invalid_grant', 'session of the code has ended', { error: 'session_expired', sessionId: code.session_id });
    // A refresh token only for a client that may use it (RFC 6749 §5.1: "OPTIONAL"); the chain starts with its event.
    const refreshJti = await this.audit.transaction(async (tx) => {
      const jti = client.config.grantTypes.includes('refresh_token') ? await this.sessions.startRefreshChain(session, tx) : undefined;
      const event = { realm: realm.name, type: 'CODE_TO_TOKEN', clientId: client.clientId, ipAddress: clientAddress } as const;
      const details = { scope: code.scope, refresh_token: jti !== undefined };
      await this.audit.record({ ...event, userId: session.user_id, sessionId: session.id, idpAlias: session.idp_alias, details }, tx);
      return jti;
    });
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

  /** A spent code presented again or misused ends its session (RFC 6749 §4.1.2), recorded as a LOGOUT by reuse. */
  private async endSession(sid: string, reason: string, code: string, ipAddress: string | undefined): Promise<void> {
    await this.audit.endSession(sid, { by: 'reuse', reason: code, ipAddress }, (tx) => this.sessions.end(sid, reason, tx));
  }
}
