import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { AuditEventType } from '../audit/audit-event-type.js';
import { ClientAuthGuard } from '../clients/client-auth.guard.js';
import type { GrantType } from '../config/config.schema.js';
import { ORGANISATION_AGB_HEADER } from '../tenancy/organisation-agb.js';
import { FormParams } from '../protocol/form-params.js';
import { GRANT_HANDLERS, type GrantHandler, type GrantRequest, type TokenResponse } from './grants/grant-handler.js';
import { OAuthError } from '../protocol/oauth-error.js';

/** The audit event of a refused token request, per grant (Keycloak's event types). */
const REFUSAL_EVENTS: Record<GrantType, AuditEventType> = {
  authorization_code: 'CODE_TO_TOKEN_ERROR',
  refresh_token: 'REFRESH_TOKEN_ERROR',
  client_credentials: 'CLIENT_LOGIN_ERROR',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'TOKEN_EXCHANGE_ERROR',
};

/**
 * The token endpoint (RFC 6749 §3.2): authenticates the client (guard), then hands the request to
 * the handler of its grant type. Responses are never cached (§5.1). A refusal of a known grant is
 * recorded in the audit trail here, once for every grant; each grant records its own success.
 */
@Controller('realms/:realm/protocol/openid-connect')
export class TokenController {
  private readonly grants: Map<string, GrantHandler>;

  constructor(
    @Inject(GRANT_HANDLERS) grants: GrantHandler[],
    private readonly audit: AuditTrail,
  ) {
    this.grants = new Map(grants.map((grant) => [grant.grantType, grant]));
  }

  @Post('token')
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async token(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    const realm = request.oauthRealm!;
    const client = request.oauthClient!;
    const params = FormParams.fromRequest(request);
    const grantType = params.require('grant_type');
    const grant = this.grants.get(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant type "${grantType}" is not implemented`);
    const response = await this.handle(grant, {
      realm,
      client,
      params,
      organisationAgb: request.headers[ORGANISATION_AGB_HEADER],
      clientAddress: request.ip,
    });
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return response;
  }

  private async handle(grant: GrantHandler, request: GrantRequest): Promise<TokenResponse> {
    const { realm, client } = request;
    try {
      if (!(client.config.grantTypes as readonly string[]).includes(grant.grantType)) {
        throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use ${grant.grantType}`);
      }
      return await grant.handle(request);
    } catch (error) {
      const event = {
        realm: realm.name,
        type: REFUSAL_EVENTS[grant.grantType],
        clientId: client.clientId,
        ipAddress: request.clientAddress,
      };
      await this.audit.refused(event, error);
      throw error;
    }
  }
}
