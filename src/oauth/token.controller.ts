import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { GRANT_TYPES } from '../config/client-config.schema.js';
import { ApiForm, ApiOAuthErrors, ApiRealmParam } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ORGANISATION_AGB_HEADER } from '../tenancy/organisation-agb.js';
import { tenantAskedFor } from '../tenancy/tenant-match.js';
import { FormParams } from '../protocol/form-params.js';
import { refusalEventOf } from './grants/refusal-events.js';
import { TokenClientAuthGuard } from './token-client-auth.guard.js';
import { TokenRefusalAudit } from './token-refusal-audit.js';
import { GRANT_HANDLERS, type GrantHandler, type GrantRequest, type TokenResponse } from './grants/grant-handler.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { REGISTERED_GRANT_TYPES, registeredOrOther } from '../protocol/registered-values.js';

/**
 * The token endpoint (RFC 6749 §3.2): authenticates the client (guard), then hands the request to
 * the handler of its grant type. Responses are never cached (§5.1). A refusal of a known grant is
 * recorded in the audit trail here, once for every grant, and a refused client authentication by the
 * guard, both within the bounds of {@link TokenRefusalAudit}; each grant records its own success.
 */
@ApiTags('OpenID Connect')
@ApiRealmParam()
@Controller('realms/:realm/protocol/openid-connect')
export class TokenController {
  private readonly grants: Map<string, GrantHandler>;

  constructor(
    @Inject(GRANT_HANDLERS) grants: GrantHandler[],
    private readonly refusals: TokenRefusalAudit,
  ) {
    this.grants = new Map(grants.map((grant) => [grant.grantType, grant]));
  }

  @Post('token')
  @HttpCode(200)
  @UseGuards(TokenClientAuthGuard)
  @ApiOperation({
    summary: 'Token endpoint (RFC 6749 §3.2)',
    description:
      'authorization_code (PKCE), refresh_token (rotating), client_credentials and token exchange (RFC 8693). The client authenticates with client_secret_basic, client_secret_post or private_key_jwt; a public client names itself with client_id. `organisation_agb` (header) names the tenant.',
  })
  @ApiSecurity('client_secret_basic')
  @ApiForm(
    {
      grant_type: { type: 'string', enum: [...GRANT_TYPES] },
      code: 'authorization_code: the code',
      redirect_uri: 'authorization_code: the redirect URI of the authorization request',
      code_verifier: 'authorization_code: the PKCE verifier (RFC 7636)',
      refresh_token: 'refresh_token: the current refresh token',
      scope: 'space-separated scopes; may only narrow what was granted',
      client_id: 'the client, when it does not authenticate with a header',
      client_secret: 'client_secret_post',
      client_assertion_type: 'private_key_jwt (RFC 7523): urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'private_key_jwt (RFC 7523): the signed JWT',
      subject_token: 'token exchange: the access token to exchange',
      subject_token_type: 'token exchange: urn:ietf:params:oauth:token-type:access_token',
      audience: 'token exchange: a target (repeatable, RFC 8693 §2.1)',
      requested_token_type: 'token exchange: urn:ietf:params:oauth:token-type:refresh_token to get one',
      organization_id: 'refresh_token: select a context (also care_team_id, patient_id, episode_of_care_id)',
    },
    ['grant_type'],
  )
  @ApiResponse({ status: 200, description: 'Tokens (RFC 6749 §5.1); access tokens are RFC 9068 JWTs' })
  @ApiOAuthErrors(400, 401)
  async token(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    const realm = request.oauthRealm!;
    const client = request.oauthClient!;
    const params = FormParams.fromRequest(request);
    const response = await this.handle({
      realm,
      client,
      params,
      organisationAgb: request.headers[ORGANISATION_AGB_HEADER],
      clientAddress: request.ip,
    });
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return response;
  }

  /** The grant's answer; a refusal, from a missing or unknown grant type on, is recorded as its grant's (or a client's failed login). */
  private async handle(request: GrantRequest & { clientAddress: string }): Promise<TokenResponse> {
    const { realm, client, params } = request;
    let grantType: string | undefined;
    try {
      grantType = params.require('grant_type');
      const grant = this.grants.get(grantType);
      if (!grant)
        throw new OAuthError(
          'unsupported_grant_type',
          `grant type ${registeredOrOther(grantType, REGISTERED_GRANT_TYPES)} is not implemented`,
        );
      if (!(client.config.grantTypes as readonly string[]).includes(grant.grantType)) {
        throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use ${grant.grantType}`);
      }
      return await grant.handle(request);
    } catch (error) {
      const event = {
        realm: realm.name,
        type: refusalEventOf(grantType),
        clientId: client.clientId,
        ipAddress: request.clientAddress,
        tenant: tenantAskedFor(request.organisationAgb),
      };
      await this.refusals.refused(event, error);
      throw error;
    }
  }
}
