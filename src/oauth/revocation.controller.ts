import { Controller, HttpCode, Logger, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm, ApiOAuthErrors, ApiRealmParam } from '../protocol/openapi.js';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { ClientAuthGuard } from '../clients/client-auth.guard.js';
import { SessionService } from '../sessions/session.service.js';
import { TokenInspector } from '../sessions/token-inspector.js';
import { RevokedAccessTokenRepository } from '../storage/revoked-access-token.repository.js';
import { FormParams } from '../protocol/form-params.js';
import { RefreshTokenReuse } from './grants/refresh-token-reuse.js';
import { OAuthError } from '../protocol/oauth-error.js';

/**
 * Token revocation (RFC 7009). A refresh token ends its session, so the whole chain and every
 * access token of it die; a rotated one of a live session ends it as a reuse, as the token endpoint
 * does (TokenInspector.revocable); an access token is denied until it expires. Unknown or invalid tokens
 * still get 200 (§2.2). A live token issued to another client is refused (§2.1), so a client that
 * names itself wrongly learns that its logout did not happen; nothing happens to the token. In the
 * audit trail: a refresh token's revocation is its session's LOGOUT, an access token's a REVOKE_GRANT,
 * a refusal a REVOKE_GRANT_ERROR; an unknown or dead token records nothing (anyone may send one).
 */
@ApiTags('OpenID Connect')
@ApiRealmParam()
@Controller('realms/:realm/protocol/openid-connect')
export class RevocationController {
  private readonly logger = new Logger('Revocation');

  constructor(
    private readonly inspector: TokenInspector,
    private readonly sessions: SessionService,
    private readonly revoked: RevokedAccessTokenRepository,
    private readonly audit: AuditTrail,
    private readonly reuse: RefreshTokenReuse,
  ) {}

  @Post('revoke')
  @ApiOperation({ summary: 'Token revocation (RFC 7009); a refresh token ends its session' })
  @ApiForm({ token: 'the token', token_type_hint: 'access_token or refresh_token' }, ['token'])
  @ApiResponse({ status: 200, description: 'Revoked, or not a live token (§2.2)' })
  @ApiOAuthErrors(400, 401)
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async revoke(@Req() request: FastifyRequest): Promise<void> {
    const realm = request.oauthRealm!;
    const params = FormParams.fromRequest(request);
    const inspected = await this.inspector.revocable(realm, params.require('token'), params.get('token_type_hint'));
    if (!inspected) return;
    const clientId = request.oauthClient!.clientId;
    const { session } = inspected;
    const event = {
      realm: realm.name,
      clientId,
      userId: session?.user_id,
      sessionId: session?.id,
      idpAlias: session?.idp_alias,
      ipAddress: request.ip,
    };
    const tokenType = inspected.kind === 'refresh' ? 'refresh_token' : 'access_token';
    // §2.1: only the client the token was issued to may revoke it; another is told so (§2.2.1), as Keycloak does.
    // It holds a live token not its own: recorded in the trail of the token's user, with the token's client.
    if (inspected.claims.client_id !== clientId) {
      const details = { token_type: tokenType, token_client: inspected.claims.client_id };
      await this.audit.failed({ ...event, type: 'REVOKE_GRANT_ERROR', details }, 'unauthorized_client');
      throw new OAuthError('unauthorized_client', 'token issued to another client');
    }
    if (inspected.kind === 'refresh' && inspected.session.refresh_jti !== inspected.claims.jti) {
      // Rotated already: another party holds the chain's current token. Ended as the token endpoint ends it (reuse).
      await this.reuse.endReused(realm, inspected.claims, request.ip);
    } else if (inspected.kind === 'refresh') {
      const { sid } = inspected.claims;
      const facts = { by: 'user', reason: 'revoked', actor: inspected.claims.client_id, ipAddress: request.ip } as const;
      await this.audit.endSession(sid, facts, (tx) => this.sessions.end(sid, 'refresh token revoked', tx));
    } else if (inspected.claims.jti) {
      const { jti, exp } = inspected.claims;
      // The denial and its event commit together; a token revoked already (a concurrent call) records nothing more.
      await this.audit.transaction(async (tx) => {
        if (!(await this.revoked.revoke(realm.name, jti, new Date(exp * 1000), tx))) return;
        const tenant = inspected.claims.organisation_agb;
        await this.audit.record({ ...event, type: 'REVOKE_GRANT', tenant, details: { token_type: tokenType } }, tx);
      });
    }
    this.logger.log({ realm: realm.name, kind: inspected.kind }, 'token revoked');
  }
}
