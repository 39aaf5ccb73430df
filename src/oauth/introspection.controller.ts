import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm, ApiOAuthErrors, ApiRealmParam } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientAuthGuard } from '../clients/client-auth.guard.js';
import { TokenInspector, tenantOf } from '../sessions/token-inspector.js';
import { ORGANISATION_AGB_HEADER } from '../tenancy/organisation-agb.js';
import { tenantNamedBy } from '../tenancy/tenant-match.js';
import { FormParams } from '../protocol/form-params.js';
import { OAuthError } from '../protocol/oauth-error.js';

/**
 * Token introspection (RFC 7662) for authenticated confidential clients. Anything not live —
 * unknown, expired, revoked, of an ended session, of another realm — is just `{"active": false}`
 * (§2.2), so the answer never tells why. With an `organisation_agb` header, a token of another
 * tenant is inactive too; a refresh token's tenant is that of its session.
 */
@ApiTags('OpenID Connect')
@ApiRealmParam()
@Controller('realms/:realm/protocol/openid-connect/token')
export class IntrospectionController {
  constructor(private readonly inspector: TokenInspector) {}

  @Post('introspect')
  @ApiOperation({ summary: 'Token introspection (RFC 7662), for confidential clients' })
  @ApiForm({ token: 'the token', token_type_hint: 'access_token or refresh_token' }, ['token'])
  @ApiResponse({ status: 200, description: '`active`, and the claims of an active token' })
  @ApiOAuthErrors(400, 401)
  @HttpCode(200)
  @UseGuards(ClientAuthGuard)
  async introspect(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const realm = request.oauthRealm!;
    if (request.oauthClient!.config.type !== 'confidential') throw new OAuthError('invalid_client', 'public clients may not introspect');
    const params = FormParams.fromRequest(request);
    // Read before the token is looked at: a malformed header is invalid_request whether the token is
    // live or not, so the error never tells what `{"active": false}` would hide (RFC 7662 §2.2).
    const namedTenant = tenantNamedBy(request.headers[ORGANISATION_AGB_HEADER]);
    const inspected = await this.inspector.inspect(realm, params.require('token'), params.get('token_type_hint'));
    void reply.header('Cache-Control', 'no-store');
    // A token of another tenant than the caller names, or than a tenant-bound caller may act for, is
    // not active for it; a refresh token's tenant is its session's (RFC 7662 §4: the server decides).
    const tenant = inspected && tenantOf(inspected);
    const callerTenants = request.oauthClient!.config.tenants;
    if (
      !inspected ||
      (namedTenant !== undefined && tenant !== namedTenant) ||
      (callerTenants.length > 0 && tenant !== undefined && !callerTenants.includes(tenant))
    ) {
      return { active: false };
    }
    return { ...inspected.claims, active: true, token_type: inspected.kind === 'access' ? 'Bearer' : 'refresh_token' };
  }
}
