import { Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm, ApiOAuthErrors } from '../protocol/openapi.js';
import type { FastifyRequest } from 'fastify';
import { RealmRegistry } from '../realms/realm.registry.js';
import { TokenInspector } from '../sessions/token-inspector.js';
import { ORGANISATION_AGB_HEADER } from '../tenancy/organisation-agb.js';
import { bearerTokenFromHeaderOrForm } from '../protocol/bearer-token.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { parseScope } from '../protocol/scope.js';

/**
 * UserInfo (OIDC Core §5.3): claims about the user of a live access token, by its scopes (§5.4).
 * GET, or POST with the token in the header or the form body (RFC 6750 §2.1, §2.2). The answer names
 * a person, and a browser may keep an authenticated GET's answer in its private cache (RFC 9111 §3.5)
 * on a shared ward or kiosk machine: `no-store`, as the token endpoint's (RFC 6749 §5.1).
 */
@ApiTags('OpenID Connect')
@Controller('realms/:realm/protocol/openid-connect')
export class UserinfoController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly inspector: TokenInspector,
  ) {}

  @Get('userinfo')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'UserInfo (OIDC Core §5.3): claims by scope' })
  @ApiBearerAuth('bearer')
  @ApiResponse({ status: 200, description: 'The claims' })
  @ApiOAuthErrors(401, 403)
  byGet(@Param('realm') realm: string, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    return this.userinfo(realm, request);
  }

  @Post('userinfo')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'UserInfo by POST (OIDC Core §5.3.1): the token in the header, or as the form body’s access_token (RFC 6750 §2.2)',
  })
  @ApiBearerAuth('bearer')
  @ApiForm({ access_token: 'the access token, when not in the Authorization header (never both)' })
  @ApiResponse({ status: 200, description: 'The claims' })
  @ApiOAuthErrors(400, 401, 403)
  @HttpCode(200)
  byPost(@Param('realm') realm: string, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    return this.userinfo(realm, request);
  }

  private async userinfo(realmName: string, request: FastifyRequest): Promise<Record<string, unknown>> {
    const realm = this.realms.get(realmName);
    const { claims, session } = await this.inspector.personsAccessToken(
      realm,
      bearerTokenFromHeaderOrForm(request),
      request.headers[ORGANISATION_AGB_HEADER],
    );
    const scopes = parseScope(claims.scope);
    // OIDC Core §5.3: UserInfo answers the access token of an OpenID Connect request. One without
    // `openid` (an exchanged `patient/*.read` token for a GP system, a login that asked for FHIR scopes
    // only) was granted FHIR access, not who the person is: 403 insufficient_scope (RFC 6750 §3.1), as
    // Keycloak answers since version 20; a machine's token, which has no person, is refused so above.
    if (!scopes.includes('openid')) throw new OAuthError('insufficient_scope', 'userinfo: the access token has no openid scope');
    const info: Record<string, unknown> = { sub: claims.sub, user_type: claims.user_type };
    if (claims.fhirUser) info.fhirUser = claims.fhirUser;
    // Claims about the person (OIDC Core §5.3.2), as the ID token's: a citizen's own Patient; the patient
    // a clinician chose is the token's context, not who they are.
    if (claims.patient && session.link.kind === 'patient') info.patient = claims.patient;
    if (scopes.includes('profile')) {
      const { given, family, text } = session.profile;
      const name = text ?? [...(given ?? []), family].filter(Boolean).join(' ');
      if (name) info.name = name;
      if (given?.length) info.given_name = given.join(' ');
      if (family) info.family_name = family;
    }
    return info;
  }
}
