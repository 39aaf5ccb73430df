import { Controller, Get, Header, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '../protocol/bearer-token.js';
import { ApiOAuthErrors } from '../protocol/openapi.js';
import { parseScope } from '../protocol/scope.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { TokenInspector } from '../sessions/token-inspector.js';
import { ORGANISATION_AGB_HEADER } from '../tenancy/organisation-agb.js';

/** The part of Keycloak's UserRepresentation this service can fill. */
export interface AccountProfile {
  id: string;
  firstName?: string;
  lastName?: string;
}

/**
 * Keycloak's account endpoint as keycloak-js's `loadUserProfile()` reads it (GET `{realm}/account`,
 * a bearer token, JSON; keycloak-angular's `loadUserProfile()` too): the person's `id` (the tokens'
 * `sub`) and, as UserInfo gives them (OIDC Core §5.4), their names only to a token with the
 * `profile` scope. No `username` and no `email`: the national IdPs give neither, and a NameID may be
 * a national identifier. There is no account console behind it: `accountManagement()` has nowhere to go.
 */
@ApiTags('OpenID Connect')
@Controller('realms/:realm')
export class AccountController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly inspector: TokenInspector,
  ) {}

  @Get('account')
  // A person's names: kept out of the browser's cache, as UserInfo's answer.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The person’s profile as keycloak-js loadUserProfile() reads it: id, and with the profile scope firstName, lastName',
  })
  @ApiBearerAuth('bearer')
  @ApiResponse({ status: 200, description: 'The profile' })
  @ApiOAuthErrors(400, 401, 403)
  async profile(@Param('realm') realmName: string, @Req() request: FastifyRequest): Promise<AccountProfile> {
    const realm = this.realms.get(realmName);
    const { claims, session } = await this.inspector.personsAccessToken(
      realm,
      bearerToken(request),
      request.headers[ORGANISATION_AGB_HEADER],
    );
    const profile: AccountProfile = { id: claims.sub! };
    if (parseScope(claims.scope).includes('profile')) {
      const { given, family } = session.profile;
      if (given?.length) profile.firstName = given.join(' ');
      if (family) profile.lastName = family;
    }
    return profile;
  }
}
