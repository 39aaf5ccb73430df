import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientAuthGuard } from '../clients/client-auth.guard.js';
import { ORGANISATION_AGB_HEADER } from '../tenancy/organisation-agb.js';
import { FormParams } from '../protocol/form-params.js';
import { GRANT_HANDLERS, type GrantHandler, type TokenResponse } from './grants/grant-handler.js';
import { OAuthError } from '../protocol/oauth-error.js';

/**
 * The token endpoint (RFC 6749 §3.2): authenticates the client (guard), then hands the request to
 * the handler of its grant type. Responses are never cached (§5.1).
 */
@Controller('realms/:realm/protocol/openid-connect')
export class TokenController {
  private readonly grants: Map<string, GrantHandler>;

  constructor(@Inject(GRANT_HANDLERS) grants: GrantHandler[]) {
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
    if (!(client.config.grantTypes as readonly string[]).includes(grantType)) {
      throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use ${grantType}`);
    }
    const response = await grant.handle({ realm, client, params, organisationAgb: request.headers[ORGANISATION_AGB_HEADER] });
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return response;
  }
}
