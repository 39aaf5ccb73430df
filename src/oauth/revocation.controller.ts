import { Controller, HttpCode, Logger, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm, ApiOAuthErrors } from '../protocol/openapi.js';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { ClientAuthGuard } from '../clients/client-auth.guard.js';
import { SessionService } from '../sessions/session.service.js';
import { TokenInspector } from '../sessions/token-inspector.js';
import { RevokedAccessTokenRepository } from '../storage/revoked-access-token.repository.js';
import { FormParams } from '../protocol/form-params.js';
import { OAuthError } from '../protocol/oauth-error.js';

/**
 * Token revocation (RFC 7009). A refresh token ends its session, so the whole chain and every
 * access token of it die; an access token is denied until it expires. Unknown or invalid tokens
 * still get 200 (§2.2). A live token issued to another client is refused (§2.1), so a client that
 * names itself wrongly learns that its logout did not happen; nothing happens to the token.
 */
@ApiTags('OpenID Connect')
@Controller('realms/:realm/protocol/openid-connect')
export class RevocationController {
  private readonly logger = new Logger('Revocation');

  constructor(
    private readonly inspector: TokenInspector,
    private readonly sessions: SessionService,
    private readonly revoked: RevokedAccessTokenRepository,
    private readonly audit: AuditTrail,
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
    const inspected = await this.inspector.inspect(realm, params.require('token'), params.get('token_type_hint'));
    if (!inspected) return;
    // §2.1: only the client the token was issued to may revoke it; another is told so (§2.2.1), as Keycloak does.
    if (inspected.claims.client_id !== request.oauthClient!.clientId)
      throw new OAuthError('unauthorized_client', 'token issued to another client');
    if (inspected.kind === 'refresh') {
      const { sid } = inspected.claims;
      const facts = { by: 'user', reason: 'revoked', actor: inspected.claims.client_id, ipAddress: request.ip } as const;
      await this.audit.endSession(sid, facts, (tx) => this.sessions.end(sid, 'refresh token revoked', tx));
    } else if (inspected.claims.jti) {
      await this.revoked.revoke(realm.name, inspected.claims.jti, new Date(inspected.claims.exp * 1000));
    }
    this.logger.log({ realm: realm.name, kind: inspected.kind }, 'token revoked');
  }
}
